"""The in-memory fake answers like the databases for the scheduling, interviewer-led, outbox and jobs repositories:
the same orders, filters, constraints and transaction behaviour, checked side by side on each backend.

Unit tests of the scheduling, live and debrief services run on the fake alone, so a difference found
here is a difference those tests would not see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, PendingRollbackError

from core.errors import AlreadyExists, NotFound
from core.models import (
    Account,
    ActivityQuery,
    AuditEntry,
    Booking,
    BookingStatus,
    Candidate,
    DeliveryAttempt,
    DeliveryStatus,
    Evaluation,
    EventType,
    FollowUpTask,
    HistoryQuery,
    Job,
    JobStatus,
    LiveNote,
    LiveSession,
    MemberRole,
    OutboxMessage,
    OutboxStatus,
    PipelineChange,
    RecommendationRecord,
    Resume,
    ResumeProfile,
    ScorecardEntry,
    ScoreOverride,
    Session,
    SessionConsent,
    SessionStatus,
    SortKey,
    TeamMember,
    TokenUsage,
    WebhookDelivery,
    WebhookEvent,
    WebhookRefusal,
    WebhookSubscription,
)
from core.unit_of_work import UnitOfWork
from tests.fakes import FakeIntegrityError, FakePendingRollback, FakeUnitOfWork

Factory = Callable[[], UnitOfWork]
T0 = datetime(2030, 6, 4, 10, 0, tzinfo=UTC)
ROME = timezone(timedelta(hours=2))
REFUSED = (IntegrityError, FakeIntegrityError)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def factory(backend: str, request: pytest.FixtureRequest) -> Factory:
    if backend == "fake":
        fake = FakeUnitOfWork()
        return lambda: fake
    sql: Factory = request.getfixturevalue("uow_factory")
    return sql


def member(key: str, name: str, *, active: bool = True, email: str | None = None) -> TeamMember:
    return TeamMember(id=key, name=name, email=email or f"{key}@example.com", active=active)


def booking(key: str, session_id: str, start: datetime, minutes: int = 30, **extra: object) -> Booking:
    return Booking(
        id=key, session_id=session_id, source="local", ical_uid=f"{key}@iw", start_at=start,
        end_at=start + timedelta(minutes=minutes), attendee_name="Grace", attendee_email="grace@example.com",
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def with_sessions(factory: Factory, *session_ids: str) -> None:
    with factory() as uow:
        uow.candidates.add(Candidate(id="c1", name="Ana Rossi", created_at=T0))
        for session_id in session_ids:
            uow.sessions.add(Session(id=session_id, problem_id="url_shortener", candidate_id="c1", created_at=T0))
        uow.commit()


def test_team_members_by_name_by_email_and_unique_emails(factory: Factory) -> None:
    with factory() as uow:
        stored = uow.team_members.add(
            TeamMember(id="m1", name="Zoe", email="zoe@example.com", role=MemberRole.RECRUITER, created_at=T0)
        )
        uow.team_members.add(member("m2", "Ana", email="Ana@Example.com"))
        uow.team_members.add(member("m3", "Mia", active=False))
        uow.commit()
    assert stored.role is MemberRole.RECRUITER and stored.created_at == T0
    with factory() as uow:
        assert [m.name for m in uow.team_members.all()] == ["Ana", "Zoe"]
        assert [m.name for m in uow.team_members.all(active_only=False)] == ["Ana", "Mia", "Zoe"]
        found = uow.team_members.by_email("  ANA@example.COM ")
        assert found is not None and found.id == "m2"
        assert uow.team_members.by_email("nobody@example.com") is None
        with pytest.raises(NotFound, match="No team member ghost"):
            uow.team_members.update(member("ghost", "Ghost"))
    with pytest.raises(REFUSED), factory() as uow:
        uow.team_members.add(member("m4", "Zoe again", email="zoe@example.com"))
    with factory() as uow:
        uow.team_members.add(member("m5", "Ana, other case", email="ana@example.com"))  # stored as typed: not equal
        uow.commit()


def test_event_types_by_title_and_by_calcom_id(factory: Factory) -> None:
    with factory() as uow:
        uow.event_types.add(EventType(id="e1", title="System design", calcom_event_type_id=101))
        uow.event_types.add(EventType(id="e2", title="Customer discovery"))
        uow.commit()
    with factory() as uow:
        assert [e.id for e in uow.event_types.all()] == ["e2", "e1"]
        assert uow.event_types.by_calcom_id(101).id == "e1"  # type: ignore[union-attr]
        assert uow.event_types.by_calcom_id(999) is None
        assert uow.event_types.get("e1").created_at is not None


def test_bookings_overlap_order_busy_times_and_constraints(factory: Factory) -> None:
    with_sessions(factory, "s1", "s2", "s3")
    with factory() as uow:
        uow.team_members.add(member("ana", "Ana"))
        uow.team_members.add(member("ben", "Ben"))
        late = uow.bookings.add(booking("b-late", "s1", T0 + timedelta(hours=2), guests=["x@example.com"]))
        uow.bookings.add(booking("b-early", "s2", (T0 + timedelta(minutes=30)).astimezone(ROME), external_uid="u2"))
        uow.bookings.add(booking("b-gone", "s3", T0 + timedelta(hours=1), status=BookingStatus.CANCELLED))
        uow.session_interviewers.set("s1", ["ben", "ana", "ben"])
        uow.session_interviewers.set("s2", ["ana"])
        uow.session_interviewers.set("s3", ["ana"])
        uow.commit()
    assert late.guests == ["x@example.com"]
    window = (T0, T0 + timedelta(hours=3))
    with factory() as uow:
        early = uow.bookings.get("b-early")
        assert early.start_at == T0 + timedelta(minutes=30) and early.start_at.tzinfo == UTC
        assert [b.id for b in uow.bookings.between(*window)] == ["b-early", "b-late"]
        assert [b.id for b in uow.bookings.between(*window, include_cancelled=True)] == ["b-early", "b-gone", "b-late"]
        assert uow.bookings.between(T0 + timedelta(hours=2, minutes=30), T0 + timedelta(hours=3)) == []  # half-open
        assert [b.id for b in uow.bookings.all()] == ["b-early", "b-gone", "b-late"]
        assert sorted(uow.bookings.member_busy(["ana"], *window)) == [
            ("ana", T0 + timedelta(minutes=30), T0 + timedelta(hours=1)),
            ("ana", T0 + timedelta(hours=2), T0 + timedelta(hours=2, minutes=30)),
        ]
        assert uow.bookings.member_busy([], *window) == []
        assert sorted(uow.session_interviewers.for_session("s1")) == ["ana", "ben"]  # no ORDER BY in storage
        assert uow.bookings.for_session("s2").id == "b-early"  # type: ignore[union-attr]
        assert uow.bookings.by_external_uid("u2").id == "b-early"  # type: ignore[union-attr]
        assert uow.bookings.by_ical_uid("b-late@iw").id == "b-late"  # type: ignore[union-attr]
        assert uow.bookings.for_session("nowhere") is None
    for refused in (
        booking("b-twice", "s1", T0),  # a second booking of s1
        booking("b-uid", "s3", T0, external_uid="u2"),  # u2 is taken
        booking("b-orphan", "no-such-session", T0),
    ):
        with pytest.raises(REFUSED), factory() as uow:
            uow.bookings.add(refused)
    with pytest.raises(REFUSED), factory() as uow:
        uow.session_interviewers.set("s1", ["nobody"])
    with pytest.raises(NotFound, match="No booking ghost"), factory() as uow:
        uow.bookings.update(booking("ghost", "s1", T0))


def test_a_naive_datetime_is_refused(factory: Factory) -> None:
    with_sessions(factory, "s1")
    with pytest.raises(Exception, match="naive datetime"), factory() as uow:
        uow.bookings.add(booking("b1", "s1", datetime(2030, 6, 4, 10)))
    with factory() as uow:
        assert uow.bookings.all() == []


def test_webhook_events_dedupe_order_and_counts(factory: Factory) -> None:
    def event(key: str | None, status: str, minute: int, uid: str | None = None) -> WebhookEvent:
        return WebhookEvent(
            source="calcom", body_sha256="0" * 64, status=status, dedupe_key=key, booking_uid=uid,
            payload={"n": (1, 2)}, received_at=T0 + timedelta(minutes=minute),
        )  # fmt: skip

    with factory() as uow:
        first = uow.webhook_events.add(event("k1", "received", 2, uid="u1"))
        uow.webhook_events.add(event(None, "rejected", 0))
        uow.webhook_events.add(event(None, "rejected", 1))
        uow.webhook_events.add(event("k2", "received", 1, uid="u2"))
        uow.commit()
    assert first.id is not None
    with pytest.raises(AlreadyExists, match="Webhook event k1 is already stored"), factory() as uow:
        uow.webhook_events.add(event("k1", "received", 3))
    with factory() as uow:
        assert uow.webhook_events.get(first.id).payload == {"n": [1, 2]}  # stored as JSON
        assert [e.received_at for e in uow.webhook_events.latest(limit=2)] == [
            T0 + timedelta(minutes=2),
            T0 + timedelta(minutes=1),
        ]
        assert [e.dedupe_key for e in uow.webhook_events.waiting()] == ["k2", "k1"]
        assert [e.dedupe_key for e in uow.webhook_events.latest(statuses=["received"])] == ["k1", "k2"]
        assert [e.booking_uid for e in uow.webhook_events.for_booking(["u1", "u2"])] == ["u2", "u1"]
        assert uow.webhook_events.for_booking([]) == []
        assert uow.webhook_events.counts() == {"received": 2, "rejected": 2}
        assert uow.webhook_events.by_dedupe_key("k2").status == "received"  # type: ignore[union-attr]
        with pytest.raises(NotFound, match="No webhook event 99999"):
            uow.webhook_events.get(99999)


def test_webhook_events_stored_as_a_batch_keep_their_order_and_are_found_by_key(factory: Factory) -> None:
    def event(key: str | None, minute: int) -> WebhookEvent:
        return WebhookEvent(source="calcom", body_sha256="0" * 64, status="received", dedupe_key=key,
                            received_at=T0 + timedelta(minutes=minute))  # fmt: skip

    with factory() as uow:
        stored = uow.webhook_events.add_all([event("a", 0), event(None, 1), event("b", 2)])
        uow.commit()
    assert [e.dedupe_key for e in stored] == ["a", None, "b"]
    ids = [e.id or 0 for e in stored]
    assert ids == sorted(ids) and len(set(ids)) == 3
    with factory() as uow:
        assert uow.webhook_events.ids_by_dedupe_key(["b", "a", "missing"]) == {"a": ids[0], "b": ids[2]}
        assert uow.webhook_events.ids_by_dedupe_key([]) == {}
    with pytest.raises(AlreadyExists), factory() as uow:
        uow.webhook_events.add_all([event("c", 3), event("a", 4)])
    with factory() as uow:
        assert uow.webhook_events.by_dedupe_key("c") is None  # the batch was not stored in part


def test_the_newest_delivery_time_is_known_in_utc(factory: Factory) -> None:
    with factory() as uow:
        assert uow.webhook_events.last_received_at() is None
        paris = timezone(timedelta(hours=1))
        for minute in (5, 9, 2):
            received = (T0 + timedelta(minutes=minute)).astimezone(paris)
            uow.webhook_events.add(
                WebhookEvent(source="calcom", body_sha256="0" * 64, status="received", received_at=received)
            )
        uow.commit()
    with factory() as uow:
        newest = uow.webhook_events.last_received_at()
        assert newest == T0 + timedelta(minutes=9) and newest is not None and newest.tzinfo == UTC


def test_webhook_retries_are_waiting_only_once_due_and_refusals_are_counted(factory: Factory) -> None:
    with factory() as uow:
        due = uow.webhook_events.add(
            WebhookEvent(source="calcom", body_sha256="1" * 64, status="retry", received_at=T0,
                         attempts=1, next_attempt_at=T0 + timedelta(seconds=30))
        )  # fmt: skip
        uow.webhook_events.add(WebhookEvent(source="calcom", body_sha256="2" * 64, status="received", received_at=T0))
        for minute in (0, 1):
            uow.webhook_refusals.count(
                WebhookRefusal(source="calcom", status_code=401, reason="forged", hour="2030-06-04T10", count=1,
                               first_at=T0 + timedelta(minutes=minute), last_at=T0 + timedelta(minutes=minute))
            )  # fmt: skip
        uow.commit()
    with factory() as uow:
        assert [e.body_sha256[0] for e in uow.webhook_events.waiting()] == ["2"]
        assert [e.body_sha256[0] for e in uow.webhook_events.waiting(due_by=T0)] == ["2"]
        assert [e.id for e in uow.webhook_events.waiting(due_by=T0 + timedelta(seconds=30), received_before=T0)] == [
            due.id
        ]
        [refusal] = uow.webhook_refusals.latest()
        assert (refusal.count, refusal.first_at, refusal.last_at) == (2, T0, T0 + timedelta(minutes=1))
        assert uow.webhook_refusals.total() == 2
        assert uow.webhook_refusals.prune(before=T0) == 0
        assert uow.webhook_refusals.prune(before=T0 + timedelta(hours=1)) == 1
        assert uow.webhook_refusals.total() == 0


def test_live_sessions_and_notes(factory: Factory) -> None:
    with_sessions(factory, "s1")
    with factory() as uow:
        live = uow.live_sessions.add(
            LiveSession(session_id="s1", template_id="t", template_version="1", stage="a", goal_marks={"g": True})
        )
        first = uow.notes.add(LiveNote(session_id="s1", text="later", at_seconds=90.0))
        uow.notes.add(LiveNote(session_id="s1", text="earlier", at_seconds=30.0))
        old_draft = uow.notes.add(LiveNote(session_id="s1", text="d1", at_seconds=10.0, draft=True))
        new_draft = uow.notes.add(LiveNote(session_id="s1", text="d2", at_seconds=95.0, draft=True))
        uow.commit()
    assert live.created_at is not None and live.updated_at is not None and first.id is not None
    with factory() as uow:
        assert [n.text for n in uow.notes.in_session("s1")] == ["earlier", "later"]
        assert [n.text for n in uow.notes.in_session("s1", include_drafts=True)] == ["d1", "earlier", "later", "d2"]
        assert uow.notes.draft_for("s1", "interviewer") == new_draft != old_draft
        assert uow.notes.draft_for("s1", "observer") is None
        uow.notes.delete(first.id)
        uow.notes.delete(first.id)  # gone already: nothing happens
        live.stage = "b"
        updated = uow.live_sessions.update(live)
        uow.commit()
    assert updated.updated_at is not None and live.updated_at is not None and updated.updated_at > live.updated_at
    with factory() as uow:
        with pytest.raises(NotFound, match=f"No note {first.id}"):
            uow.notes.get(first.id)
        assert uow.live_sessions.for_session("s1").stage == "b"  # type: ignore[union-attr]
        assert uow.live_sessions.for_session("nowhere") is None
        with pytest.raises(NotFound, match="No live session nowhere"):
            uow.live_sessions.update(
                LiveSession(session_id="nowhere", template_id="t", template_version="1", stage="a")
            )
    with pytest.raises(REFUSED), factory() as uow:
        uow.live_sessions.add(LiveSession(session_id="s1", template_id="t", template_version="1", stage="a"))


def test_consents_and_withdrawals_are_kept_per_session_oldest_first_and_go_with_their_session(factory: Factory) -> None:
    with_sessions(factory, "s1", "s2")
    with factory() as uow:
        later = uow.consents.add(
            SessionConsent("s1", "candidate", ["camera"], "1/media-90d/records-730d", T0 + timedelta(minutes=5))
        )
        first = uow.consents.add(
            SessionConsent(
                "s1", "interviewer", ["audio", "screen"], "1", T0.astimezone(ROME), confirmed_for="candidate"
            )
        )
        uow.consents.add(SessionConsent("s2", "candidate", ["audio"], "1", T0))
        withdrawal = uow.consents.add(
            SessionConsent("s1", "candidate", ["camera"], "2", T0 + timedelta(minutes=9), withdrawn=True)
        )
        uow.commit()
    assert first.id is not None and later.id is not None and first.given_at.tzinfo == UTC
    assert not first.withdrawn and withdrawal.withdrawn  # a withdrawal is a row of the log like a consent
    with factory() as uow:
        assert uow.consents.in_session("s1") == [first, later, withdrawal]
        assert uow.consents.in_session("missing") == []
    with pytest.raises(REFUSED), factory() as uow:
        uow.consents.add(SessionConsent("missing", "candidate", ["audio"], "1", T0))


def test_debrief_records_are_oldest_first_and_tasks_soonest_due(factory: Factory) -> None:
    with_sessions(factory, "s1")
    with factory() as uow:
        for minute, score in ((2, 4.0), (1, 3.0)):
            uow.scorecards.add(
                ScorecardEntry(session_id="s1", competency="c", score=score, evidence="e", set_by="ana",
                               created_at=T0 + timedelta(minutes=minute))
            )  # fmt: skip
            uow.recommendations.add(
                RecommendationRecord(session_id="s1", key=f"k{minute}", confidence=0.5, source="computed", actor="ana",
                                     basis={"scores": (score,)}, created_at=T0 + timedelta(minutes=minute))
            )  # fmt: skip
            uow.pipeline.add(
                PipelineChange(candidate_id="c1", status=f"p{minute}", source="manual", actor="ana",
                               created_at=T0 + timedelta(minutes=minute))
            )  # fmt: skip
        for key, due, status in (
            ("t1", date(2030, 6, 9), "open"),
            ("t2", date(2030, 6, 5), "done"),
            ("t3", date(2030, 6, 7), "open"),
        ):
            uow.follow_ups.add(FollowUpTask(id=key, session_id="s1", title=key, owner="ana", due_on=due, status=status))
        uow.commit()
    with factory() as uow:
        assert [e.score for e in uow.scorecards.in_session("s1")] == [3.0, 4.0]
        assert [(r.key, r.basis) for r in uow.recommendations.in_session("s1")] == [
            ("k1", {"scores": [3.0]}),
            ("k2", {"scores": [4.0]}),
        ]
        assert [c.status for c in uow.pipeline.history("c1")] == ["p1", "p2"]
        assert [t.id for t in uow.follow_ups.in_session("s1")] == ["t2", "t3", "t1"]
        assert [t.id for t in uow.follow_ups.open_tasks()] == ["t3", "t1"]
        assert [t.id for t in uow.follow_ups.open_tasks(limit=1)] == ["t3"]
        task = uow.follow_ups.get("t1")
        task.status = "done"
        assert uow.follow_ups.update(task).status == "done"
        with pytest.raises(NotFound, match="No follow-up task nope"):
            uow.follow_ups.get("nope")
    with factory() as uow:
        assert uow.follow_ups.get("t1").status == "open"  # never committed
    with pytest.raises(REFUSED), factory() as uow:
        uow.pipeline.add(PipelineChange(candidate_id="nobody", status="new", source="manual", actor="ana"))
    with pytest.raises(REFUSED), factory() as uow:
        uow.scorecards.add(ScorecardEntry(session_id="nowhere", competency="c", score=3, evidence="e", set_by="a"))


def test_changes_without_commit_vanish_from_every_new_repository(factory: Factory) -> None:
    with_sessions(factory, "s1")
    with factory() as uow:
        uow.team_members.add(member("m1", "Ana"))
        uow.event_types.add(EventType(id="e1", title="Pairing"))
        uow.bookings.add(booking("b1", "s1", T0))
        uow.live_sessions.add(LiveSession(session_id="s1", template_id="t", template_version="1", stage="a"))
        uow.notes.add(LiveNote(session_id="s1", text="n", at_seconds=1.0))
        uow.webhook_events.add(WebhookEvent(source="calcom", body_sha256="0" * 64, status="received"))
    with factory() as uow:
        assert uow.team_members.all(active_only=False) == [] and uow.event_types.all() == []
        assert uow.bookings.all() == [] and uow.live_sessions.for_session("s1") is None
        assert uow.notes.in_session("s1", include_drafts=True) == [] and uow.webhook_events.counts() == {}


def test_after_a_refused_write_the_unit_of_work_can_only_roll_back(factory: Factory) -> None:
    with_sessions(factory, "s1")
    with factory() as uow:
        uow.bookings.add(booking("b1", "s1", T0))
        with pytest.raises(REFUSED):
            uow.bookings.add(booking("b2", "no-such-session", T0))
        with pytest.raises((PendingRollbackError, FakePendingRollback)):
            uow.bookings.all()
        uow.rollback()
        assert uow.bookings.all() == []  # b1 went with the failed transaction
        uow.bookings.add(booking("b3", "s1", T0))
        uow.commit()
    with factory() as uow:
        assert [b.id for b in uow.bookings.all()] == ["b3"]


def test_score_overrides_across_sessions_list_oldest_first(factory: Factory) -> None:
    """Calibration reads every override at once: by time (whatever zone it was given in), then as added."""
    with_sessions(factory, "s1", "s2")

    def adjusted(session_id: str, competency: str, score: float, at: datetime) -> ScoreOverride:
        return ScoreOverride(session_id, competency, 3.0, score, "Re-read the evidence.", "Dana", created_at=at)

    with factory() as uow:
        assert uow.score_overrides.all() == []
        uow.score_overrides.add(adjusted("s2", "estimation", 2.0, T0 + timedelta(minutes=5)))
        uow.score_overrides.add(adjusted("s1", "estimation", 4.0, (T0 + timedelta(minutes=10)).astimezone(ROME)))
        uow.score_overrides.add(adjusted("s1", "requirements", 3.5, T0))
        # the same time as s2's estimation: listed after it, as added
        uow.score_overrides.add(adjusted("s2", "requirements", 2.5, T0 + timedelta(minutes=5)))
        uow.commit()
    with factory() as uow:
        listed = uow.score_overrides.all()
        assert [(o.session_id, o.competency, o.new_score) for o in listed] == [
            ("s1", "requirements", 3.5),
            ("s2", "estimation", 2.0),
            ("s2", "requirements", 2.5),
            ("s1", "estimation", 4.0),
        ]
        assert listed[-1].created_at == T0 + timedelta(minutes=10)
        assert [o.new_score for o in uow.score_overrides.in_session("s1")] == [3.5, 4.0]


def test_history_sorts_and_filters_by_the_score_each_evaluation_stored(factory: Factory) -> None:
    """The score History reads is the evaluation's, from the moment it is stored (storage keeps a copy on the
    session's row), also when the session is written back in the same unit of work, and it leaves with it."""
    with_sessions(factory, "s1", "s2", "s3", "s4")

    def by_score(**query: object) -> list[tuple[str, float | None]]:
        with factory() as uow:
            found = uow.sessions.search(HistoryQuery(sort=SortKey.SCORE, **query))  # type: ignore[arg-type]
            return [(s.id, s.overall_score) for s in found]

    def counted(**query: object) -> int:
        with factory() as uow:
            return uow.sessions.count_matching(HistoryQuery(**query))  # type: ignore[arg-type]

    with factory() as uow:
        uow.evaluations.add(Evaluation("s2", 4.5, []))
        uow.evaluations.add(Evaluation("s3", None, [], notes=["Not enough to judge"]))
        uow.commit()
    with factory() as uow:  # as end_interview does: the session is updated after its evaluation is stored
        session = uow.sessions.get("s1")
        uow.evaluations.add(Evaluation("s1", 2.5, []))
        uow.sessions.update(replace(session, status=SessionStatus.COMPLETED))
        uow.commit()
    # unscored (no evaluation, or the quality gate's refusal) last both ways; ties newest first: by id here
    assert by_score() == [("s2", 4.5), ("s1", 2.5), ("s4", None), ("s3", None)]
    assert by_score(descending=False) == [("s1", 2.5), ("s2", 4.5), ("s4", None), ("s3", None)]
    assert by_score(score_min=2.0, score_max=3.0) == [("s1", 2.5)] and counted(score_min=2.0, score_max=3.0) == 1
    assert by_score(page=2, page_size=3) == [("s3", None)]
    assert by_score(page=2, page_size=2) == [("s4", None), ("s3", None)]
    with factory() as uow:
        uow.sessions.delete("s2")
        uow.commit()
    assert by_score() == [("s1", 2.5), ("s4", None), ("s3", None)]
    assert by_score(score_min=4.0) == [] and counted(score_min=0.0) == 1


