"""Interview services over the in-memory unit of work: rules, ordering and atomicity."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.config import Settings
from core.content.problems import load_problem_bank
from core.content.rubrics import load_rubrics
from core.errors import IllegalTransition, NotFound, SessionClosed, WorkspaceError
from core.evaluation.utterances import evaluation_utterances, utterances_of
from core.interview.services import (
    MAX_MESSAGE_CHARS,
    create_interview,
    end_interview,
    get_interview,
    needs_reply,
    pause_interview,
    resume_interview,
    send_message,
    start_interview,
    submit_answer,
)
from core.models import Level, Role, SessionStatus, Stage, TranscriptEntry
from core.workspace import Workspace
from storage.files import LocalFileStore
from tests.actors import CANDIDATE
from tests.fakes import FakeUnitOfWork

ROOT = Path(__file__).resolve().parents[3]
PROBLEMS = load_problem_bank(ROOT / "data" / "problems")
RUBRICS = load_rubrics(ROOT / "data" / "rubrics")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ws(uow: FakeUnitOfWork, clock: Clock) -> Workspace:
    return Workspace(
        settings=Settings(interview_minutes=30),
        uow_factory=lambda: uow,
        files=LocalFileStore(Path("/nonexistent-unused")),
        problems=PROBLEMS,
        rubrics=RUBRICS,
        clock=clock,
    )


def test_create_and_start(ws: Workspace, uow: FakeUnitOfWork, clock: Clock) -> None:
    session = create_interview(ws, problem_id="rate_limiter", level=Level.JUNIOR, actor=CANDIDATE)
    assert session.status is SessionStatus.READY and session.duration_minutes == 30
    assert session.problem_title == ws.problems.get("rate_limiter").title
    opening = start_interview(ws, session.id, actor=CANDIDATE)
    stored = uow.sessions.get(session.id)
    assert stored.status is SessionStatus.ACTIVE and stored.started_at == clock.now
    assert opening.role is Role.INTERVIEWER and ws.problems.get("rate_limiter").title in opening.content
    assert [e.action for e in uow.audit.latest(session_id=session.id)] == ["session_created", "session_started"]


def test_unknown_problem_or_candidate_is_refused(ws: Workspace, uow: FakeUnitOfWork) -> None:
    with pytest.raises(WorkspaceError):
        create_interview(ws, problem_id="no_such_problem", actor=CANDIDATE)
    with pytest.raises(NotFound):
        create_interview(ws, problem_id="rate_limiter", candidate_id="ghost", actor=CANDIDATE)
    assert uow.sessions.count() == 0


def test_each_answer_is_stored_before_the_reply(ws: Workspace, uow: FakeUnitOfWork, clock: Clock) -> None:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    clock.advance(2)
    reply = send_message(ws, session.id, "  How many new short links are created per day?  ", actor=CANDIDATE)
    messages = uow.messages.in_session(session.id)
    assert [m.role for m in messages] == [Role.INTERVIEWER, Role.CANDIDATE, Role.INTERVIEWER]
    assert messages[1].content == "How many new short links are created per day?"
    assert any(ch.isdigit() for ch in reply.content)  # answered from the problem's facts
    assert uow.commits == 4  # created, started, the answer, the reply: the answer is safe on its own
    assert not needs_reply(messages)


def test_blank_and_oversized_answers_are_refused_without_storing(ws: Workspace, uow: FakeUnitOfWork) -> None:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    with pytest.raises(WorkspaceError, match="Type an answer"):
        send_message(ws, session.id, "   ", actor=CANDIDATE)
    with pytest.raises(WorkspaceError, match="too long"):
        send_message(ws, session.id, "x" * (MAX_MESSAGE_CHARS + 1), actor=CANDIDATE)
    assert len(uow.messages.in_session(session.id)) == 1


def test_input_is_refused_unless_active(ws: Workspace, uow: FakeUnitOfWork) -> None:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    with pytest.raises(SessionClosed, match="not started"):
        send_message(ws, session.id, "hello", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    pause_interview(ws, session.id, actor=CANDIDATE)
    with pytest.raises(SessionClosed, match="paused"):
        send_message(ws, session.id, "hello", actor=CANDIDATE)
    resume_interview(ws, session.id, actor=CANDIDATE)
    end_interview(ws, session.id, actor=CANDIDATE)
    with pytest.raises(SessionClosed, match="completed"):
        send_message(ws, session.id, "hello", actor=CANDIDATE)
    assert [m.role for m in uow.messages.in_session(session.id)] == [Role.INTERVIEWER]


def test_ending_stores_status_evaluation_and_audit_together(ws: Workspace, uow: FakeUnitOfWork) -> None:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    send_message(
        ws,
        session.id,
        "Users shorten links; redirects must be fast because every click waits on them.",
        actor=CANDIDATE,
    )
    commits = uow.commits
    evaluation = end_interview(ws, session.id, actor=CANDIDATE)
    assert uow.commits == commits + 1
    assert uow.sessions.get(session.id).status is SessionStatus.COMPLETED
    assert uow.evaluations.for_session(session.id) is not None
    assert evaluation.session_id == session.id
    assert uow.audit.latest(session_id=session.id)[-1].action == "session_completed"


def test_a_failing_evaluation_leaves_the_interview_open(ws: Workspace, uow: FakeUnitOfWork) -> None:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    broken = replace(ws, rubrics={})  # the evaluator cannot find its rubric
    with pytest.raises(KeyError):
        end_interview(broken, session.id, actor=CANDIDATE)
    assert uow.sessions.get(session.id).status is SessionStatus.ACTIVE
    assert uow.evaluations.for_session(session.id) is None
    end_interview(ws, session.id, actor=CANDIDATE)  # and it can still be ended properly
    with pytest.raises(IllegalTransition):
        end_interview(ws, session.id, actor=CANDIDATE)


def test_time_over_moves_the_interview_to_wrap_up(ws: Workspace, uow: FakeUnitOfWork, clock: Clock) -> None:
    session = create_interview(ws, problem_id="url_shortener", duration_minutes=20, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    clock.advance(25)
    send_message(ws, session.id, "We could add a cache in front of the database.", actor=CANDIDATE)
    stored = uow.sessions.get(session.id)
    assert stored.stage is Stage.WRAP_UP and stored.stage_started_at == clock.now
    assert "stage_changed" in [e.action for e in uow.audit.latest(session_id=session.id)]


def test_pauses_do_not_count_towards_elapsed_time(ws: Workspace, clock: Clock) -> None:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    clock.advance(10)
    pause_interview(ws, session.id, actor=CANDIDATE)
    clock.advance(60)
    resume_interview(ws, session.id, actor=CANDIDATE)
    clock.advance(5)
    assert get_interview(ws, session.id, actor=CANDIDATE).session.elapsed_seconds(clock.now) == 15 * 60


def test_utterances_are_timed_from_the_start(ws: Workspace, clock: Clock) -> None:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    clock.advance(3)
    send_message(ws, session.id, "Users create short links.", actor=CANDIDATE)
    view = get_interview(ws, session.id, actor=CANDIDATE)
    utterances = utterances_of(view.session, view.messages)
    assert [(u.speaker, u.start, u.seq) for u in utterances] == [
        ("interviewer", 0.0, 1),
        ("candidate", 180.0, 2),
        ("interviewer", 180.0, 3),
    ]


def test_the_evaluation_reads_spoken_answers_from_the_transcript_not_their_chat_copy(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    clock.now += timedelta(seconds=30)
    submit_answer(ws, session.id, "I would ask about read and write volume first.", actor=CANDIDATE)
    clock.now += timedelta(seconds=30)
    submit_answer(ws, session.id, "we put a cash in front", source="mic", actor=CANDIDATE)  # the live tier's words
    with uow:
        uow.transcripts.add(TranscriptEntry(session.id, "candidate", "We put a cache in front.", 55.0, 58.0, "mic"))
        uow.commit()
        messages = uow.messages.in_session(session.id)
        transcript = uow.transcripts.in_session(session.id)
    assert messages[-1].meta == {"source": "mic"}

    said = evaluation_utterances(get_interview(ws, session.id, actor=CANDIDATE).session, messages, transcript)
    candidate = [u.text for u in said if u.speaker == "candidate"]
    assert candidate == ["I would ask about read and write volume first.", "We put a cache in front."]
    assert [u.start for u in said] == sorted(u.start or 0.0 for u in said)  # one timeline
    assert evaluation_utterances(session, messages, []) == utterances_of(session, messages[:-1])
