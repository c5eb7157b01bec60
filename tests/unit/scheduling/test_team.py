"""Team members and event types over the in-memory unit of work: input checked before anything is
stored, one person per email, the default event types made once, and every change audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import AlreadyExists, ContentError, NotFound
from core.models import EventType, MemberRole
from core.permissions.actor import Actor
from core.scheduling.team import (
    OFFICE_HOURS,
    TeamInputError,
    add_member,
    event_types,
    list_members,
    save_event_type,
    update_member,
)
from core.workspace import Workspace
from tests.actors import ADMIN
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

NOW = datetime(2030, 6, 4, 12, 15, tzinfo=UTC)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def ws(uow: FakeUnitOfWork) -> Workspace:
    return fake_workspace(uow, Clock(NOW))


def test_a_member_is_stored_tidied_with_office_hours_and_audited(ws: Workspace, uow: FakeUnitOfWork) -> None:
    ana = add_member(
        ws, name="  Ana Rossi ", email=" Ana@Example.COM ", timezone="Europe/Rome", calcom_username="  ", actor=ADMIN
    )
    assert (ana.name, ana.email, ana.role, ana.timezone, ana.calcom_username) == (
        "Ana Rossi",
        "ana@example.com",
        MemberRole.INTERVIEWER,
        "Europe/Rome",
        None,
    )
    assert ana.working_hours == OFFICE_HOURS and ana.created_at == NOW
    assert uow.team_members.get(ana.id) == ana
    [entry] = uow.audit.latest()
    assert (entry.action, entry.actor, entry.session_id, entry.detail) == (
        "member_added",
        "admin",
        None,
        {"member": ana.id, "role": MemberRole.INTERVIEWER},
    )


def test_the_same_email_in_another_case_is_refused(ws: Workspace, uow: FakeUnitOfWork) -> None:
    add_member(ws, name="Ana Rossi", email="ana@example.com", actor=ADMIN)
    with pytest.raises(AlreadyExists, match=r"^ana@example\.com is already on the team\.$"):
        add_member(ws, name="Ana again", email="ANA@example.com", role=MemberRole.RECRUITER, actor=ADMIN)
    assert [m.name for m in list_members(ws)] == ["Ana Rossi"]
    assert [e.action for e in uow.audit.latest()] == ["member_added"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "   "}, "needs a name"),
        ({"email": "ana.example.com"}, "is not an email address"),
        ({"email": " "}, "needs an email address"),
        ({"timezone": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone name"),
        ({"working_hours": {"7": [["09:00", "17:00"]]}}, "unknown weekday '7'"),
        ({"working_hours": {"2": [["09:00", "13:00"], ["12:00", "18:00"]]}}, "on Wed overlap"),
    ],
)
def test_bad_input_is_refused_with_a_sentence_naming_its_field_and_nothing_is_stored(
    ws: Workspace, uow: FakeUnitOfWork, changes: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {"name": "Ana Rossi", "email": "ana@example.com", **changes}
    with pytest.raises(TeamInputError, match=message) as refused:
        add_member(ws, **values, actor=ADMIN)  # type: ignore[arg-type]
    [(field, problem)] = refused.value.problems.items()
    assert (field, problem) == (next(iter(changes)), str(refused.value))  # the form can point at it
    assert uow.team_members.all(active_only=False) == []
    assert uow.audit.latest() == []


def test_every_bad_field_is_named_at_once(ws: Workspace, uow: FakeUnitOfWork) -> None:
    with pytest.raises(TeamInputError) as refused:
        add_member(
            ws,
            name=" ",
            email="ana.example.com",
            timezone="Mars/Olympus",
            working_hours={"0": [["17:00", "09:00"]]},
            actor=ADMIN,
        )
    assert refused.value.problems == {
        "name": "A team member needs a name.",
        "email": "“ana.example.com” is not an email address.",
        "timezone": "“Mars/Olympus” is not a time zone name; use one like Europe/Rome or America/New_York.",
        "working_hours": "Working hours on Mon: 17:00–09:00 ends before it starts.",
    }
    assert str(refused.value) == " ".join(refused.value.problems.values())
    assert uow.team_members.all(active_only=False) == []


def test_working_hours_are_sorted_and_empty_days_dropped(ws: Workspace) -> None:
    member = add_member(
        ws,
        name="Ben Carter",
        email="ben@example.com",
        working_hours={"1": [["14:00", "18:00"], ["08:30", "12:00"]], "5": []},
        actor=ADMIN,
    )
    assert member.working_hours == {"1": [["08:30", "12:00"], ["14:00", "18:00"]]}


def test_updates_are_checked_stored_and_audited(ws: Workspace, uow: FakeUnitOfWork) -> None:
    ana = add_member(ws, name="Ana Rossi", email="ana@example.com", actor=ADMIN)
    ana.timezone, ana.active = "Asia/Tokyo", False
    stored = update_member(ws, ana, actor=Actor.workspace("lead"))
    assert (stored.timezone, stored.active) == ("Asia/Tokyo", False)
    assert list_members(ws) == [] and [m.id for m in list_members(ws, active_only=False)] == [ana.id]
    assert [(e.action, e.actor, e.detail) for e in uow.audit.latest()][-1] == (
        "member_updated",
        "lead",
        {"member": ana.id},
    )

    ana.timezone = "Nowhere/Special"
    with pytest.raises(TeamInputError, match="not a time zone"):
        update_member(ws, ana, actor=ADMIN)
    assert uow.team_members.get(ana.id).timezone == "Asia/Tokyo"
    ana.id = "ghost"
    ana.timezone = "UTC"
    with pytest.raises(NotFound, match="No team member ghost"):
        update_member(ws, ana, actor=ADMIN)
    assert len(uow.audit.latest()) == 2


def test_a_fresh_workspace_gets_the_default_event_types_once(ws: Workspace, uow: FakeUnitOfWork) -> None:
    first = event_types(ws)
    assert [(e.title, e.kind, e.length_minutes, e.created_at) for e in first] == [
        ("Customer discovery interview", "customer_discovery", 45, NOW),
        ("System design interview", "system_design", 60, NOW),
    ]
    commits = uow.commits
    assert event_types(ws) == first
    assert uow.commits == commits  # reading them again writes nothing


def test_saving_an_event_type_adds_then_updates_it(ws: Workspace, uow: FakeUnitOfWork) -> None:
    added = save_event_type(
        ws,
        EventType(id="", title="Pairing interview", length_minutes=30, problem_id="rate_limiter"),
        actor=ADMIN,
    )
    assert added.id and added.created_at == NOW and uow.event_types.get(added.id) == added
    added.length_minutes, added.buffer_after_minutes = 90, 0
    updated = save_event_type(ws, added, actor=Actor.workspace("lead"))
    assert (updated.id, updated.length_minutes, updated.buffer_after_minutes) == (added.id, 90, 0)
    assert [(e.action, e.actor, e.detail) for e in uow.audit.latest()] == [
        ("event_type_saved", "admin", {"event_type": added.id}),
        ("event_type_saved", "lead", {"event_type": added.id}),
    ]


@pytest.mark.parametrize(
    ("event_type", "error", "message"),
    [
        (EventType(id="", title="  "), TeamInputError, "needs a title"),
        (EventType(id="", title="Quick", length_minutes=4), TeamInputError, "between 5 and 480 minutes"),
        (EventType(id="", title="Marathon", length_minutes=481), TeamInputError, "between 5 and 480 minutes"),
        (EventType(id="", title="Rushed", buffer_before_minutes=-5), TeamInputError, "cannot be negative"),
        (EventType(id="", title="Odd", problem_id="no_such_problem"), ContentError, "no_such_problem"),
        (EventType(id="missing", title="Gone"), NotFound, "No event type missing"),
    ],
)
def test_bad_event_types_are_refused_and_nothing_is_stored(
    ws: Workspace, uow: FakeUnitOfWork, event_type: EventType, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        save_event_type(ws, event_type, actor=ADMIN)
    assert uow.event_types.all() == [] and uow.audit.latest() == []