def test_candidates_one_per_email_update_reassign_and_delete(factory: Factory) -> None:
    """One person, one record: the email key is unique in any spelling; a merge moves what names a
    candidate (sessions, resumes, pipeline changes) and deletes the other record."""
    with factory() as uow:
        uow.candidates.add(Candidate(id="c1", name="Ana", email=" Ana@Example.com", created_at=T0))
        uow.candidates.add(Candidate(id="c2", name="Ana R", email="other@example.com", created_at=T0))
        uow.candidates.add(Candidate(id="c3", name="No mail", created_at=T0))
        uow.candidates.add(Candidate(id="c4", name="No mail either", email="  ", created_at=T0))
        uow.sessions.add(Session(id="s1", problem_id="url_shortener", candidate_id="c2", created_at=T0))
        uow.sessions.add(Session(id="s2", problem_id="url_shortener", candidate_id="c1", created_at=T0))
        uow.resumes.add(Resume("r1", "c2", "cv.txt", "text/plain", 2, "cv", ResumeProfile(), created_at=T0))
        uow.pipeline.add(PipelineChange("c2", "next_round", "manual", "Zoe", created_at=T0))
        uow.commit()
    with factory() as uow:
        found = uow.candidates.by_email("ana@EXAMPLE.com  ")
        assert found is not None and found.id == "c1"
        assert uow.candidates.by_email("   ") is None
        assert uow.candidates.by_email("nobody@example.com") is None
        renamed = uow.candidates.update(Candidate(id="c1", name="Ana Rossi", email="ana@example.com", created_at=T0))
        assert (renamed.name, renamed.email) == ("Ana Rossi", "ana@example.com")
        uow.commit()
    with factory() as uow, pytest.raises(NotFound):
        uow.candidates.update(Candidate(id="ghost", name="Nobody"))
    with factory() as uow:
        assert uow.candidates.reassign("c2", to_id="c1") == {"pipeline_changes": 1, "resumes": 1, "sessions": 1}
        assert uow.candidates.reassign("c2", to_id="c1") == {}
        uow.candidates.delete("c2")
        uow.commit()
    with factory() as uow:
        assert sorted(c.id for c in uow.candidates.all()) == ["c1", "c3", "c4"]
        assert uow.sessions.get("s1").candidate_id == "c1"
        resume = uow.resumes.latest_for_candidate("c1")
        assert resume is not None and resume.id == "r1"
        assert [c.status for c in uow.pipeline.history("c1")] == ["next_round"]
        with pytest.raises(NotFound):
            uow.candidates.delete("c2")


