"""A workspace over each backend's test database with a clock the test sets, and the people whose activity
the tests list: an admin, a candidate and an interviewer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.config import Settings
from core.models import Account, AccountRole
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.clock import Clock
from tests.integration.live_workspace import workspace_on

NOW = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def activity_content(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Problems and rubrics loaded once per run: loading them is most of a build."""
    return build_workspace(Settings(runtime_dir=tmp_path_factory.mktemp("content")))


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def ws(activity_content: Workspace, database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Workspace]:
    with workspace_on(activity_content, database_url, tmp_path / "runtime", clock) as workspace:
        yield workspace


@pytest.fixture
def people(ws: Workspace) -> dict[str, Account]:
    """Ada the admin, Ana a candidate, Ivan an interviewer (stored as they are, no audit entry for it)."""
    found = {
        "ada": Account(id="acc-ada", email="ada@example.com", name="Ada Admin", roles=[AccountRole.ADMIN]),
        "ana": Account(id="acc-ana", email="ana@example.com", name="Ana Candidate", roles=[AccountRole.CANDIDATE]),
        "ivan": Account(id="acc-ivan", email="ivan@example.com", name="Ivan", roles=[AccountRole.INTERVIEWER]),
    }
    with ws.uow_factory() as uow:
        for account in found.values():
            uow.accounts.add(account)
        uow.commit()
    return found
