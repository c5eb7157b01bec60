"""What a recommendation sets in motion, over the in-memory unit of work: its follow-up tasks (owners
from the team, due on working days), the replacement of an earlier recommendation's open tasks, the
pipeline move and the audit entries — all inside the caller's unit of work, stored only on its commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from core.content.templates import FollowUpSpec, InterviewTemplate
from core.debrief.follow_ups import add_task, set_task_status, tasks_for
from core.debrief.recommendation_effects import RecommendationEffects, apply_recommendation
from core.errors import ContentError, NotFound
from core.models import Candidate, LiveSession, MemberRole, Session, SessionStatus, TeamMember
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

FRIDAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
OWNERS = {"recruiter": "Recruiting team", "hiring_manager": "Hiring manager"}


@dataclass
class Setup:
    ws: Workspace
    uow: FakeUnitOfWork
    session: Session
    template: InterviewTemplate


def member(name: str, role: MemberRole) -> TeamMember:
    return TeamMember(id=uuid.uuid4().hex, name=name, email=f"{name.split()[0].lower()}@example.com", role=role)


def setup(*, candidate_name: str | None = "Ana Rossi", team: Sequence[TeamMember] = (), interviewers: int = 0) -> Setup:
    """A completed customer-discovery session as the cockpit leaves it; the first `interviewers` of
    `team` ran it."""
    uow = FakeUnitOfWork()
    ws = fake_workspace(uow, Clock(NOW))
    candidate = Candidate(id="c1", name=candidate_name, email="ana@example.com") if candidate_name else None
    session = Session(
        id="s1", problem_id="", kind="customer_discovery", candidate_id=candidate.id if candidate else None,
        interviewer_provider="human", status=SessionStatus.COMPLETED, created_at=NOW,
    )  # fmt: skip
    with uow:
        if candidate:
            uow.candidates.add(candidate)
        uow.sessions.add(session)
        uow.live_sessions.add(
            LiveSession(
                session_id="s1", template_id="customer_discovery", template_version="1", stage="context_and_role"
            )
        )
        for person in team:
            uow.team_members.add(person)
        uow.session_interviewers.set("s1", [m.id for m in team[:interviewers]])
        uow.commit()
    return Setup(ws, uow, session, ws.templates.get("customer_discovery"))


def recommend(s: Setup, key: str, *, owners: dict[str, str] = OWNERS) -> RecommendationEffects:
    with s.uow as uow:
        effects = apply_recommendation(
            uow, session=s.session, template=s.template, key=key, actor="lead", today=FRIDAY, owners=owners
        )
        uow.commit()
    return effects


def test_tasks_get_owners_from_the_team_and_working_day_due_dates_and_the_person_moves() -> None:
    s = setup(
        team=[member("Ben Carter", MemberRole.INTERVIEWER), member("Maya Lund", MemberRole.RECRUITER)], interviewers=1
    )
    effects = recommend(s, "activation_candidate")
    assert [(t.title, t.owner, t.due_on, t.status, t.source) for t in effects.tasks] == [
        (
            "Send Ana Rossi the pilot proposal, built on the example they walked us through",
            "Ben Carter",
            date(2026, 11, 23),  # Friday + 2 is a Sunday: Monday
            "open",
            "recommendation",
        ),
        (
            "Set up the pilot workspace and book the onboarding call with Ana Rossi",
            "Maya Lund",
            date(2026, 11, 25),
            "open",
            "recommendation",
        ),
    ]
    assert s.uow.follow_ups.in_session("s1") == effects.tasks
    assert effects.pipeline is not None
    assert (effects.pipeline.status, effects.pipeline.source, effects.pipeline.reason, effects.pipeline.session_id) == (
        "activation",
        "recommendation",
        "Recommendation: Activation Candidate",
        "s1",
    )
    created, moved = s.uow.audit.latest(session_id="s1")
    assert (created.action, created.actor, created.detail["recommendation"], created.detail["cancelled"]) == (
        "follow_ups_created",
        "lead",
        "activation_candidate",
        [],
    )
    assert [t["id"] for t in created.detail["tasks"]] == [t.id for t in effects.tasks]
    assert (moved.action, moved.detail) == (
        "pipeline_moved",
        {"candidate": "c1", "from": None, "to": "activation", "reason": "Recommendation: Activation Candidate"},
    )


def test_a_new_recommendation_cancels_only_the_earlier_open_recommended_tasks() -> None:
    s = setup()
    first = recommend(s, "activation_candidate")
    manual = add_task(
        s.ws, "s1", title="Share the notes with sales", owner="ben", due_on=FRIDAY, actor=Actor.workspace("ben")
    )
    done = set_task_status(s.ws, first.tasks[1].id, status="done", actor=Actor.workspace("maya"))

    second = recommend(s, "follow_up_needed")
    assert second.cancelled == 1
    stored = {t.id: t.status for t in tasks_for(s.ws, "s1", actor=INTERVIEWER)}
    assert stored == {
        first.tasks[0].id: "cancelled",
        done.id: "done",
        manual.id: "open",
        **{t.id: "open" for t in second.tasks},
    }
    assert s.uow.audit.latest(session_id="s1")[-2].detail["cancelled"] == [first.tasks[0].id]
    assert [c.status for c in s.uow.pipeline.history("c1")] == ["activation", "follow_up"]


def test_the_same_recommendation_again_replans_its_tasks_but_does_not_move_the_person() -> None:
    s = setup()  # nobody on the team: the actor and the configured names own the tasks
    recommend(s, "activation_candidate")
    again = recommend(s, "activation_candidate")
    assert again.pipeline is None and again.cancelled == 2
    assert [t.owner for t in again.tasks] == ["lead", "Recruiting team"]
    assert [c.status for c in s.uow.pipeline.history("c1")] == ["activation"]
    assert recommend(s, "not_a_fit", owners={}).tasks[0].owner == "lead"


def test_nothing_is_stored_unless_the_caller_commits() -> None:
    s = setup()
    with s.uow as uow:
        effects = apply_recommendation(
            uow, session=s.session, template=s.template, key="not_a_fit", actor="lead", today=FRIDAY, owners={}
        )
        assert len(effects.tasks) == 1 and effects.pipeline is not None
    assert s.uow.follow_ups.in_session("s1") == [] and s.uow.pipeline.history("c1") == []
    assert s.uow.audit.latest() == []


def test_a_bad_title_or_an_unknown_key_fails_before_anything_changes() -> None:
    s = setup()
    first = recommend(s, "activation_candidate")
    broken_choice = s.template.recommendation("not_a_fit").model_copy(
        update={"follow_ups": [FollowUpSpec(title="Call {{candidate.phone}}")]}
    )
    broken = s.template.model_copy(update={"recommendations": [broken_choice]})
    with s.uow as uow:
        with pytest.raises(ContentError, match=r"Unknown merge tag candidate\.phone"):
            apply_recommendation(
                uow, session=s.session, template=broken, key="not_a_fit", actor="l", today=FRIDAY, owners={}
            )
        with pytest.raises(NotFound, match="no recommendation 'maybe'"):
            apply_recommendation(
                uow, session=s.session, template=s.template, key="maybe", actor="l", today=FRIDAY, owners={}
            )
        assert uow.follow_ups.in_session("s1") == first.tasks  # planned first: the earlier tasks are untouched
        assert len(uow.audit.latest()) == 2


def test_a_session_without_a_candidate_gets_tasks_but_no_pipeline_change() -> None:
    s = setup(candidate_name=None)
    effects = recommend(s, "not_a_fit")
    assert effects.pipeline is None
    assert [t.title for t in effects.tasks] == ["Record why the candidate is not a fit, so product can learn from it"]
    assert [e.action for e in s.uow.audit.latest(session_id="s1")] == ["follow_ups_created"]