@pytest.mark.parametrize("email", ["ANA@example.com", " ana@example.com "])
def test_a_second_candidate_with_the_same_email_is_refused(factory: Factory, email: str) -> None:
    with factory() as uow:
        uow.candidates.add(Candidate(id="c1", name="Ana", email="ana@example.com", created_at=T0))
        uow.candidates.add(Candidate(id="c2", name="Bo", email="bo@example.com", created_at=T0))
        uow.commit()
    with factory() as uow, pytest.raises(REFUSED):
        uow.candidates.add(Candidate(id="c3", name="Ana again", email=email, created_at=T0))
    with factory() as uow, pytest.raises(REFUSED):
        uow.candidates.update(Candidate(id="c2", name="Bo", email=email, created_at=T0))


def test_the_outbox_lists_newest_first_finds_waiting_oldest_first_counts_and_goes_with_its_session(
    factory: Factory,
) -> None:
    with_sessions(factory, "s1", "s2")
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    with factory() as uow:
        first = uow.outbox.add(OutboxMessage("follow_up", "a@example.com", "A", "a", session_id="s1", created_at=T0))
        second = uow.outbox.add(
            OutboxMessage(
                "booking_update", "b@example.com", "B", "b", attachment=ics, session_id="s2",
                status=OutboxStatus.WAITING, created_at=T0 + timedelta(minutes=1),
            )
        )  # fmt: skip
        third = uow.outbox.add(
            OutboxMessage(
                "follow_up", "c@example.com", "C", "c", session_id="s1", status=OutboxStatus.WAITING,
                created_at=T0 + timedelta(minutes=2),
            )
        )  # fmt: skip
        uow.commit()
    with factory() as uow:
        assert [m.id for m in uow.outbox.latest()] == [third.id, second.id, first.id]
        assert [m.id for m in uow.outbox.latest(limit=1, statuses=[OutboxStatus.QUEUED])] == [first.id]
        assert [m.id for m in uow.outbox.waiting()] == [second.id, third.id]
        assert [m.id for m in uow.outbox.in_session("s1")] == [first.id, third.id]
        assert uow.outbox.counts() == {"queued": 1, "waiting": 2}
        stored = uow.outbox.get(second.id or 0)
        assert (stored.attachment, stored.status, stored.created_at) == (
            ics,
            OutboxStatus.WAITING,
            T0 + timedelta(minutes=1),
        )
        stored.status, stored.sent_at, stored.attempts = OutboxStatus.SENT, T0, 1
        uow.outbox.update(stored)
        uow.sessions.delete("s1")
        uow.commit()
    with factory() as uow:
        assert [m.id for m in uow.outbox.latest()] == [second.id]
        assert uow.outbox.get(second.id or 0).status is OutboxStatus.SENT
        with pytest.raises(NotFound):
            uow.outbox.get(first.id or 0)
    with pytest.raises(REFUSED), factory() as uow:
        uow.outbox.add(OutboxMessage("follow_up", "d@example.com", "D", "d", session_id="ghost"))


