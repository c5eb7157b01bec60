"""Everything a service needs, built once at start: settings, storage, content, clock.

Pages cache one Workspace per process; the CLI and tests build their own. Building it is the
start-up guard: the database must answer and be migrated, content must load.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from core.clock import utc_now
from core.config import Settings
from core.debrief_settings import check_debrief
from core.problems import ProblemBank, load_problem_bank
from core.provider_health import ProviderHealth
from core.rubrics import Rubric, load_rubrics
from core.templates import TemplateLibrary, load_templates
from core.unit_of_work import UnitOfWork
from storage.database import check_database, make_engine
from storage.files import FileStore
from storage.migrate import upgrade
from storage.unit_of_work import make_uow_factory

log = logging.getLogger(__name__)


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

    def rubric(self, rubric_id: str) -> Rubric:
        return self.rubrics[rubric_id]


def build_workspace(settings: Settings, *, migrate: bool = True) -> Workspace:
    """Connect, migrate and load content; raises WorkspaceError subclasses with clear messages."""
    url = settings.effective_database_url
    engine = make_engine(url)
    check_database(engine)
    if migrate:
        upgrade(url)
    problems = load_problem_bank(settings.resolve(settings.problems_dir))
    rubrics = load_rubrics(settings.resolve(settings.rubrics_dir))
    templates = load_templates(settings.resolve(settings.templates_dir), rubrics=rubrics)
    check_debrief(settings.debrief, templates)
    log.info(
        "workspace ready",
        extra={"database": engine.url.render_as_string(hide_password=True), "problems": len(problems.all())},
    )
    return Workspace(
        settings=settings,
        uow_factory=make_uow_factory(engine),
        files=FileStore(settings.runtime_path),
        problems=problems,
        rubrics=rubrics,
        templates=templates,
    )
