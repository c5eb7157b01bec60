"""Interviewer-led sessions: create one from a template, move through its stages, tick goals,
record session facts, and read everything the cockpit shows in one transaction.

A live session is an ordinary Session (interviewer_provider "human", kind = the template's kind) plus
a LiveSession row naming its template and current stage. Stage times are on the session clock, so
timers survive reloads, second tabs and restarts.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from functools import partial

from core import audit
from core.content.problems import Problem
from core.content.templates import InterviewTemplate, TemplateStage
from core.errors import InvalidInput, NotFound
from core.lifecycle import change_status, transition
from core.live.goal_coverage import GoalStatus, goal_coverage
from core.live.stage_clock import StageTimer, stage_timer
from core.logs import session_context
from core.models import (
    Candidate,
    LiveNote,
    LiveSession,
    OutgoingEvent,
    Session,
    SessionStatus,
    TranscriptEntry,
)
from core.outgoing_webhooks import deliveries
from core.outgoing_webhooks.event_payloads import interview_data
from core.permissions.access import authorize, authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action, SessionAction
from core.scheduling.meeting_links import MeetingLink, detect_provider
from core.single_line import single_line
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

HUMAN = "human"  # Session.interviewer_provider of interviewer-led sessions


@dataclass
class Cockpit:
    """Everything the interviewer's page shows about one session, read at one moment."""

    session: Session
    live: LiveSession
    template: InterviewTemplate
    candidate: Candidate | None
    problem: Problem | None
    meeting: MeetingLink | None
    transcript: list[TranscriptEntry]
    notes: list[LiveNote]
    draft: LiveNote | None
    coverage: dict[str, GoalStatus]
    elapsed: float

    @property
    def stage(self) -> TemplateStage:
        return self.template.stage(self.live.stage)

    @property
    def timer(self) -> StageTimer:
        return stage_timer(self.template, self.live, self.elapsed)


def is_live(ws: Workspace, session_id: str) -> bool:
    """Whether the session is interviewer-led (it has, or as a booked human interview will get, a cockpit)."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        return session.interviewer_provider == HUMAN or uow.live_sessions.for_session(session_id) is not None


def create_live_session(
    ws: Workspace,
    *,
    template_id: str,
    candidate_name: str,
    candidate_email: str | None = None,
    candidate_id: str | None = None,
    problem_id: str | None = None,
    meeting_url: str | None = None,
    actor: Actor,
) -> Session:
    """A ready session for an interviewer to run now; the person is found by email or created. It is the
    actor's: they and their team's reviewers see it."""
    authorize_action(ws.settings, actor, Action.RUN_LIVE)
    owner = actor.account
    template = ws.templates.get(template_id)
    name = single_line(candidate_name)
    email = single_line(candidate_email) or None
    if candidate_id is None and not name:
        raise InvalidInput("Enter the name of the person you are interviewing.")
    if meeting_url and meeting_url.strip() and detect_provider(meeting_url) is None:
        raise InvalidInput("The meeting link must be a web address starting with http:// or https://.")
    problem = _problem_for(ws, template, problem_id)
    now = ws.clock()
    session = Session(
        id=uuid.uuid4().hex,
        problem_id=problem.id if problem else "",
        problem_title=problem.title if problem else template.title,
        kind=template.kind,
        interviewer_provider=HUMAN,
        rubric_id=template.rubric_id,
        modes=["notes"],
        status=SessionStatus.READY,
        duration_minutes=template.total_minutes,
        created_at=now,
        updated_at=now,
        owner_id=owner.id if owner else None,
        team=owner.team if owner else "",
    )
    with session_context(session.id), ws.uow_factory() as uow:
        if candidate_id is not None:
            candidate = uow.candidates.get(candidate_id)
        else:
            known = uow.candidates.by_email(email) if email else None
            candidate = known or Candidate(id=uuid.uuid4().hex, name=name, email=email, created_at=now)
            if known is None:
                uow.candidates.add(candidate)
        session.candidate_id = candidate.id
        uow.sessions.add(session)
        uow.live_sessions.add(_new_live(session.id, template, meeting_url=(meeting_url or "").strip() or None))
        audit.record(
            uow,
            "live_session_created",
            actor=actor.name,
            session_id=session.id,
            detail={"template": template.id, "candidate": candidate.id},
            logger=log,
        )
        uow.commit()
    return session


def ensure_live(ws: Workspace, session_id: str, *, actor: Actor, template_id: str | None = None) -> None:
    """Give a booked session its cockpit (the first template of its kind unless one is named) and make
    a scheduled one ready. Does nothing for a session that already has one."""
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
        if uow.live_sessions.for_session(session_id) is not None:
            return
        if template_id is not None:
            template = ws.templates.get(template_id)
        else:
            candidates = ws.templates.for_kind(session.kind)
            if not candidates:
                raise NotFound(f"No interview template is written for {session.kind!r} interviews.")
            template = candidates[0]
        if session.status is SessionStatus.SCHEDULED:
            transition(session, SessionStatus.READY, ws.clock())
        if not template.uses_problem_bank:
            session.problem_title = template.title
        session.interviewer_provider = HUMAN
        session.rubric_id = template.rubric_id
        session.updated_at = ws.clock()
        uow.sessions.update(session)
        uow.live_sessions.add(_new_live(session.id, template))
        audit.record(
            uow,
            "live_session_opened",
            actor=actor.name,
            session_id=session_id,
            detail={"template": template.id},
            logger=log,
        )
        uow.commit()


def start_live(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    """ready → active: the session clock and the first stage's timer start now."""
    change_status(ws, session_id, SessionStatus.ACTIVE, "session_started", actor=actor, logger=log, check=_live)