def test_the_activity_log_filters_pages_counts_and_prunes_alike(factory: Factory) -> None:
    with factory() as uow:
        for minute, (action, actor) in enumerate(
            [("signed_in", "account:a"), ("email_sent", "system"), ("score_overridden", "account:b")] * 3
        ):
            uow.audit.add(AuditEntry(action, actor, None, {"n": minute}, created_at=T0 + timedelta(minutes=minute)))
        uow.commit()
    with factory() as uow:
        everything = ActivityQuery()
        assert uow.audit.count(everything) == 9
        assert [e.detail["n"] for e in uow.audit.search(everything, limit=4, offset=2)] == [6, 5, 4, 3]
        assert [e.detail["n"] for e in uow.audit.search(ActivityQuery(actor="account:a"), limit=10)] == [6, 3, 0]
        kept = ActivityQuery(actions=("email_sent", "signed_in"), since=T0 + timedelta(minutes=1))
        assert [e.detail["n"] for e in uow.audit.search(kept, limit=10)] == [7, 6, 4, 3, 1]
        others = ActivityQuery(other_than=("email_sent", "signed_in"), until=T0 + timedelta(minutes=6))
        assert [e.action for e in uow.audit.search(others, limit=10)] == ["score_overridden"] * 2
        assert uow.audit.count(others) == 2
        assert uow.audit.search(ActivityQuery(actions=()), limit=10) == []
    with factory() as uow:
        assert uow.audit.delete_before(T0 + timedelta(minutes=5), limit=3) == 3  # the oldest three
        uow.commit()
    with factory() as uow:
        assert [e.detail["n"] for e in uow.audit.search(ActivityQuery(), limit=10)] == [8, 7, 6, 5, 4, 3]
        assert uow.audit.delete_before(T0 + timedelta(minutes=5), limit=3) == 2
        uow.commit()


