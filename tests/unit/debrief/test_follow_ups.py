"""Planning a recommendation's follow-up tasks, without storage: due dates on working days, owners resolved
from roles, titles with merge tags filled in. Also the pipeline statuses recommendations move people to.
Then the task services over the in-memory unit of work: tasks added by hand, marked done or open, audited."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from core.content.templates import FollowUpSpec, InterviewTemplate, TemplateLibrary, load_templates
from core.debrief.follow_ups import (
    MAX_OWNER_CHARS,
    MAX_TITLE_CHARS,
    add_task,
    cancel_recommended,
    due_date,
    plan_follow_ups,
    role_label,
    role_owners,
    set_task_status,
    tasks_for,
    working_day,
)
from core.debrief.pipeline import status_label, statuses
from core.errors import ContentError, InvalidInput, NotFound
from core.models import Candidate, FollowUpTask, MemberRole, Session, TeamMember
from core.notifications.merge_context import merge_context
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

ROOT = Path(__file__).resolve().parents[3]
FRIDAY = date(2026, 11, 20)
MONDAY = date(2026, 11, 23)
SESSION = Session(id="s1", problem_id="", kind="customer_discovery", created_at=datetime(2026, 11, 20, tzinfo=UTC))


@pytest.fixture(scope="module")
def library() -> TemplateLibrary:
    return load_templates(ROOT / "data" / "templates")


@pytest.fixture(scope="module")
def discovery(library: TemplateLibrary) -> InterviewTemplate:
    return library.get("customer_discovery")


def member(name: str, role: MemberRole, *, active: bool = True) -> TeamMember:
    return TeamMember(id=name.lower(), name=name, email=f"{name.lower()}@example.com", role=role, active=active)


def context(template: InterviewTemplate | None, *, name: str = "Ana Rossi") -> dict[str, object]:
    return merge_context(
        candidate=Candidate(id="c1", name=name) if name else None,
        session=SESSION,
        booking=None,
        live=None,
        template=template,
        interviewer_names=["Ben Carter"],
        recommendation_label="Activation Candidate",
    )


# --- due dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "days", "due"),
    [
        (MONDAY, 2, date(2026, 11, 25)),  # Wednesday: a weekday stays
        (MONDAY, 0, MONDAY),
        (FRIDAY, 0, FRIDAY),
        (FRIDAY, 1, MONDAY),  # Saturday rolls to Monday
        (FRIDAY, 2, MONDAY),  # Sunday rolls to Monday
        (FRIDAY, 3, MONDAY),
        (date(2026, 11, 19), 2, date(2026, 11, 23)),  # Thursday + 2 is Saturday
        (date(2026, 11, 21), 0, MONDAY),  # planned on a Saturday, due today: Monday
        (date(2026, 12, 31), 3, date(2027, 1, 4)),  # Sunday 3 January, across the year
    ],
)
def test_due_dates_land_on_working_days(today: date, days: int, due: date) -> None:
    assert due_date(today, days) == due
    assert due.weekday() < 5


def test_working_day_keeps_weekdays() -> None:
    assert [working_day(date(2026, 11, d)).day for d in range(16, 23)] == [16, 17, 18, 19, 20, 23, 23]


# --- owners ----------------------------------------------------------------------------------------------


def test_the_interviewer_role_is_the_sessions_interviewers_else_the_actor() -> None:
    owners = role_owners(interviewer_names=["Ben Carter", "Cleo Diaz"], members=[], fallback={}, actor="interviewer")
    assert owners["interviewer"] == "Ben Carter, Cleo Diaz"

    nobody = role_owners(interviewer_names=[], members=[], fallback={}, actor="Dana (lead)")
    assert nobody["interviewer"] == "Dana (lead)"


def test_other_roles_are_a_team_member_holding_them_else_the_configured_name_else_the_role() -> None:
    members = [
        member("Zed", MemberRole.RECRUITER),
        member("Maya", MemberRole.RECRUITER),
        member("Aaron", MemberRole.RECRUITER, active=False),  # left the team: never an owner
        member("Ben", MemberRole.INTERVIEWER),
    ]
    fallback = {"recruiter": "Recruiting team", "hiring_manager": "Hiring manager (Priya)"}

    owners = role_owners(interviewer_names=[], members=members, fallback=fallback, actor="interviewer")
    assert owners == {"interviewer": "interviewer", "recruiter": "Maya", "hiring_manager": "Hiring manager (Priya)"}

    unconfigured = role_owners(interviewer_names=[], members=[], fallback={}, actor="interviewer")
    assert unconfigured["recruiter"] == "Recruiter" == role_label("recruiter")
    assert unconfigured["hiring_manager"] == "Hiring manager"


# --- planning --------------------------------------------------------------------------------------------


def test_a_recommendation_plans_its_tasks_with_names_owners_and_working_days(discovery: InterviewTemplate) -> None:
    specs = discovery.recommendation("activation_candidate").follow_ups
    owners = {"interviewer": "Ben Carter", "recruiter": "Maya", "hiring_manager": "Priya"}

    tasks = plan_follow_ups(
        specs,
        session=SESSION,
        context=context(discovery),
        owners_by_role=owners,
        today=FRIDAY,
        recommendation="activation_candidate",
    )

    assert [(t.title, t.owner, t.due_on) for t in tasks] == [
        (
            "Send Ana Rossi the pilot proposal, built on the example they walked us through",
            "Ben Carter",
            date(2026, 11, 23),  # Friday + 2 = Sunday → Monday
        ),
        (
            "Set up the pilot workspace and book the onboarding call with Ana Rossi",
            "Maya",
            date(2026, 11, 25),  # Friday + 5 = Wednesday
        ),
    ]
    assert {(t.session_id, t.status, t.source, t.recommendation) for t in tasks} == {
        ("s1", "open", "recommendation", "activation_candidate")
    }
    assert len({t.id for t in tasks}) == 2


def test_every_shipped_recommendation_plans_without_errors(library: TemplateLibrary) -> None:
    for template in library.all():
        for recommendation in template.recommendations:
            tasks = plan_follow_ups(
                recommendation.follow_ups,
                session=SESSION,
                context=context(template),
                owners_by_role={},
                today=MONDAY,
            )
            assert len(tasks) == len(recommendation.follow_ups)
            for task, spec in zip(tasks, recommendation.follow_ups, strict=True):
                assert "{" not in task.title and "Ana Rossi" in task.title
                assert task.owner == role_label(spec.owner)  # no owners given: the role itself
                assert task.due_on.weekday() < 5


def test_a_task_without_a_candidate_names_them_generically(discovery: InterviewTemplate) -> None:
    specs = discovery.recommendation("not_a_fit").follow_ups
    tasks = plan_follow_ups(
        specs, session=SESSION, context=context(discovery, name=""), owners_by_role={}, today=MONDAY
    )
    assert tasks[0].title == "Record why the candidate is not a fit, so product can learn from it"


def test_a_bad_merge_tag_in_a_title_is_a_content_error(discovery: InterviewTemplate) -> None:
    specs = [FollowUpSpec(title="Call {{candidate.phone}}", owner="recruiter", due_in_days=1)]
    with pytest.raises(ContentError, match=r"^Unknown merge tag candidate\.phone; available: "):
        plan_follow_ups(specs, session=SESSION, context=context(discovery), owners_by_role={}, today=MONDAY)


# --- pipeline statuses -----------------------------------------------------------------------------------


def test_statuses_are_the_templates_plus_the_ones_every_pipeline_has(library: TemplateLibrary) -> None:
    known = statuses(library)
    assert known[:2] == ["new", "interviewing"]
    assert known[-1] == "withdrawn"
    assert set(known[2:-1]) == {"activation", "follow_up", "not_a_fit", "offer_review", "debrief", "rejected"}
    assert len(known) == len(set(known))


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("activation", "Activation"),
        ("follow_up", "Follow-up"),
        ("not_a_fit", "Not a fit"),
        ("offer_review", "Offer review"),
        ("new", "New"),
        ("withdrawn", "Withdrawn"),
    ],
)
def test_statuses_read_as_words(key: str, label: str) -> None:
    assert status_label(key) == label


# --- the task services -----------------------------------------------------------------------------------


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    with fake:
        fake.sessions.add(Session(id="s1", problem_id="", kind="customer_discovery"))
        fake.commit()
    return fake


@pytest.fixture
def ws(uow: FakeUnitOfWork) -> Workspace:
    return fake_workspace(uow, Clock(datetime(2026, 11, 20, 16, tzinfo=UTC)))


def audited(uow: FakeUnitOfWork) -> list[tuple[str, str, dict[str, object]]]:
    return [(e.action, e.actor, e.detail) for e in uow.audit.latest(session_id="s1")]


def test_a_task_added_by_hand_is_tidied_owned_by_its_adder_when_blank_and_audited(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    task = add_task(
        ws, "s1", title="  Share the \n notes   with sales ", owner="  ", due_on=FRIDAY, actor=Actor.workspace("ben")
    )
    assert (task.title, task.owner, task.status, task.source, task.recommendation) == (
        "Share the notes with sales",
        "ben",
        "open",
        "manual",
        None,
    )
    assert tasks_for(ws, "s1", actor=INTERVIEWER) == [task]
    assert audited(uow) == [
        (
            "follow_up_added",
            "ben",
            {"task": task.id, "title": "Share the notes with sales", "owner": "ben", "due_on": "2026-11-20"},
        )
    ]


@pytest.mark.parametrize(
    ("session_id", "title", "owner", "error", "message"),
    [
        ("s1", "   ", "ben", InvalidInput, "A task needs a title"),
        ("s1", "x" * (MAX_TITLE_CHARS + 1), "ben", InvalidInput, f"at most {MAX_TITLE_CHARS} characters"),
        ("s1", "Call", "y" * (MAX_OWNER_CHARS + 1), InvalidInput, f"An owner can be at most {MAX_OWNER_CHARS}"),
        ("no-such-session", "Call", "ben", NotFound, "No interview with id no-such-session"),
    ],
)
def test_a_refused_task_is_not_stored(
    ws: Workspace, uow: FakeUnitOfWork, session_id: str, title: str, owner: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        add_task(ws, session_id, title=title, owner=owner, due_on=FRIDAY, actor=Actor.workspace("ben"))
    assert uow.follow_ups.in_session(session_id) == [] and uow.audit.latest() == []


def test_tasks_are_listed_soonest_due_first_and_an_unknown_session_is_an_error(ws: Workspace) -> None:
    later = add_task(ws, "s1", title="Later", owner="ben", due_on=date(2026, 12, 1), actor=Actor.workspace("ben"))
    sooner = add_task(ws, "s1", title="Sooner", owner="ben", due_on=MONDAY, actor=Actor.workspace("ben"))
    assert tasks_for(ws, "s1", actor=INTERVIEWER) == [sooner, later]
    with pytest.raises(NotFound):
        tasks_for(ws, "no-such-session", actor=INTERVIEWER)


def test_a_task_is_marked_done_and_open_again_and_each_change_is_audited(ws: Workspace, uow: FakeUnitOfWork) -> None:
    task = add_task(ws, "s1", title="Call Ana", owner="Ben", due_on=MONDAY, actor=Actor.workspace("ben"))
    assert set_task_status(ws, task.id, status="done", actor=Actor.workspace("maya")).status == "done"
    commits = uow.commits
    assert (
        set_task_status(ws, task.id, status="done", actor=Actor.workspace("maya")).status == "done"
    )  # no change, nothing stored
    assert uow.commits == commits
    assert set_task_status(ws, task.id, status="open", actor=Actor.workspace("ben")).status == "open"
    statuses_audited = [(actor, d["from"], d["to"]) for a, actor, d in audited(uow) if a == "follow_up_status"]
    assert statuses_audited == [("maya", "open", "done"), ("ben", "done", "open")]
    with pytest.raises(InvalidInput, match="can be marked open or done, not 'cancelled'"):
        set_task_status(ws, task.id, status="cancelled", actor=Actor.workspace("ben"))
    with pytest.raises(NotFound, match="No follow-up task nope"):
        set_task_status(ws, "nope", status="done", actor=Actor.workspace("ben"))
    assert uow.follow_ups.get(task.id).status == "open"


def test_only_open_recommended_tasks_are_cancelled_and_a_cancelled_one_stays_so(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    def recommended(title: str, status: str = "open") -> FollowUpTask:
        return FollowUpTask(id=title, session_id="s1", title=title, owner="ben", due_on=MONDAY, status=status)

    with uow:
        for task in (recommended("proposal"), recommended("onboarding", "done")):
            uow.follow_ups.add(task)
        uow.commit()
    manual = add_task(ws, "s1", title="Share notes", owner="ben", due_on=MONDAY, actor=Actor.workspace("ben"))
    with uow:
        assert [t.id for t in cancel_recommended(uow, "s1")] == ["proposal"]
        uow.commit()
    assert {t.id: t.status for t in tasks_for(ws, "s1", actor=INTERVIEWER)} == {
        "proposal": "cancelled",
        "onboarding": "done",
        manual.id: "open",
    }
    with pytest.raises(InvalidInput, match="“proposal” was cancelled when its recommendation changed"):
        set_task_status(ws, "proposal", status="done", actor=Actor.workspace("ben"))
