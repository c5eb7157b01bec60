"""Everything a service needs: settings, the unit of work, files, content, clock.

entry/bootstrap.py builds it once per process from the real parts; unit tests build one by hand
around fakes. Services take it as their first argument and never reach past it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.clock import utc_now
from core.config import Settings
from core.content.problems import ProblemBank
from core.content.rubrics import Rubric
from core.content.templates import TemplateLibrary
from core.file_store import FileStore
from core.job_queue import JobQueue, LedgerOnly
from core.llm.provider_health import ProviderHealth
from core.unit_of_work import UnitOfWork


@dataclass
class Workspace:
    settings: Settings
    uow_factory: Callable[[], UnitOfWork]
    files: FileStore
    problems: ProblemBank
    rubrics: dict[str, Rubric]
    templates: TemplateLibrary = field(default_factory=lambda: TemplateLibrary([]))
    clock: Callable[[], datetime] = field(default=utc_now)
    provider_health: ProviderHealth = field(default_factory=ProviderHealth)
    job_queue: JobQueue = field(default_factory=LedgerOnly)  # entry/job_queue.py gives the real one

    def rubric(self, rubric_id: str) -> Rubric:
        return self.rubrics[rubric_id]
