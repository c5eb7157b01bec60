"""Interviewer-led sessions over the in-memory unit of work: creating one (and refusing bad input
without storing anything), giving a booked session its cockpit, stages and status on the session
clock, goals, facts, the meeting link and typed transcript lines — each change audited."""

from __future__ import annotations

import pytest

from core.errors import ContentError, IllegalTransition, InvalidInput, NotFound
from core.live.notes import save_draft
from core.live.sessions import (
    HUMAN,
    change_stage,
    cockpit,
    create_live_session,
    end_live,
    ensure_live,
    is_live,
    log_speech,
    mark_goal,
    pause_live,
    resume_live,
    set_fact,
    set_meeting_url,
    start_live,
)
from core.models import Booking, Candidate, LiveNote, Session, SessionStatus
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import START

T0 = START  # the clock fixture's time
ZOOM = "https://us02web.zoom.us/j/81234567890"


def discovery(ws: Workspace, actor: Actor = INTERVIEWER, **extra: str) -> str:
    values = {"candidate_name": "Dana Ruiz", "candidate_email": "dana@example.com", **extra}
    return create_live_session(ws, template_id="customer_discovery", **values, actor=actor).id


def audit(uow: FakeUnitOfWork, session_id: str) -> list[tuple[str, dict[str, object]]]:
    return [(e.action, e.detail) for e in uow.audit.latest(session_id=session_id)]


def booked_session(uow: FakeUnitOfWork, *, kind: str = "system_design", status: SessionStatus) -> str:
    with uow:
        uow.candidates.add(Candidate(id="c1", name="Lee Park", created_at=T0))
        uow.sessions.add(
            Session(
                id="s1", problem_id="url_shortener", problem_title="URL shortener", kind=kind, candidate_id="c1",
                status=status, created_at=T0,
            )
        )  # fmt: skip
        uow.commit()
    return "s1"


# --- creating -------------------------------------------------------------------------------------------