def test_token_usage_is_summed_by_month_and_by_owner_alike(factory: Factory) -> None:
    with factory() as uow:
        uow.accounts.add(Account(id="a1", email="ana@example.com", name="Ana"))
        uow.commit()
    with factory() as uow:
        for session_id, owner in (("s1", "a1"), ("s2", None)):
            uow.sessions.add(Session(id=session_id, problem_id="url_shortener", owner_id=owner, created_at=T0))
        for session_id, cost, at in (
            ("s1", 1.5, T0),
            ("s1", 2.0, T0 + timedelta(days=30)),  # next month
            ("s2", 0.25, T0 + timedelta(hours=1)),
        ):
            uow.token_usage.add(
                TokenUsage(session_id, "openai", "gpt", "question_generation", 1, 1, cost, 1, created_at=at)
            )
        uow.commit()
    june, july = datetime(2030, 6, 1, tzinfo=UTC), datetime(2030, 7, 1, tzinfo=UTC)
    with factory() as uow:
        assert uow.token_usage.cost_between(june, july) == pytest.approx(1.75)
        assert uow.token_usage.cost_between(june, july, owner_id="a1") == pytest.approx(1.5)
        assert uow.token_usage.cost_between(june, july, owner_id="nobody") == 0.0
        assert uow.token_usage.cost_by_owner(june, july) == {"a1": pytest.approx(1.5), None: pytest.approx(0.25)}
        assert uow.token_usage.cost_between(july, datetime(2030, 8, 1, tzinfo=UTC)) == pytest.approx(2.0)


