"""What a recommendation sets in motion, on SQLite and PostgreSQL: follow-up tasks (replaced when the
recommendation changes, manual ones kept), the candidate's pipeline (moved by recommendations, overridden by
hand with a reason), the audit trail, and the email draft of the latest recommendation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.config import Settings
from core.content.templates import FollowUpSpec, InterviewTemplate
from core.debrief.email_templates import email_draft, render_email, to_eml
from core.debrief.follow_ups import add_task, set_task_status, tasks_for
from core.debrief.pipeline import current_status, for_session, history, set_status
from core.debrief.recommendation_effects import RecommendationEffects, apply_recommendation
from core.errors import ContentError, InvalidInput, NotFound
from core.models import (
    Candidate,
    LiveSession,
    MemberRole,
    RecommendationRecord,
    Session,
    SessionStatus,
    TeamMember,
)
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from storage.database import make_engine
from storage.files import LocalFileStore
from storage.unit_of_work import make_uow_factory
from tests.actors import INTERVIEWER

FRIDAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
OWNERS = {"recruiter": "Recruiting team", "hiring_manager": "Hiring manager"}


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Problem bank, rubrics and templates, loaded once for the module."""
    return build_workspace(Settings(runtime_dir=tmp_path_factory.mktemp("content")))


@pytest.fixture
def ws(database_url: str, tmp_path: Path, content: Workspace) -> Iterator[Workspace]:
    settings = Settings(database_url=database_url, runtime_dir=tmp_path / "runtime")
    engine: Engine = make_engine(settings.effective_database_url)
    yield replace(
        content,
        settings=settings,
        uow_factory=make_uow_factory(engine),
        files=LocalFileStore(settings.runtime_path),
        clock=lambda: NOW,
    )
    engine.dispose()


@dataclass
class Setup:
    session: Session
    candidate: Candidate | None
    template: InterviewTemplate


def discovery_session(
    ws: Workspace, *, candidate_name: str | None = "Ana Rossi", interviewers: Sequence[TeamMember] = ()
) -> Setup:
    """A customer-discovery session as the cockpit leaves it: session, candidate, live session, interviewers."""
    candidate = Candidate(id=uuid.uuid4().hex, name=candidate_name, email="ana@example.com") if candidate_name else None
    session = Session(
        id=uuid.uuid4().hex,
        problem_id="",
        kind="customer_discovery",
        candidate_id=candidate.id if candidate else None,
        interviewer_provider="human",
        status=SessionStatus.COMPLETED,
        created_at=datetime(2026, 11, 20, 14, 0, tzinfo=UTC),
    )
    with ws.uow_factory() as uow:
        if candidate:
            uow.candidates.add(candidate)
        uow.sessions.add(session)
        uow.live_sessions.add(
            LiveSession(
                session_id=session.id,
                template_id="customer_discovery",
                template_version="1",
                stage="context_and_role",
                facts={"decision_makers": "Maria, the CFO"},
            )
        )
        for member in interviewers:
            uow.team_members.add(member)
        uow.session_interviewers.set(session.id, [m.id for m in interviewers])
        uow.commit()
    return Setup(session, candidate, ws.templates.get("customer_discovery"))


def member(name: str, role: MemberRole) -> TeamMember:
    return TeamMember(id=uuid.uuid4().hex, name=name, email=f"{name.split()[0].lower()}@example.com", role=role)


def recommend(ws: Workspace, setup: Setup, key: str, *, today: date = FRIDAY) -> RecommendationEffects:
    """As the debrief does it: record the recommendation and apply it in one transaction."""
    with ws.uow_factory() as uow:
        uow.recommendations.add(
            RecommendationRecord(session_id=setup.session.id, key=key, confidence=0.8, source="computed", actor="lead")
        )
        effects = apply_recommendation(
            uow, session=setup.session, template=setup.template, key=key, actor="lead", today=today, owners=OWNERS
        )
        uow.commit()
    return effects