def pause_live(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    change_status(ws, session_id, SessionStatus.PAUSED, "session_paused", actor=actor, logger=log, check=_live)


def resume_live(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    change_status(ws, session_id, SessionStatus.ACTIVE, "session_resumed", actor=actor, logger=log, check=_live)


def end_live(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    """Complete the session; the current stage's time is logged and a half-typed note is kept as a note."""
    with session_context(session_id), ws.uow_factory() as uow:
        session = _editable(uow, ws, actor, session_id)
        live = _live(uow, session_id)
        now = ws.clock()
        elapsed = session.elapsed_seconds(now)
        transition(session, SessionStatus.COMPLETED, now)
        live.stage_log.append({"stage": live.stage, "start": live.stage_started_seconds, "end": elapsed})
        live.stage_started_seconds = elapsed
        uow.sessions.update(session)
        uow.live_sessions.update(live)
        for note in uow.notes.in_session(session_id, include_drafts=True):
            if note.draft and note.text.strip():
                note.draft = False
                uow.notes.update(note)
        audit.record(
            uow,
            "session_ended",
            actor=actor.name,
            session_id=session_id,
            detail={"stage": live.stage, "elapsed": round(elapsed, 1)},
            logger=log,
        )
        data = partial(interview_data, uow, session)
        hooks = deliveries.emit(uow, ws, OutgoingEvent.INTERVIEW_COMPLETED, data, actor=actor, session_id=session_id)
        uow.commit()
    deliveries.wake(ws, hooks)


def change_stage(ws: Workspace, session_id: str, stage: str, *, actor: Actor) -> LiveSession:
    """Move to another stage (forward or back); the time spent in the one left is logged."""
    with session_context(session_id), ws.uow_factory() as uow:
        session = _editable(uow, ws, actor, session_id)
        live = _live(uow, session_id)
        template = ws.templates.get(live.template_id)
        template.stage(stage)  # NotFound naming the stages
        if stage == live.stage:
            return live
        if not session.is_open:
            raise InvalidInput("This session has ended; its stages can no longer change.")
        elapsed = session.elapsed_seconds(ws.clock())
        live.stage_log.append({"stage": live.stage, "start": live.stage_started_seconds, "end": elapsed})
        previous, live.stage, live.stage_started_seconds = live.stage, stage, elapsed
        live = uow.live_sessions.update(live)
        audit.record(
            uow,
            "stage_changed",
            actor=actor.name,
            session_id=session_id,
            detail={"from": previous, "to": stage, "at": round(elapsed, 1)},
            logger=log,
        )
        uow.commit()
        return live


def mark_goal(ws: Workspace, session_id: str, goal: str, covered: bool | None, *, actor: Actor) -> None:
    """Tick (True) or untick (False) a goal by hand; None hands it back to the automatic checks."""
    with ws.uow_factory() as uow:
        _editable(uow, ws, actor, session_id)
        live = _live(uow, session_id)
        ws.templates.get(live.template_id).goal(goal)  # NotFound for an unknown goal
        if covered is None:
            live.goal_marks.pop(goal, None)
        else:
            live.goal_marks[goal] = covered
        uow.live_sessions.update(live)
        audit.record(
            uow,
            "goal_marked",
            actor=actor.name,
            session_id=session_id,
            detail={"goal": goal, "covered": covered},
            logger=log,
        )
        uow.commit()


def set_fact(ws: Workspace, session_id: str, key: str, value: str, *, actor: Actor) -> None:
    """One of the template's session-scope fields (decision-makers, budget, …), saved as typed."""
    with ws.uow_factory() as uow:
        _editable(uow, ws, actor, session_id)
        live = _live(uow, session_id)
        template = ws.templates.get(live.template_id)
        known = [f.key for f in template.notes.fields if f.scope == "session"] if template.notes else []
        if key not in known:
            raise NotFound(
                f"{template.title} has no session field {key!r}; its fields are {', '.join(known) or 'none'}."
            )
        text = value.strip()
        if live.facts.get(key, "") == text:
            return
        if text:
            live.facts[key] = text
        else:
            live.facts.pop(key, None)
        uow.live_sessions.update(live)
        uow.commit()


def set_meeting_url(ws: Workspace, session_id: str, url: str, *, actor: Actor) -> None:
    if url.strip() and detect_provider(url, cal_hosts=ws.settings.scheduling.calcom_hosts) is None:
        raise InvalidInput("The meeting link must be a web address starting with http:// or https://.")
    with ws.uow_factory() as uow:
        _editable(uow, ws, actor, session_id)
        live = _live(uow, session_id)
        live.meeting_url = url.strip() or None
        uow.live_sessions.update(live)
        audit.record(uow, "meeting_link_set", actor=actor.name, session_id=session_id, logger=log)
        uow.commit()


def _editable(uow: UnitOfWork, ws: Workspace, actor: Actor, session_id: str) -> Session:
    """The session, once the policy lets `actor` change it."""
    session = uow.sessions.get(session_id)
    authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
    return session


def cockpit(ws: Workspace, session_id: str, *, actor: Actor) -> Cockpit:
    """What the cockpit shows; AccessDenied (worded as not found) for someone who may not see the session."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, session)
        live = _live(uow, session_id)
        template = ws.templates.get(live.template_id)
        candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
        booking = uow.bookings.for_session(session_id)
        transcript = uow.transcripts.in_session(session_id)
        notes = uow.notes.in_session(session_id, include_drafts=True)
    saved = [n for n in notes if not n.draft]
    drafts = [n for n in notes if n.draft]
    url = live.meeting_url or (booking.meeting_url if booking else None)
    return Cockpit(
        session=session,
        live=live,
        template=template,
        candidate=candidate,
        problem=_problem_for(ws, template, session.problem_id) if template.uses_problem_bank else None,
        meeting=detect_provider(url, cal_hosts=ws.settings.scheduling.calcom_hosts),
        transcript=transcript,
        notes=saved,
        draft=drafts[-1] if drafts else None,
        coverage=goal_coverage(template, transcript=transcript, notes=saved, marks=live.goal_marks),
        elapsed=session.elapsed_seconds(ws.clock()),
    )


def live_template(ws: Workspace, session_id: str) -> InterviewTemplate:
    with ws.uow_factory() as uow:
        return ws.templates.get(_live(uow, session_id).template_id)


# --- helpers -----------------------------------------------------------------------------------------


def _new_live(session_id: str, template: InterviewTemplate, *, meeting_url: str | None = None) -> LiveSession:
    return LiveSession(
        session_id=session_id,
        template_id=template.id,
        template_version=template.version,
        stage=template.stages[0].key,
        meeting_url=meeting_url,
    )


def _live(uow: UnitOfWork, session_id: str) -> LiveSession:
    live = uow.live_sessions.for_session(session_id)
    if live is None:
        raise NotFound("This session is not interviewer-led; open it on the Interview page.")
    return live


def _problem_for(ws: Workspace, template: InterviewTemplate, problem_id: str | None) -> Problem | None:
    if not template.uses_problem_bank:
        return None
    if not problem_id:
        raise InvalidInput(f"{template.title} needs a problem from the problem bank; choose one.")
    return ws.problems.get(problem_id)


def log_speech(
    ws: Workspace, session_id: str, *, text: str, speaker: str = "candidate", actor: Actor
) -> TranscriptEntry:
    """A line typed into the transcript (what the other side just said), timed on the session clock; only by
    someone who may change the session (those running it), like the cockpit's other writes."""
    words = text.strip()
    if not words:
        raise InvalidInput("Type what was said first.")
    if speaker not in ("candidate", "interviewer"):
        raise InvalidInput("The speaker is the candidate or the interviewer.")
    with ws.uow_factory() as uow:
        session = _editable(uow, ws, actor, session_id)
        if session.status is not SessionStatus.ACTIVE:
            raise InvalidInput("Start (or resume) the session to add to its transcript.")
        end = session.elapsed_seconds(ws.clock())
        start = max(0.0, end - min(30.0, 0.4 * len(words.split())))  # typed after it was said: about 150 wpm
        entry = uow.transcripts.add(
            TranscriptEntry(session_id=session_id, speaker=speaker, text=words, start=start, end=end, source="typed")
        )
        uow.commit()
        return entry