def test_outgoing_webhooks_list_in_order_refuse_a_second_delivery_of_a_message_and_cascade(factory: Factory) -> None:
    with_sessions(factory, "s1", "s2")
    with factory() as uow:
        ats = uow.webhook_subscriptions.add(
            WebhookSubscription("ats", "https://ats.example.com/h", ["booking.created"], "whsec_QQ==", created_at=T0)
        )
        crm = uow.webhook_subscriptions.add(
            WebhookSubscription(
                "crm", "https://crm.example.com/h", ["booking.created", "interview.completed"], "whsec_Qg==",
                enabled=False, created_at=T0 + timedelta(minutes=1),
            )
        )  # fmt: skip
        first = uow.webhook_deliveries.add(
            WebhookDelivery("ats", "msg_a", "booking.created", "{}", session_id="s1", created_at=T0)
        )
        second = uow.webhook_deliveries.add(
            WebhookDelivery(
                "crm", "msg_a", "booking.created", "{}", session_id="s2", status=DeliveryStatus.RETRYING,
                retry_until=T0 + timedelta(days=1), created_at=T0 + timedelta(minutes=1),
            )
        )  # fmt: skip
        third = uow.webhook_deliveries.add(
            WebhookDelivery(
                "ats", "msg_b", "booking.created", "{}", session_id="s2", created_at=T0 + timedelta(minutes=2)
            )
        )
        for seconds, status in ((0, 500), (5, 204)):
            uow.delivery_attempts.add(DeliveryAttempt(third.id or 0, T0 + timedelta(seconds=seconds), 9, status, ""))
        uow.delivery_attempts.add(DeliveryAttempt(first.id or 0, T0, 3, None, "Could not connect"))
        uow.commit()
    with factory() as uow:
        assert [s.id for s in uow.webhook_subscriptions.all()] == [ats.id, crm.id]
        assert [s.id for s in uow.webhook_subscriptions.enabled()] == [ats.id]
        assert uow.webhook_subscriptions.get("crm").events == ["booking.created", "interview.completed"]
        assert [d.id for d in uow.webhook_deliveries.latest()] == [third.id, second.id, first.id]
        assert [d.id for d in uow.webhook_deliveries.latest(subscription_id="ats", limit=1)] == [third.id]
        assert [d.id for d in uow.webhook_deliveries.latest(statuses=[DeliveryStatus.RETRYING])] == [second.id]
        assert [d.id for d in uow.webhook_deliveries.in_session("s2")] == [second.id, third.id]
        assert uow.webhook_deliveries.counts() == {"queued": 2, "retrying": 1}
        assert [a.status_code for a in uow.delivery_attempts.for_delivery(third.id or 0)] == [500, 204]
        assert uow.webhook_deliveries.get(second.id or 0).retry_until == T0 + timedelta(days=1)
    with pytest.raises(AlreadyExists), factory() as uow:  # one delivery per message and subscription
        uow.webhook_deliveries.add(WebhookDelivery("ats", "msg_a", "booking.created", "{}"))
    with pytest.raises(REFUSED), factory() as uow:
        uow.webhook_deliveries.add(WebhookDelivery("ghost", "msg_c", "booking.created", "{}"))
    with factory() as uow:
        uow.sessions.delete("s1")  # first goes, with its attempt
        uow.webhook_subscriptions.delete("crm")  # second goes with its subscription
        uow.commit()
    with factory() as uow:
        assert [d.id for d in uow.webhook_deliveries.latest()] == [third.id]
        assert uow.delivery_attempts.for_delivery(first.id or 0) == []
        assert len(uow.delivery_attempts.for_delivery(third.id or 0)) == 2
        with pytest.raises(NotFound):
            uow.webhook_subscriptions.get("crm")


