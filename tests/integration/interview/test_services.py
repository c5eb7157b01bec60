"""The interview services over real databases: the whole slice below the UI."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core.candidates.services import get_profile, register_resume
from core.config import Settings
from core.content.problems import ProblemBank
from core.errors import ContentError, IllegalTransition, ResumeError, SessionClosed
from core.interview.services import (
    create_interview,
    end_interview,
    get_interview,
    list_history,
    needs_reply,
    open_sessions,
    pause_interview,
    reply_to_candidate,
    resume_interview,
    send_message,
    start_interview,
)
from core.models import Level, Role, SessionStatus
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE

RESUME = b"""Jordan Lee
jordan.lee@example.com
Senior Software Engineer, payments platform. 7 years of experience building payment
processing, ledgers and billing with Python, Kafka and PostgreSQL.
"""


@pytest.fixture
def ws(database_url: str, tmp_path: Path) -> Workspace:
    return build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path / "runtime"))


def started(ws: Workspace, problem_id: str = "url_shortener") -> str:
    session = create_interview(ws, problem_id=problem_id, level=Level.MID, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def test_a_whole_interview_is_stored_and_listed(ws: Workspace) -> None:
    profile = register_resume(ws, filename="jordan.txt", data=RESUME, actor=CANDIDATE)
    assert profile.resume is not None and profile.resume.profile.level is Level.SENIOR
    assert ws.files.read(profile.resume.file_path or "") == RESUME

    problem = ws.problems.choose(profile.resume.profile.level, profile.resume.profile.domains)
    assert problem.id == "payment_system"
    session = create_interview(
        ws, problem_id=problem.id, candidate_id=profile.candidate.id, level=Level.SENIOR, actor=CANDIDATE
    )
    opening = start_interview(ws, session.id, actor=CANDIDATE)
    assert opening.role is Role.INTERVIEWER and opening.seq == 1

    reply = send_message(ws, session.id, "How many payments per second do we need to handle at peak?", actor=CANDIDATE)
    assert reply.role is Role.INTERVIEWER and reply.seq == 3
    evaluation = end_interview(ws, session.id, actor=CANDIDATE)

    view = get_interview(ws, session.id, actor=CANDIDATE)
    assert view.session.status is SessionStatus.COMPLETED
    assert [m.role for m in view.messages] == [Role.INTERVIEWER, Role.CANDIDATE, Role.INTERVIEWER]
    assert view.evaluation is not None and view.evaluation.overall_score == evaluation.overall_score
    assert view.candidate is not None and view.candidate.name == "Jordan Lee"

    summaries, total = list_history(ws)
    assert total == 1 and summaries[0].id == session.id
    assert summaries[0].overall_score == evaluation.overall_score
    assert summaries[0].candidate_name == "Jordan Lee"

    with ws.uow_factory() as uow:
        actions = [entry.action for entry in uow.audit.latest(session_id=session.id)]
    assert actions[:3] == ["session_created", "session_started", "message_sent"]
    assert actions[-1] == "session_completed"


def test_a_server_restart_resumes_the_active_interview_with_its_chat(ws: Workspace, database_url: str) -> None:
    session_id = started(ws)
    send_message(
        ws, session_id, "Users shorten long links and get redirected; redirects must be fast.", actor=CANDIDATE
    )
    before = get_interview(ws, session_id, actor=CANDIDATE).messages

    restarted = build_workspace(ws.settings)  # a new process: new engine, nothing in memory
    assert [s.id for s in open_sessions(restarted)] == [session_id]
    view = get_interview(restarted, session_id, actor=CANDIDATE)
    assert [(m.seq, m.content) for m in view.messages] == [(m.seq, m.content) for m in before]
    send_message(restarted, session_id, "How many new links are created per day?", actor=CANDIDATE)
    assert len(get_interview(restarted, session_id, actor=CANDIDATE).messages) == len(before) + 2


def test_a_failed_reply_keeps_the_candidates_message_and_can_be_answered_later(ws: Workspace) -> None:
    session_id = started(ws)
    broken = replace(ws, problems=ProblemBank([]))  # the reply needs the problem; it is gone
    with pytest.raises(ContentError):
        send_message(broken, session_id, "I would start with the requirements.", actor=CANDIDATE)

    messages = get_interview(ws, session_id, actor=CANDIDATE).messages
    assert messages[-1].content == "I would start with the requirements." and needs_reply(messages)
    reply = reply_to_candidate(ws, session_id)
    assert reply.seq == messages[-1].seq + 1
    assert not needs_reply(get_interview(ws, session_id, actor=CANDIDATE).messages)


def test_paused_and_ended_interviews_take_no_input(ws: Workspace) -> None:
    session_id = started(ws)
    pause_interview(ws, session_id, actor=CANDIDATE)
    with pytest.raises(SessionClosed, match="paused"):
        send_message(ws, session_id, "hello", actor=CANDIDATE)
    resume_interview(ws, session_id, actor=CANDIDATE)
    send_message(ws, session_id, "Back again: users create short links.", actor=CANDIDATE)
    end_interview(ws, session_id, actor=CANDIDATE)
    count = len(get_interview(ws, session_id, actor=CANDIDATE).messages)
    with pytest.raises(SessionClosed, match="completed"):
        send_message(ws, session_id, "one more thing", actor=CANDIDATE)
    with pytest.raises(IllegalTransition):
        end_interview(ws, session_id, actor=CANDIDATE)
    with pytest.raises(IllegalTransition):
        resume_interview(ws, session_id, actor=CANDIDATE)
    assert len(get_interview(ws, session_id, actor=CANDIDATE).messages) == count


def test_a_refused_resume_stores_nothing(ws: Workspace) -> None:
    with pytest.raises(ResumeError):
        register_resume(ws, filename="resume.pdf", data=b"%PDF-1.4\n garbage that is not a pdf", actor=CANDIDATE)
    with ws.uow_factory() as uow:
        assert uow.audit.latest() == []
    assert not (ws.settings.runtime_path / "candidates").exists()


def test_the_resume_profile_is_read_back_with_the_candidate(ws: Workspace) -> None:
    profile = register_resume(ws, filename="jordan.txt", data=RESUME, actor=CANDIDATE)
    again = get_profile(ws, profile.candidate.id)
    assert again.resume is not None
    assert again.resume.profile.domains[0] == "payments"
    assert "Kafka" in again.resume.profile.skills
