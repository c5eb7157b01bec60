"""core.audit.record: the one way an audit entry is built."""

from __future__ import annotations

import logging
from typing import cast

import pytest

from core import audit
from core.models import AuditEntry
from core.unit_of_work import UnitOfWork


class _Audit:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def add(self, entry: AuditEntry) -> AuditEntry:
        self.entries.append(entry)
        return entry


class _Uow:
    def __init__(self) -> None:
        self.audit = _Audit()


def test_an_entry_carries_the_action_actor_session_and_detail_as_given() -> None:
    uow = _Uow()
    detail = {"from": "a", "to": "b"}
    audit.record(cast(UnitOfWork, uow), "stage_changed", actor="interviewer", session_id="s1", detail=detail)
    audit.record(cast(UnitOfWork, uow), "member_added", actor="admin")
    first, second = uow.audit.entries
    assert (first.action, first.actor, first.session_id, first.detail) == ("stage_changed", "interviewer", "s1", detail)
    assert first.detail is not detail, "the entry keeps its own copy"
    assert (second.session_id, second.detail, second.created_at) == (None, {}, None)  # the repository stamps the time


def test_a_logger_also_logs_the_action(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    logger = logging.getLogger("tests.audit")
    uow = cast(UnitOfWork, _Uow())
    audit.record(uow, "goal_marked", actor="interviewer", session_id="s1", detail={"goal": "g"}, logger=logger)
    audit.record(uow, "quiet", actor="system")
    assert [(r.name, r.getMessage()) for r in caplog.records] == [("tests.audit", "goal_marked")]
    assert (caplog.records[0].actor, caplog.records[0].detail) == ("interviewer", {"goal": "g"})