def test_a_bookings_emails_are_found_by_kind_with_when_they_are_due_and_their_job_key(factory: Factory) -> None:
    with_sessions(factory, "s1", "s2")
    with factory() as uow:
        uow.bookings.add(booking("b1", "s1", T0 + timedelta(days=1)))
        uow.bookings.add(booking("b2", "s2", T0 + timedelta(days=2)))
        due = (T0 + timedelta(hours=23)).astimezone(ROME)
        reminder = uow.outbox.add(
            OutboxMessage(
                "booking_reminder", "a@example.com", "R", "r", session_id="s1", booking_id="b1", send_after=due,
                send_before=T0 + timedelta(days=1), job_key="send_email:reminder:b1:60m:v0:abc",
            )
        )  # fmt: skip
        notice = uow.outbox.add(OutboxMessage("booking_confirmation", "a@example.com", "C", "c", booking_id="b1"))
        uow.outbox.add(OutboxMessage("booking_reminder", "b@example.com", "R", "r", booking_id="b2"))
        uow.commit()
    with factory() as uow:
        assert [m.id for m in uow.outbox.for_booking("b1")] == [reminder.id, notice.id]
        [found] = uow.outbox.for_booking("b1", kind="booking_reminder")
        assert (found.send_after, found.send_before, found.job_key) == (
            T0 + timedelta(hours=23),
            T0 + timedelta(days=1),
            "send_email:reminder:b1:60m:v0:abc",
        )
        assert found.send_after is not None and found.send_after.tzinfo is not None
        assert uow.outbox.get(notice.id or 0).job_key == "" and uow.outbox.get(notice.id or 0).send_after is None
        assert uow.outbox.for_booking("nobody") == []