def audit_actions(ws: Workspace, session_id: str) -> list[str]:
    with ws.uow_factory() as uow:
        return [entry.action for entry in uow.audit.latest(session_id=session_id)]


def test_a_new_recommendation_replaces_the_earlier_ones_open_tasks_and_moves_the_pipeline(ws: Workspace) -> None:
    ben = member("Ben Carter", MemberRole.INTERVIEWER)
    maya = member("Maya Lund", MemberRole.RECRUITER)
    setup = discovery_session(ws, interviewers=[ben])
    with ws.uow_factory() as uow:
        uow.team_members.add(maya)
        uow.commit()

    first = recommend(ws, setup, "activation_candidate")

    assert first.cancelled == 0
    assert [(t.title, t.owner, t.due_on, t.status) for t in first.tasks] == [
        (
            "Send Ana Rossi the pilot proposal, built on the example they walked us through",
            "Ben Carter",
            date(2026, 11, 23),  # Friday + 2 falls on Sunday: Monday
            "open",
        ),
        (
            "Set up the pilot workspace and book the onboarding call with Ana Rossi",
            "Maya Lund",
            date(2026, 11, 25),
            "open",
        ),
    ]
    assert first.pipeline is not None and first.pipeline.status == "activation"
    # a manual task, and a recommended one already done: neither is touched by the next recommendation
    manual = add_task(
        ws,
        setup.session.id,
        title="  Share the  notes with sales ",
        owner="",
        due_on=FRIDAY,
        actor=Actor.workspace("ben"),
    )
    assert (manual.title, manual.owner, manual.source) == ("Share the notes with sales", "ben", "manual")
    done = set_task_status(ws, first.tasks[1].id, status="done", actor=Actor.workspace("maya"))

    second = recommend(ws, setup, "follow_up_needed")

    assert second.cancelled == 1  # only the proposal task was still open
    assert [t.title for t in second.tasks] == [
        "Fill the gaps from the interview with Ana Rossi (decision process, budget, timeline)",
        "Book a second conversation with Ana Rossi and the person who decides",
    ]
    stored = {t.id: t for t in tasks_for(ws, setup.session.id, actor=INTERVIEWER)}
    assert stored[first.tasks[0].id].status == "cancelled"
    assert stored[done.id].status == "done"
    assert stored[manual.id].status == "open"
    assert all(
        stored[t.id].status == "open" and stored[t.id].recommendation == "follow_up_needed" for t in second.tasks
    )
    assert len(stored) == 5
    due = [t.due_on for t in tasks_for(ws, setup.session.id, actor=INTERVIEWER)]
    assert due == sorted(due)  # soonest first

    assert setup.candidate is not None
    moves = history(ws, setup.candidate.id)
    assert [(m.status, m.source, m.reason, m.session_id) for m in moves] == [
        ("activation", "recommendation", "Recommendation: Activation Candidate", setup.session.id),
        ("follow_up", "recommendation", "Recommendation: Follow-up Needed", setup.session.id),
    ]
    current = current_status(ws, setup.candidate.id)
    assert current is not None and current.status == "follow_up"
    assert audit_actions(ws, setup.session.id) == [
        "follow_ups_created",
        "pipeline_moved",
        "follow_up_added",
        "follow_up_status",
        "follow_ups_created",
        "pipeline_moved",
    ]
    with ws.uow_factory() as uow:
        created = [e for e in uow.audit.latest(session_id=setup.session.id) if e.action == "follow_ups_created"]
    assert created[-1].detail["cancelled"] == [first.tasks[0].id]
    assert created[-1].detail["recommendation"] == "follow_up_needed"


def test_a_recommendation_with_the_same_status_does_not_move_the_pipeline_again(ws: Workspace) -> None:
    setup = discovery_session(ws)
    recommend(ws, setup, "activation_candidate")
    again = recommend(ws, setup, "activation_candidate")

    assert again.pipeline is None
    assert again.cancelled == 2 and len(again.tasks) == 2  # the tasks are planned afresh
    assert setup.candidate is not None
    assert [m.status for m in history(ws, setup.candidate.id)] == ["activation"]
    # no interviewer on the session: the actor owns the interviewer's tasks
    assert [t.owner for t in again.tasks] == ["lead", "Recruiting team"]