def test_a_discovery_session_is_ready_with_its_cockpit_candidate_and_audit_entry(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    sid = discovery(ws, meeting_url=f"  {ZOOM} ", actor=Actor.workspace("ana"))
    template = ws.templates.get("customer_discovery")
    session = uow.sessions.get(sid)
    assert (session.status, session.interviewer_provider, session.kind, session.modes) == (
        SessionStatus.READY,
        HUMAN,
        "customer_discovery",
        ["notes"],
    )
    assert (session.problem_id, session.problem_title, session.rubric_id, session.duration_minutes) == (
        "",
        template.title,
        template.rubric_id,
        template.total_minutes,
    )
    live = uow.live_sessions.for_session(sid)
    assert live is not None
    assert (live.template_id, live.template_version, live.stage, live.meeting_url) == (
        "customer_discovery",
        template.version,
        "context_and_role",
        ZOOM,
    )
    assert session.candidate_id is not None
    candidate = uow.candidates.get(session.candidate_id)
    assert (candidate.name, candidate.email, candidate.created_at) == ("Dana Ruiz", "dana@example.com", T0)
    [entry] = uow.audit.latest(session_id=sid)
    assert (entry.action, entry.actor, entry.detail) == (
        "live_session_created",
        "ana",
        {"template": "customer_discovery", "candidate": candidate.id},
    )
    assert is_live(ws, sid)


def test_the_person_is_found_by_email_or_by_id(ws: Workspace, uow: FakeUnitOfWork) -> None:
    first = uow.sessions.get(discovery(ws))
    second = uow.sessions.get(discovery(ws, candidate_name="D. Ruiz"))
    by_id = create_live_session(
        ws,
        template_id="customer_discovery",
        candidate_name="",
        candidate_id=first.candidate_id,
        actor=INTERVIEWER,
    )
    assert first.candidate_id == second.candidate_id == by_id.candidate_id
    assert [c.name for c in uow.candidates.all()] == ["Dana Ruiz"]
    with pytest.raises(NotFound, match="No candidate with id ghost"):
        create_live_session(
            ws, template_id="customer_discovery", candidate_name="", candidate_id="ghost", actor=INTERVIEWER
        )
    assert uow.sessions.count() == 3


@pytest.mark.parametrize(
    ("template_id", "extra", "error", "message"),
    [
        ("customer_discovery", {"candidate_name": "  "}, InvalidInput, "Enter the name of the person"),
        ("customer_discovery", {"meeting_url": "zoom meeting"}, InvalidInput, "must be a web address"),
        ("system_design_human", {}, InvalidInput, "needs a problem from the problem bank"),
        ("system_design_human", {"problem_id": "no_such_problem"}, ContentError, "no_such_problem"),
        ("nope", {}, NotFound, "No interview template 'nope'"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    ws: Workspace, uow: FakeUnitOfWork, template_id: str, extra: dict[str, str], error: type[Exception], message: str
) -> None:
    values = {"candidate_name": "Kim Lee", "candidate_email": "kim@example.com", **extra}
    with pytest.raises(error, match=message):
        create_live_session(ws, template_id=template_id, **values, actor=INTERVIEWER)
    assert (uow.sessions.count(), uow.candidates.all(), uow.audit.latest()) == (0, [], [])


def test_a_system_design_session_takes_its_problem_from_the_bank(ws: Workspace, uow: FakeUnitOfWork) -> None:
    session = create_live_session(
        ws,
        template_id="system_design_human",
        candidate_name="Kim Lee",
        problem_id="rate_limiter",
        actor=INTERVIEWER,
    )
    assert (session.problem_id, session.problem_title) == ("rate_limiter", ws.problems.get("rate_limiter").title)
    view = cockpit(ws, session.id, actor=INTERVIEWER)
    assert view.problem is not None and view.problem.id == "rate_limiter" and view.live.stage == "requirements"
    assert view.candidate is not None and view.candidate.email is None


# --- a booked session -------------------------------------------------------------------------------------


def test_a_booked_session_gets_the_cockpit_of_its_kind_once(ws: Workspace, uow: FakeUnitOfWork, clock: Clock) -> None:
    sid = booked_session(uow, status=SessionStatus.SCHEDULED)
    assert not is_live(ws, sid)
    clock.advance(minutes=5)
    ensure_live(ws, sid, actor=Actor.workspace("ana"))
    commits = uow.commits
    ensure_live(ws, sid, template_id="customer_discovery", actor=INTERVIEWER)  # it has one already: nothing changes
    assert uow.commits == commits
    session = uow.sessions.get(sid)
    assert (session.status, session.interviewer_provider, session.rubric_id, session.updated_at) == (
        SessionStatus.READY,
        HUMAN,
        "system_design",
        clock.now,
    )
    assert session.problem_title == "URL shortener"  # the template works from the problem bank
    live = uow.live_sessions.for_session(sid)
    assert live is not None and live.template_id == "system_design_human"
    assert audit(uow, sid) == [("live_session_opened", {"template": "system_design_human"})]


def test_a_named_template_replaces_the_title_and_an_unknown_kind_has_no_cockpit(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    sid = booked_session(uow, status=SessionStatus.READY)
    ensure_live(ws, sid, template_id="customer_discovery", actor=INTERVIEWER)
    session = uow.sessions.get(sid)
    assert session.problem_title == ws.templates.get("customer_discovery").title
    assert session.status is SessionStatus.READY

    with uow:
        uow.sessions.add(Session(id="s2", problem_id="", kind="pairing", status=SessionStatus.SCHEDULED))
        uow.commit()
    with pytest.raises(NotFound, match="No interview template is written for 'pairing' interviews"):
        ensure_live(ws, "s2", actor=INTERVIEWER)
    assert uow.live_sessions.for_session("s2") is None and uow.sessions.get("s2").status is SessionStatus.SCHEDULED


# --- running it -------------------------------------------------------------------------------------------


def test_stages_are_timed_on_the_session_clock_and_pauses_do_not_count(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    sid = discovery(ws)
    start_live(ws, sid, actor=INTERVIEWER)
    clock.advance(seconds=200)
    pause_live(ws, sid, actor=INTERVIEWER)
    clock.advance(seconds=600)
    resume_live(ws, sid, actor=INTERVIEWER)
    clock.advance(seconds=160)
    live = change_stage(ws, sid, "current_workflow_and_pains", actor=Actor.workspace("ana"))
    assert (live.stage, live.stage_started_seconds) == ("current_workflow_and_pains", 360)
    assert live.stage_log == [{"stage": "context_and_role", "start": 0.0, "end": 360.0}]
    assert uow.live_sessions.for_session(sid) == live

    commits = uow.commits
    assert (
        change_stage(ws, sid, "current_workflow_and_pains", actor=INTERVIEWER) == live
    )  # already there: nothing stored
    assert uow.commits == commits
    with pytest.raises(NotFound, match="its stages are context_and_role, current_workflow_and_pains"):
        change_stage(ws, sid, "pricing", actor=INTERVIEWER)
    assert [a for a, _ in audit(uow, sid)] == [
        "live_session_created",
        "session_started",
        "session_paused",
        "session_resumed",
        "stage_changed",
    ]
    assert audit(uow, sid)[-1][1] == {"from": "context_and_role", "to": "current_workflow_and_pains", "at": 360.0}


def test_status_changes_follow_the_lifecycle_and_need_a_cockpit(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = discovery(ws)
    with pytest.raises(IllegalTransition, match="Cannot pause an interview that is ready"):
        pause_live(ws, sid, actor=INTERVIEWER)
    assert uow.sessions.get(sid).status is SessionStatus.READY

    ai_led = booked_session(uow, status=SessionStatus.READY)
    with pytest.raises(NotFound, match="not interviewer-led"):
        start_live(ws, ai_led, actor=INTERVIEWER)
    assert uow.sessions.get(ai_led).status is SessionStatus.READY
    assert audit(uow, ai_led) == []


def test_ending_logs_the_last_stage_and_keeps_a_half_typed_note(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    sid = discovery(ws)
    start_live(ws, sid, actor=INTERVIEWER)
    clock.advance(seconds=90)
    save_draft(ws, sid, text="CFO signs anything over 10k", actor=INTERVIEWER)
    with uow:  # another author's draft holding only spaces
        uow.notes.add(LiveNote(session_id=sid, text="  ", at_seconds=80.0, author="observer", draft=True))
        uow.commit()
    clock.advance(seconds=30)
    end_live(ws, sid, actor=Actor.workspace("ana"))

    session = uow.sessions.get(sid)
    assert (session.status, session.ended_at) == (SessionStatus.COMPLETED, clock.now)
    live = uow.live_sessions.for_session(sid)
    assert live is not None and live.stage_log == [{"stage": "context_and_role", "start": 0.0, "end": 120.0}]
    notes = uow.notes.in_session(sid, include_drafts=True)
    assert [(n.text, n.draft) for n in notes] == [("  ", True), ("CFO signs anything over 10k", False)]
    assert audit(uow, sid)[-1] == ("session_ended", {"stage": "context_and_role", "elapsed": 120.0})
    with pytest.raises(InvalidInput, match="has ended"):
        change_stage(ws, sid, "jobs_and_outcomes", actor=INTERVIEWER)
    with pytest.raises(IllegalTransition):
        end_live(ws, sid, actor=INTERVIEWER)


def test_goals_are_ticked_unticked_and_handed_back(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = discovery(ws)
    mark_goal(ws, sid, "last_occurrence", True, actor=INTERVIEWER)
    mark_goal(ws, sid, "role_and_responsibilities", False, actor=INTERVIEWER)
    mark_goal(ws, sid, "last_occurrence", None, actor=INTERVIEWER)
    live = uow.live_sessions.for_session(sid)
    assert live is not None and live.goal_marks == {"role_and_responsibilities": False}
    coverage = cockpit(ws, sid, actor=INTERVIEWER).coverage
    assert (coverage["role_and_responsibilities"].how, coverage["last_occurrence"].how) == ("unticked", "")
    with pytest.raises(NotFound):
        mark_goal(ws, sid, "no_such_goal", True, actor=INTERVIEWER)
    details = [d for a, d in audit(uow, sid) if a == "goal_marked"]
    assert details == [
        {"goal": "last_occurrence", "covered": True},
        {"goal": "role_and_responsibilities", "covered": False},
        {"goal": "last_occurrence", "covered": None},
    ]


def test_session_facts_are_saved_as_typed_and_cleared_when_blank(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = discovery(ws)
    set_fact(ws, sid, "budget", "  about 20k a year ", actor=INTERVIEWER)
    set_fact(ws, sid, "timeline", "Before the Q3 audit", actor=INTERVIEWER)
    commits = uow.commits
    set_fact(ws, sid, "budget", "about 20k a year", actor=INTERVIEWER)  # unchanged: nothing to store
    assert uow.commits == commits
    set_fact(ws, sid, "timeline", " ", actor=INTERVIEWER)
    with pytest.raises(NotFound, match="no session field 'quote'; its fields are decision_makers, budget"):
        set_fact(ws, sid, "quote", "x", actor=INTERVIEWER)
    live = uow.live_sessions.for_session(sid)
    assert live is not None and live.facts == {"budget": "about 20k a year"}


def test_the_meeting_link_is_checked_and_falls_back_to_the_bookings(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = booked_session(uow, status=SessionStatus.SCHEDULED)
    with uow:
        uow.bookings.add(
            Booking(
                id="b1", session_id=sid, source="local", ical_uid="s1@iw", start_at=T0, end_at=T0,
                attendee_name="Lee Park", attendee_email="lee@example.com", meeting_url="https://meet.google.com/abc-defg-hij",
            )
        )  # fmt: skip
        uow.commit()
    ensure_live(ws, sid, actor=INTERVIEWER)
    view = cockpit(ws, sid, actor=INTERVIEWER)
    assert view.meeting is not None and view.meeting.provider == "google_meet"
    with pytest.raises(InvalidInput, match="must be a web address"):
        set_meeting_url(ws, sid, "call me", actor=INTERVIEWER)
    set_meeting_url(ws, sid, f" {ZOOM} ", actor=INTERVIEWER)
    view = cockpit(ws, sid, actor=INTERVIEWER)
    assert view.live.meeting_url == ZOOM and view.meeting is not None and view.meeting.provider == "zoom"
    set_meeting_url(ws, sid, "", actor=INTERVIEWER)
    assert cockpit(ws, sid, actor=INTERVIEWER).meeting.provider == "google_meet"  # type: ignore[union-attr]
    assert [a for a, _ in audit(uow, sid)].count("meeting_link_set") == 2


def test_typed_speech_is_timed_on_the_session_clock_while_active(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    sid = discovery(ws)
    with pytest.raises(InvalidInput, match="Start \\(or resume\\) the session"):
        log_speech(ws, sid, text="Hello", actor=INTERVIEWER)
    start_live(ws, sid, actor=INTERVIEWER)
    clock.advance(seconds=60)
    entry = log_speech(ws, sid, text="  We close the books in six days every month  ", actor=INTERVIEWER)
    assert (entry.text, entry.speaker, entry.source) == (
        "We close the books in six days every month",
        "candidate",
        "typed",
    )
    assert (entry.start, entry.end) == pytest.approx((60 - 0.4 * 9, 60))
    with pytest.raises(InvalidInput, match="Type what was said first"):
        log_speech(ws, sid, text="   ", actor=INTERVIEWER)
    with pytest.raises(InvalidInput, match="candidate or the interviewer"):
        log_speech(ws, sid, text="Hi", speaker="observer", actor=INTERVIEWER)
    assert uow.transcripts.in_session(sid) == [entry]
