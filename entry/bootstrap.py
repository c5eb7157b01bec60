"""The one place that builds the workspace: settings, database, content, files.

Every way in — the Streamlit pages, the webhook route in server.py and the CLI — gets its
Workspace here, so one process has one database engine for a given configuration. Building it
is the start-up guard: the database must answer and be migrated, content must load; a failure
raises a WorkspaceError subclass with a message a person can act on and is not remembered, so
the next request tries again.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from core.config import Settings, load_settings, settings_stamp
from core.content.problems import load_problem_bank
from core.content.rubrics import load_rubrics
from core.content.templates import load_templates
from core.debrief.settings import check_debrief
from core.errors import DatabaseUnavailable
from core.job_queue import JobQueue, LedgerOnly
from core.logs import configure_logging
from core.workspace import Workspace
from entry.job_queue import HueyJobQueue, make_huey
from storage.database import check_database, make_engine
from storage.files import LocalFileStore
from storage.migrate import upgrade
from storage.unit_of_work import UNREACHABLE, make_uow_factory

log = logging.getLogger(__name__)

_lock = threading.Lock()
_built: dict[str, Workspace] = {}
_engines: dict[str, Engine] = {}


def build_workspace(
    settings: Settings, *, migrate: bool = True, engine: Engine | None = None, job_queue: JobQueue | None = None
) -> Workspace:
    """A new Workspace: connect, migrate and load content. Without `job_queue`, jobs wait for a worker's sweep."""
    url = settings.effective_database_url
    engine = engine or make_engine(url)
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
        files=LocalFileStore(settings.runtime_path),
        problems=problems,
        rubrics=rubrics,
        templates=templates,
        job_queue=job_queue or LedgerOnly(),
    )


_current: dict[tuple[object, ...], Workspace] = {}


def current_workspace() -> Workspace:
    """The process's Workspace for the settings as they are now (config.yaml and IW_* variables), built on
    first use; a failure is retried next time. Kept while the settings' sources are unchanged: reading and
    copying the settings for every webhook delivery took a quarter of the intake's time."""
    stamp = settings_stamp()
    workspace = _current.get(stamp)
    if workspace is None:
        workspace = shared_workspace(load_settings())
        _current.clear()
        _current[stamp] = workspace
    return workspace


def built_workspace() -> Workspace | None:
    """current_workspace() when it would answer at once (built for the settings as they are), else None:
    cheap enough for an event loop, which must not wait for a build."""
    return _current.get(settings_stamp())


def is_built(settings: Settings) -> bool:
    """Whether shared_workspace(settings) will answer at once (pages show a spinner otherwise)."""
    with _lock:
        return settings.model_dump_json() in _built


def shared_workspace(settings: Settings, *, background: bool = False) -> Workspace:
    """This process's Workspace for these settings, built (with logging set up) on first use.

    Keyed by the settings, so tests that point IW_* variables elsewhere get their own. `background`: this
    process is a job worker, whose writes give way to the servers' on SQLite (storage.database); the call
    that builds the workspace decides, so a worker passes it before anything else builds one.
    """
    key = settings.model_dump_json()
    with _lock:
        workspace = _built.get(key)
        if workspace is None:
            configure_logging(
                level=settings.log_level,
                log_dir=settings.log_dir,
                max_bytes=settings.log_max_bytes,
                backups=settings.log_backups,
            )
            engine = _engines.get(key) or make_engine(settings.effective_database_url, background=background)
            queue = HueyJobQueue(make_huey(settings), workspace=lambda: shared_workspace(settings))
            workspace = _built[key] = build_workspace(settings, engine=engine, job_queue=queue)
            _engines[key] = engine
        return workspace


def check_reachable(settings: Settings) -> None:
    """After start-up: raises DatabaseUnavailable (a message for a person) when the database does not answer.

    One quick SELECT 1 on the pooled engine, no retries: the page says so at once and tries again later.
    """
    with _lock:
        engine = _engines.get(settings.model_dump_json())
    if engine is None:
        return  # not built yet: shared_workspace's start-up guard reports it
    try:
        check_database(engine, attempts=1)
    except DatabaseUnavailable as exc:
        raise DatabaseUnavailable(UNREACHABLE) from exc