def test_nothing_is_stored_unless_the_caller_commits(ws: Workspace) -> None:
    setup = discovery_session(ws)
    with ws.uow_factory() as uow:
        effects = apply_recommendation(
            uow, session=setup.session, template=setup.template, key="not_a_fit", actor="lead", today=FRIDAY, owners={}
        )
        assert len(effects.tasks) == 1 and effects.pipeline is not None
    assert tasks_for(ws, setup.session.id, actor=INTERVIEWER) == []
    assert setup.candidate is not None and history(ws, setup.candidate.id) == []
    assert audit_actions(ws, setup.session.id) == []


def test_a_bad_title_changes_nothing(ws: Workspace) -> None:
    setup = discovery_session(ws)
    first = recommend(ws, setup, "activation_candidate")
    broken_rec = setup.template.recommendation("not_a_fit").model_copy(
        update={"follow_ups": [FollowUpSpec(title="Call {{candidate.phone}}")]}
    )
    broken = setup.template.model_copy(update={"recommendations": [broken_rec]})
    with ws.uow_factory() as uow, pytest.raises(ContentError, match=r"Unknown merge tag candidate\.phone"):
        apply_recommendation(
            uow, session=setup.session, template=broken, key="not_a_fit", actor="lead", today=FRIDAY, owners={}
        )
    assert {t.status for t in tasks_for(ws, setup.session.id, actor=INTERVIEWER)} == {"open"}
    assert len(first.tasks) == 2
    with ws.uow_factory() as uow, pytest.raises(NotFound, match="no recommendation 'maybe'"):
        apply_recommendation(
            uow, session=setup.session, template=setup.template, key="maybe", actor="lead", today=FRIDAY, owners={}
        )


def test_a_session_without_a_candidate_gets_tasks_but_no_pipeline_change(ws: Workspace) -> None:
    setup = discovery_session(ws, candidate_name=None)

    effects = recommend(ws, setup, "not_a_fit")

    assert effects.pipeline is None
    assert [t.title for t in effects.tasks] == ["Record why the candidate is not a fit, so product can learn from it"]
    assert for_session(ws, setup.session.id, actor=INTERVIEWER) is None
    assert audit_actions(ws, setup.session.id) == ["follow_ups_created"]


def test_a_manual_override_needs_a_known_status_and_a_reason_and_is_audited(ws: Workspace) -> None:
    setup = discovery_session(ws)
    assert setup.candidate is not None
    candidate_id = setup.candidate.id
    recommend(ws, setup, "follow_up_needed")

    with pytest.raises(InvalidInput, match="needs a reason"):
        set_status(ws, candidate_id, status="withdrawn", reason="   ", actor=Actor.workspace("maya"))
    with pytest.raises(InvalidInput) as unknown:
        set_status(ws, candidate_id, status="hired", reason="Signed", actor=Actor.workspace("maya"))
    assert str(unknown.value) == (
        "'hired' is not a pipeline status; the statuses are "
        "new, interviewing, activation, follow_up, not_a_fit, offer_review, debrief, rejected, withdrawn."
    )
    with pytest.raises(InvalidInput, match="already at Follow-up"):
        set_status(ws, candidate_id, status="follow_up", reason="No change", actor=Actor.workspace("maya"))
    with pytest.raises(NotFound):
        set_status(ws, "nobody", status="withdrawn", reason="Gone", actor=Actor.workspace("maya"))

    change = set_status(
        ws,
        candidate_id,
        status="withdrawn",
        reason=" Chose another vendor ",
        session_id=setup.session.id,
        actor=Actor.workspace("maya"),
    )

    assert (change.status, change.source, change.actor, change.reason) == (
        "withdrawn",
        "manual",
        "maya",
        "Chose another vendor",
    )
    assert [(m.status, m.source) for m in history(ws, candidate_id)] == [
        ("follow_up", "recommendation"),
        ("withdrawn", "manual"),
    ]
    pipeline = for_session(ws, setup.session.id, actor=INTERVIEWER)
    assert pipeline is not None and pipeline.current is not None and pipeline.current.status == "withdrawn"
    with ws.uow_factory() as uow:
        overridden = [e for e in uow.audit.latest(session_id=setup.session.id) if e.action == "pipeline_overridden"]
    assert len(overridden) == 1
    assert overridden[0].actor == "maya"
    assert overridden[0].detail == {
        "candidate": candidate_id,
        "from": "follow_up",
        "to": "withdrawn",
        "reason": "Chose another vendor",
    }