def test_jobs_stored_as_a_batch_keep_their_order_and_a_known_key_stores_none(factory: Factory) -> None:
    with factory() as uow:
        stored = uow.jobs.add_all([Job("apply", "a", payload={"n": [1]}), Job("apply", "b"), Job("apply", "c")])
        assert uow.jobs.add_all([]) == []
        uow.commit()
    assert [job.key for job in stored] == ["a", "b", "c"]
    ids = [job.id or 0 for job in stored]
    assert ids == sorted(ids) and len(set(ids)) == 3
    with factory() as uow:
        assert [uow.jobs.get(i).key for i in ids] == ["a", "b", "c"]
        assert uow.jobs.get(ids[0]).payload == {"n": [1]} and uow.jobs.get(ids[0]).status is JobStatus.QUEUED
    with pytest.raises(AlreadyExists), factory() as uow:
        uow.jobs.add_all([Job("apply", "d"), Job("apply", "a")])
    with factory() as uow:
        assert uow.jobs.by_key("d") is None  # the batch was not stored in part


def test_a_job_is_withdrawn_only_while_nobody_runs_it(factory: Factory) -> None:
    with factory() as uow:
        queued = uow.jobs.add(Job("send_email", "k1", run_after=T0 + timedelta(hours=1)))
        failed = uow.jobs.add(Job("send_email", "k2", status=JobStatus.FAILED))
        running = uow.jobs.add(Job("send_email", "k3"))
        done = uow.jobs.add(Job("send_email", "k4", status=JobStatus.DONE, reason="Sent."))
        uow.commit()
    with factory() as uow:
        assert uow.jobs.claim(running.id or 0, now=T0, lease_until=T0 + timedelta(minutes=2)) is not None
        assert uow.jobs.withdraw(queued.id or 0, reason="Withdrawn.", at=T0)
        assert uow.jobs.withdraw(failed.id or 0, reason="Withdrawn.", at=T0)
        assert not uow.jobs.withdraw(running.id or 0, reason="Withdrawn.", at=T0)
        assert not uow.jobs.withdraw(done.id or 0, reason="Withdrawn.", at=T0)
        uow.commit()
    with factory() as uow:
        for job in (queued, failed):
            after = uow.jobs.get(job.id or 0)
            assert (after.status, after.reason, after.run_after, after.finished_at) == (
                JobStatus.DONE,
                "Withdrawn.",
                None,
                T0,
            )
        assert uow.jobs.get(running.id or 0).status is JobStatus.RUNNING
        assert uow.jobs.get(done.id or 0).reason == "Sent."
        assert uow.jobs.claim(queued.id or 0, now=T0 + timedelta(days=1), lease_until=T0 + timedelta(days=2)) is None
