"""Every dataclass through every SQL repository and back, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from core.errors import NotFound
from core.models import (
    AuditEntry,
    Candidate,
    CompetencyScore,
    Evaluation,
    Evidence,
    Level,
    MediaFile,
    Message,
    PlanStep,
    Resume,
    ResumeProfile,
    Role,
    Session,
    SessionStatus,
    Stage,
    TokenUsage,
    TranscriptEntry,
    WhiteboardSnapshot,
)
from storage.unit_of_work import SqlAlchemyUnitOfWork

UowFactory = Callable[[], SqlAlchemyUnitOfWork]

IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2025, 3, 4, 10, 0, 0, 123456, tzinfo=UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def make_session(**changes: object) -> Session:
    values: dict[str, object] = {
        "id": new_id(),
        "problem_id": "url-shortener",
        "problem_title": "URL shortener",
    }
    values.update(changes)
    return Session(**values)  # type: ignore[arg-type]


def add_session(uow_factory: UowFactory, **changes: object) -> Session:
    session = make_session(**changes)
    with uow_factory() as uow:
        uow.sessions.add(session)
        uow.commit()
    return session


def assert_utc(value: datetime | None) -> None:
    assert value is not None
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)


# --- sessions ---------------------------------------------------------------------------


def test_a_session_round_trips_with_every_field(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        candidate = Candidate(id=new_id(), name="Ada Lovelace", email="ada@example.com")
        uow.candidates.add(candidate)
        uow.commit()
    session = Session(
        id=new_id(),
        problem_id="chat-app",
        problem_title="Design a chat app",
        kind="system_design",
        candidate_id=candidate.id,
        interviewer_provider="anthropic",
        interviewer_model="claude-sonnet-4-5",
        rubric_id="system_design_v2",
        level=Level.STAFF,
        modes=["chat", "voice", "whiteboard"],
        status=SessionStatus.PAUSED,
        stage=Stage.DEEP_DIVE,
        duration_minutes=60,
        created_at=T0.astimezone(IST),  # another zone on the way in…
        started_at=T0 + timedelta(minutes=1),
        paused_at=T0 + timedelta(minutes=20),
        paused_seconds=12.5,
        stage_started_at=T0 + timedelta(minutes=15),
        ended_at=None,
        updated_at=T0 + timedelta(minutes=20),
    )
    with uow_factory() as uow:
        uow.sessions.add(session)
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.sessions.get(session.id)

    assert loaded == session
    for value in (loaded.created_at, loaded.started_at, loaded.paused_at, loaded.stage_started_at):
        assert_utc(value)  # …UTC on the way out, on both backends
    assert loaded.created_at == T0
    assert type(loaded.level) is Level
    assert type(loaded.status) is SessionStatus
    assert type(loaded.stage) is Stage
    assert loaded.ended_at is None


def test_adding_a_session_fills_its_timestamps(uow_factory: UowFactory) -> None:
    before = datetime.now(UTC)
    session = add_session(uow_factory)
    assert session.created_at is not None and session.created_at >= before
    assert session.updated_at == session.created_at
    with uow_factory() as uow:
        loaded = uow.sessions.get(session.id)
    assert loaded.created_at == session.created_at
    assert_utc(loaded.created_at)
    assert loaded.modes == ["chat"]
    assert loaded.status is SessionStatus.READY


def test_update_writes_every_field_back(uow_factory: UowFactory) -> None:
    session = add_session(uow_factory, created_at=T0, updated_at=T0)
    session.status = SessionStatus.COMPLETED
    session.stage = Stage.WRAP_UP
    session.started_at = T0 + timedelta(minutes=1)
    session.ended_at = T0 + timedelta(minutes=46)
    session.paused_seconds = 30.0
    session.modes = ["chat", "voice"]
    session.updated_at = T0 + timedelta(minutes=46)  # services stamp it from their clock
    with uow_factory() as uow:
        uow.sessions.update(session)
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.sessions.get(session.id)
    assert loaded == session
    assert loaded.updated_at == T0 + timedelta(minutes=46)


def test_a_missing_session_is_not_found(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        with pytest.raises(NotFound, match="No interview with id nope"):
            uow.sessions.get("nope")
        with pytest.raises(NotFound):
            uow.sessions.update(make_session(id="nope"))


def test_naive_datetimes_are_refused(uow_factory: UowFactory) -> None:
    with uow_factory() as uow, pytest.raises(StatementError, match="naive datetime"):
        uow.sessions.add(make_session(created_at=datetime(2025, 1, 1, 12, 0)))


# --- candidates and resumes -------------------------------------------------------------


def test_candidates_round_trip_and_missing_ones_are_not_found(uow_factory: UowFactory) -> None:
    candidate = Candidate(id=new_id(), name="Grace Hopper", email=None, created_at=T0)
    with uow_factory() as uow:
        uow.candidates.add(candidate)
        uow.commit()
    with uow_factory() as uow:
        assert uow.candidates.get(candidate.id) == candidate
        with pytest.raises(NotFound, match="No candidate with id"):
            uow.candidates.get("missing")


def test_resumes_round_trip_and_the_latest_one_wins(uow_factory: UowFactory) -> None:
    candidate = Candidate(id=new_id(), name="Linus")
    older = Resume(
        id=new_id(),
        candidate_id=candidate.id,
        filename="cv-2023.pdf",
        content_type="application/pdf",
        size_bytes=1234,
        text="Kernel hacker",
        profile=ResumeProfile(),
        created_at=T0,
    )
    newer = Resume(
        id=new_id(),
        candidate_id=candidate.id,
        filename="cv-2025.txt",
        content_type="text/plain",
        size_bytes=5_000_000_000,  # BigInteger
        text="Distributed systems, 12 years",
        profile=ResumeProfile(
            name="Linus T",
            email="l@example.com",
            years_experience=12.5,
            level=Level.SENIOR,
            domains=["storage", "networking"],
            skills=["c", "git"],
        ),
        file_path="candidates/x/cv-2025.txt",
        created_at=T0 + timedelta(days=1),
    )
    with uow_factory() as uow:
        uow.candidates.add(candidate)
        assert uow.resumes.latest_for_candidate(candidate.id) is None
        uow.resumes.add(newer)
        uow.resumes.add(older)
        uow.commit()

    with uow_factory() as uow:
        assert uow.resumes.get(older.id) == older
        loaded = uow.resumes.get(newer.id)
        assert uow.resumes.latest_for_candidate(candidate.id) == newer
        with pytest.raises(NotFound, match="No resume with id"):
            uow.resumes.get("missing")
    assert loaded == newer
    assert type(loaded.profile.level) is Level


# --- messages ---------------------------------------------------------------------------


def test_messages_get_seq_per_session_and_list_in_order(uow_factory: UowFactory) -> None:
    first = add_session(uow_factory)
    second = add_session(uow_factory)
    with uow_factory() as uow:
        a1 = uow.messages.add(Message(session_id=first.id, role=Role.INTERVIEWER, content="Hi"))
        b1 = uow.messages.add(Message(session_id=second.id, role=Role.SYSTEM, content="Other session"))
        a2 = uow.messages.add(
            Message(
                session_id=first.id,
                role=Role.CANDIDATE,
                content="Hello",
                stage=Stage.ESTIMATION,
                meta={"kind": "answer", "topics": ["caching", "sharding"], "n": 2},
            )
        )
        uow.commit()
    with uow_factory() as uow:  # numbering carries on in a later unit of work
        a3 = uow.messages.add(Message(session_id=first.id, role=Role.INTERVIEWER, content="Go on"))
        uow.commit()

    assert (a1.seq, a2.seq, a3.seq, b1.seq) == (1, 2, 3, 1)
    assert a1.id is not None and a2.id is not None and a1.id != a2.id
    assert_utc(a1.created_at)
    with uow_factory() as uow:
        listed = uow.messages.in_session(first.id)
        assert uow.messages.in_session("no-such-session") == []
        counts = [uow.messages.count_in_session(sid) for sid in (first.id, second.id, "no-such-session")]
    assert listed == [a1, a2, a3]
    assert counts == [3, 1, 0]
    with uow_factory() as uow:  # what came after a message a reader already has
        assert uow.messages.in_session(first.id, after_seq=1) == [a2, a3]
        assert uow.messages.in_session(first.id, after_seq=3) == []
    assert listed[1].meta == {"kind": "answer", "topics": ["caching", "sharding"], "n": 2}
    assert type(listed[1].role) is Role and listed[1].stage is Stage.ESTIMATION


def test_a_message_for_a_missing_session_is_not_found(uow_factory: UowFactory) -> None:
    with uow_factory() as uow, pytest.raises(NotFound, match="No interview with id ghost"):
        uow.messages.add(Message(session_id="ghost", role=Role.CANDIDATE, content="?"))


def test_add_returns_a_copy_and_keeps_the_callers_message(uow_factory: UowFactory) -> None:
    session = add_session(uow_factory)
    message = Message(session_id=session.id, role=Role.CANDIDATE, content="x", created_at=T0.astimezone(IST))
    with uow_factory() as uow:
        stored = uow.messages.add(message)
        uow.commit()
    assert message.seq is None and message.id is None
    assert stored.created_at == T0
    assert_utc(stored.created_at)


# --- evaluations ------------------------------------------------------------------------


def make_evaluation(session_id: str, score: float = 3.7) -> Evaluation:
    return Evaluation(
        session_id=session_id,
        overall_score=score,
        competencies=[
            CompetencyScore(
                key="requirements",
                name="Requirements",
                score=4.0,
                confidence=0.8,
                rationale="Asked about scale early",
                evidence=[
                    Evidence(quote="How many users per day?", message_seq=3),
                    Evidence(quote="Reads dominate", at_seconds=125.5),
                ],
            ),
            CompetencyScore(key="scalability", name="Scalability", score=3.0, confidence=0.5),
        ],
        went_well=["Clarified requirements"],
        went_okay=["Estimation"],
        needs_improvement=["Caching strategy", "Failure modes"],
        improvement_plan=[
            PlanStep(title="Caching", detail="Study cache-aside", resources=["https://example.com/cache"]),
            PlanStep(title="Queues", detail="Back-pressure"),
        ],
        communication={"wpm": 142.0, "fillers": {"um": 3}, "talk_ratio": 0.61, "modes": ["chat"]},
        rubric_id="system_design",
        rubric_version="2",
        engine="anthropic",
        model="claude-sonnet-4-5",
        prompt_version="evaluator/v1",
        notes=["LLM output invalid, offline used"],
    )


def test_an_evaluation_round_trips_with_its_nested_parts(uow_factory: UowFactory) -> None:
    session = add_session(uow_factory)
    evaluation = make_evaluation(session.id)
    with uow_factory() as uow:
        assert uow.evaluations.for_session(session.id) is None
        stored = uow.evaluations.add(evaluation)
        uow.commit()
    assert stored.id is not None
    assert_utc(stored.created_at)

    with uow_factory() as uow:
        loaded = uow.evaluations.for_session(session.id)
    assert loaded == stored
    assert loaded is not None
    assert loaded.competencies[0].evidence[1] == Evidence(quote="Reads dominate", at_seconds=125.5)
    assert isinstance(loaded.improvement_plan[0], PlanStep)


# --- per-session logs -------------------------------------------------------------------


def test_transcript_entries_list_in_speaking_order(uow_factory: UowFactory) -> None:
    session = add_session(uow_factory)
    with uow_factory() as uow:
        late = uow.transcripts.add(TranscriptEntry(session.id, "candidate", "second", 10.0, 12.5, "mic"))
        early = uow.transcripts.add(TranscriptEntry(session.id, "interviewer", "first", 0.0, 4.2))
        tie = uow.transcripts.add(TranscriptEntry(session.id, "candidate", "also at ten", 10.0, 11.0, "upload"))
        uow.commit()
    with uow_factory() as uow:
        assert uow.transcripts.in_session(session.id) == [early, late, tie]
        assert uow.transcripts.in_session(session.id, after_id=late.id) == [early, tie]  # stored after, in order
        assert uow.transcripts.count_in_session(session.id) == 3
        assert uow.transcripts.count_in_session("no-such-session") == 0
    assert early.source == "typed"
    assert_utc(early.created_at)


def test_whiteboards_media_and_token_usage_round_trip(uow_factory: UowFactory) -> None:
    session = add_session(uow_factory)
    fabric = {"version": "5.3.0", "objects": [{"type": "Rect", "left": 10.5, "text": None, "label": "LB"}]}
    with uow_factory() as uow:
        s1 = uow.whiteboards.add(WhiteboardSnapshot(session.id, "sessions/x/wb-1.png", fabric))
        s2 = uow.whiteboards.add(WhiteboardSnapshot(session.id, None, {}, created_at=T0))
        m1 = uow.media.add(MediaFile(session.id, "audio", "sessions/x/a.wav", 3_000_000_000, "audio/wav"))
        u1 = uow.token_usage.add(TokenUsage(session.id, "openai", "gpt-x", "interview_turn", 1200, 300, 0.0123, 850))
        u2 = uow.token_usage.add(TokenUsage(session.id, "openai", "gpt-x", "evaluate", 9000, 2000, 0.2, 4100))
        uow.commit()
    with uow_factory() as uow:
        assert uow.whiteboards.in_session(session.id) == [s1, s2]
        assert uow.media.in_session(session.id) == [m1]
        assert uow.token_usage.in_session(session.id) == [u1, u2]
        assert (
            uow.whiteboards.in_session("other")
            == uow.media.in_session("other")
            == uow.token_usage.in_session("other")
            == []
        )
    assert s1.fabric_json == fabric
    assert s2.created_at == T0


def test_audit_lists_oldest_first_filters_by_session_and_keeps_the_latest(uow_factory: UowFactory) -> None:
    session = add_session(uow_factory)
    with uow_factory() as uow:
        entries = [
            uow.audit.add(
                AuditEntry(
                    action=f"step-{i}",
                    actor="tester",
                    session_id=session.id if i % 2 else None,
                    detail={"i": i, "nested": {"ok": True}},
                    created_at=T0 + timedelta(seconds=i),
                )
            )
            for i in range(5)
        ]
        uow.audit.add(AuditEntry(action="session.deleted", session_id="gone"))  # no FK: outlives sessions
        uow.commit()
    with uow_factory() as uow:
        assert uow.audit.latest(session_id=session.id) == [entries[1], entries[3]]
        everything = uow.audit.latest()
        assert uow.audit.latest(limit=2) == everything[-2:]
    assert everything[:5] == entries
    assert everything[-1].actor == "system" and everything[-1].detail == {}


# --- History ----------------------------------------------------------------------------


def test_summaries_are_newest_first_with_candidate_name_score_and_duration(uow_factory: UowFactory) -> None:
    candidate = Candidate(id=new_id(), name="Barbara Liskov")
    with uow_factory() as uow:
        uow.candidates.add(candidate)
        uow.commit()
    done = add_session(
        uow_factory,
        candidate_id=candidate.id,
        level=Level.SENIOR,
        status=SessionStatus.COMPLETED,
        created_at=T0,
        started_at=T0 + timedelta(minutes=1),
        ended_at=T0 + timedelta(minutes=41),
        paused_seconds=60.0,
    )
    running = add_session(
        uow_factory,
        status=SessionStatus.ACTIVE,
        created_at=T0 + timedelta(hours=1),
        started_at=datetime.now(UTC) - timedelta(minutes=5),
    )
    waiting = add_session(uow_factory, created_at=T0 + timedelta(hours=2))
    with uow_factory() as uow:
        uow.evaluations.add(make_evaluation(done.id, score=4.25))
        uow.commit()

    with uow_factory() as uow:
        summaries = uow.sessions.list_summaries()
    assert [s.id for s in summaries] == [waiting.id, running.id, done.id]
    by_id = {s.id: s for s in summaries}

    finished = by_id[done.id]
    assert finished.candidate_name == "Barbara Liskov"
    assert finished.overall_score == 4.25
    assert finished.duration_seconds == 40 * 60 - 60
    assert finished.level is Level.SENIOR and finished.status is SessionStatus.COMPLETED
    assert finished.problem_title == "URL shortener"
    assert finished.created_at == T0
    assert_utc(finished.created_at)
    assert finished.started_at == T0 + timedelta(minutes=1)
    assert finished.ended_at == T0 + timedelta(minutes=41)

    assert 5 * 60 <= by_id[running.id].duration_seconds < 5 * 60 + 120  # measured against now
    assert by_id[running.id].candidate_name is None and by_id[running.id].overall_score is None
    assert by_id[waiting.id].duration_seconds == 0.0


def test_summaries_filter_by_status_and_page(uow_factory: UowFactory) -> None:
    statuses = [
        SessionStatus.COMPLETED,
        SessionStatus.ACTIVE,
        SessionStatus.COMPLETED,
        SessionStatus.CANCELLED,
    ]
    made = [
        add_session(uow_factory, status=status, created_at=T0 + timedelta(minutes=i))
        for i, status in enumerate(statuses)
    ]
    newest_first = [s.id for s in reversed(made)]
    with uow_factory() as uow:
        assert [s.id for s in uow.sessions.list_summaries(limit=2)] == newest_first[:2]
        assert [s.id for s in uow.sessions.list_summaries(limit=2, offset=2)] == newest_first[2:]
        completed = uow.sessions.list_summaries(statuses=[SessionStatus.COMPLETED])
        assert [s.id for s in completed] == [made[2].id, made[0].id]
        assert uow.sessions.list_summaries(statuses=[]) == []
        assert uow.sessions.count() == 4
        assert uow.sessions.count(statuses=[SessionStatus.COMPLETED, SessionStatus.CANCELLED]) == 3
        assert uow.sessions.count(statuses=[SessionStatus.PAUSED]) == 0


def test_returned_objects_are_detached_copies(uow_factory: UowFactory) -> None:
    session = add_session(uow_factory)
    with uow_factory() as uow:
        loaded = uow.sessions.get(session.id)
        loaded.modes.append("voice")
        loaded.status = SessionStatus.CANCELLED
        assert uow.sessions.get(session.id).status is SessionStatus.READY
        uow.commit()
    assert type(loaded) is Session  # usable after the unit of work closed
    with uow_factory() as uow:
        assert uow.sessions.get(session.id).modes == ["chat"]


def test_concurrent_writers_never_share_a_seq(uow_factory: UowFactory) -> None:
    session = add_session(uow_factory)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                with uow_factory() as uow:
                    uow.messages.add(Message(session.id, Role.CANDIDATE, f"{name}{i}"))
                    uow.commit()
        except BaseException as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in "abc"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with uow_factory() as uow:
        messages = uow.messages.in_session(session.id)
    assert [m.seq for m in messages] == list(range(1, 46))


def test_the_latest_whiteboard_is_the_newest_row(uow_factory: UowFactory) -> None:
    session = Session(id=uuid.uuid4().hex, problem_id="url_shortener")
    with uow_factory() as uow:
        uow.sessions.add(session)
        assert uow.whiteboards.latest(session.id) is None
        for n in range(3):
            uow.whiteboards.add(WhiteboardSnapshot(session.id, None, {"objects": [{"n": n}]}))
        uow.commit()
    with uow_factory() as uow:
        assert uow.whiteboards.latest(session.id).fabric_json == {"objects": [{"n": 2}]}
        assert uow.whiteboards.latest("no-such-session") is None