def test_tasks_by_hand_and_their_status(ws: Workspace) -> None:
    setup = discovery_session(ws)
    with pytest.raises(InvalidInput, match="needs a title"):
        add_task(ws, setup.session.id, title="  ", owner="ben", due_on=FRIDAY, actor=Actor.workspace("ben"))
    with pytest.raises(NotFound):
        add_task(ws, "no-such-session", title="Call", owner="ben", due_on=FRIDAY, actor=Actor.workspace("ben"))

    task = add_task(
        ws, setup.session.id, title="Call Ana", owner="Ben", due_on=date(2026, 11, 24), actor=Actor.workspace("ben")
    )
    assert set_task_status(ws, task.id, status="done", actor=Actor.workspace("ben")).status == "done"
    assert set_task_status(ws, task.id, status="open", actor=Actor.workspace("ben")).status == "open"
    with pytest.raises(InvalidInput, match="open or done"):
        set_task_status(ws, task.id, status="cancelled", actor=Actor.workspace("ben"))

    recommended = recommend(ws, setup, "activation_candidate").tasks[0]
    recommend(ws, setup, "not_a_fit")
    with pytest.raises(InvalidInput, match="was cancelled"):
        set_task_status(ws, recommended.id, status="done", actor=Actor.workspace("ben"))
    assert [t.status for t in tasks_for(ws, setup.session.id, actor=INTERVIEWER) if t.id == task.id] == ["open"]


def test_the_email_draft_follows_the_latest_recommendation(ws: Workspace) -> None:
    ben = member("Ben Carter", MemberRole.INTERVIEWER)
    setup = discovery_session(ws, interviewers=[ben])
    assert email_draft(ws, setup.session.id) is None  # no recommendation yet

    recommend(ws, setup, "activation_candidate")
    recommend(ws, setup, "not_a_fit")
    draft = email_draft(ws, setup.session.id, timezone="Europe/Rome")

    assert draft is not None
    assert (draft.recommendation, draft.recommendation_label) == ("not_a_fit", "Not a Fit")
    assert draft.to == "Ana Rossi <ana@example.com>"
    assert draft.sender == "Ben Carter <ben@example.com>"
    assert "facts.decision_makers" in draft.tags and "candidate.first_name" in draft.tags
    assert draft.context["facts"]["decision_makers"] == "Maria, the CFO"
    rendered = render_email(draft.spec, draft.context)
    assert rendered.subject == "Thank you for your time"
    assert rendered.body.startswith("Hi Ana,\n\nThank you for talking with us on Friday 20 November 2026 and for being")
    assert rendered.body.endswith("Ben Carter")

    message = message_from_bytes(to_eml(rendered, to=draft.to, sender=draft.sender, date=NOW), policy=policy.default)
    assert message["To"] == "Ana Rossi <ana@example.com>"
    assert message["Subject"] == "Thank you for your time"


def test_without_interviewers_the_draft_comes_from_the_organizer(ws: Workspace) -> None:
    setup = discovery_session(ws)
    recommend(ws, setup, "follow_up_needed")
    draft = email_draft(ws, setup.session.id)
    assert draft is not None
    assert draft.sender == "Interview Workspace <interviews@interview-workspace.local>"
    assert render_email(draft.spec, draft.context).body.endswith("The interview team")
