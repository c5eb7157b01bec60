"""The repository methods privacy needs answer alike on the in-memory fake and on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.errors import NotFound
from core.models import DataRequest, DataRequestKind
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace
from storage.files import LocalFileStore
from tests.fakes import FakeUnitOfWork
from tests.integration.privacy.conftest import NOW
from tests.privacy_data import Person, fill_person

ANA = Person("cand-ana", "Ana Quintero", "Ana@Example.org", ("sess-a1", "sess-a2"))
BOB = Person("cand-bob", "Bob Marchetti", "bob@example.net", ("sess-b1",))

ONE_SESSION = {
    "sessions": 1,
    "messages": 1,
    "transcript_entries": 1,
    "whiteboard_snapshots": 1,
    "media_files": 1,
    "session_consents": 1,
    "evaluations": 1,
    "score_overrides": 1,
    "token_usage": 1,
    "answer_cache": 1,
    "bookings": 1,
    "session_interviewers": 1,
    "live_sessions": 1,
    "live_notes": 1,
    "scorecard_entries": 1,
    "recommendations": 1,
    "follow_up_tasks": 1,
    "outbox_messages": 1,
    "webhook_deliveries": 1,  # its attempts go with it (their foreign key)
}


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def filled(backend: str, request: pytest.FixtureRequest, privacy_content: Workspace, tmp_path: Path) -> Workspace:
    if backend == "fake":
        fake = FakeUnitOfWork()
        factory = lambda: fake  # noqa: E731 - the fake is reused across units of work
    else:
        factory = request.getfixturevalue("uow_factory")
    ws = replace(privacy_content, uow_factory=factory, files=LocalFileStore(tmp_path))
    fill_person(ws, ANA, at=NOW - timedelta(days=100))
    fill_person(ws, BOB, at=NOW)
    return ws


def test_a_session_is_deleted_with_everything_hanging_off_it(filled: Workspace) -> None:
    with filled.uow_factory() as uow:
        assert uow.sessions.ids_for_candidate(ANA.candidate_id) == ["sess-a1", "sess-a2"]
        assert uow.sessions.ids_created_before(NOW - timedelta(days=1)) == ["sess-a1", "sess-a2"]
        assert uow.sessions.ids_created_before(NOW - timedelta(days=1), limit=1) == ["sess-a1"]
        [told] = uow.webhook_deliveries.in_session("sess-a1")
        assert len(uow.delivery_attempts.for_delivery(told.id or 0)) == 1
        assert uow.sessions.delete("sess-a1") == ONE_SESSION
        with pytest.raises(NotFound):
            uow.sessions.delete("sess-a1")
        uow.commit()
    with filled.uow_factory() as uow:
        assert uow.sessions.ids_for_candidate(ANA.candidate_id) == ["sess-a2"]
        assert uow.messages.in_session("sess-a1") == [] and len(uow.messages.in_session("sess-a2")) == 1
        assert uow.bookings.for_session("sess-a1") is None
        assert (
            uow.webhook_deliveries.in_session("sess-a1") == []
            and uow.delivery_attempts.for_delivery(told.id or 0) == []
        )
        links = sorted((p.status, p.session_id or "-") for p in uow.pipeline.history(ANA.candidate_id))
        assert links == [("follow_up", "-"), ("next_round", "-"), ("next_round", "sess-a2")]  # SET NULL
        assert [e.session_id for e in uow.audit.latest(session_id="sess-a1")] == ["sess-a1"]  # no foreign key


def test_media_pictures_payloads_and_audit_entries_are_found_and_removed(filled: Workspace) -> None:
    cutoff = NOW - timedelta(days=90)
    with filled.uow_factory() as uow:
        media = uow.media.created_before(cutoff)
        pictures = uow.whiteboards.pictures_before(cutoff)
        assert [m.session_id for m in media] == [p.session_id for p in pictures] == ["sess-a1", "sess-a2"]
        assert [m.session_id for m in uow.media.created_before(cutoff, limit=1)] == ["sess-a1"]
        uow.media.delete(media[0].id or 0)
        uow.whiteboards.drop_picture(pictures[0].id or 0)
        found = uow.webhook_events.concerning(email=" ana@EXAMPLE.org", session_ids=[], booking_uids=[])
        assert [e.session_id for e in found] == ["sess-a1", "sess-a2"]
        by_uid = uow.webhook_events.concerning(email=None, session_ids=["sess-b1"], booking_uids=["uid-sess-a2"])
        assert [e.session_id for e in by_uid] == ["sess-a2", "sess-b1"]
        assert uow.webhook_events.concerning(email=None, session_ids=[], booking_uids=[]) == []
        assert uow.webhook_events.clear_payloads(received_before=cutoff) == 2
        assert uow.webhook_events.clear_payloads(received_before=cutoff) == 0  # already blank
        assert uow.audit.forget(session_ids=["sess-a1"], mentioning=ANA.candidate_id) == 2
        uow.commit()
    with filled.uow_factory() as uow:
        assert [m.session_id for m in uow.media.created_before(cutoff)] == ["sess-a2"]
        assert [p.session_id for p in uow.whiteboards.pictures_before(cutoff)] == ["sess-a2"]
        assert [e.payload is None for e in uow.webhook_events.latest()] == [False, True, True]
        assert sorted(e.session_id or "-" for e in uow.audit.latest()) == ["-", "sess-a2", "sess-b1"]
        assert [r.filename for r in uow.resumes.for_candidate(ANA.candidate_id)] == ["Ana Quintero CV.txt"]


def test_data_requests_are_listed_newest_first(filled: Workspace) -> None:
    uow: UnitOfWork
    with filled.uow_factory() as uow:
        first = uow.data_requests.add(DataRequest(kind=DataRequestKind.EXPORT, actor="a", subject="c1", created_at=NOW))
        later = DataRequest(kind=DataRequestKind.RETENTION, actor="system", counts={"sessions": 2}, created_at=NOW)
        second = uow.data_requests.add(replace(later, created_at=NOW + timedelta(hours=1)))
        uow.commit()
    with filled.uow_factory() as uow:
        assert uow.data_requests.latest() == [second, first]
        assert uow.data_requests.latest(limit=1) == [second]
        assert uow.data_requests.latest(kind=DataRequestKind.EXPORT) == [first]  # the older one, of its kind
        assert uow.data_requests.latest(kind=DataRequestKind.ERASE) == []
    assert second.counts == {"sessions": 2} and second.kind is DataRequestKind.RETENTION and second.id != first.id
