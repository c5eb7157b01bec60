"""People's Teams section (admins only): the table of teams with their interviewers, reviewers and interviews,
and renaming a team, which moves its people and its past interviews together."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.people import TEAM_MOVE_NOTE
from core.config import Settings
from core.models import Session
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.ui.conftest import ADMIN_EMAIL, ROOT, TIMEOUT, AppFactory, add_person, assert_clean, button, signed_in_as

TEAMS_COLUMNS = ["Team", "Interviewers", "Reviewers", "Interviews"]


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


@pytest.fixture
def teams(new_app: AppFactory, ws: Workspace) -> None:
    """Ivan (interviewer) and Rita (reviewer) in core, Gus (reviewer) in growth; two core interviews, one growth."""
    new_app()  # the admin of conftest exists from here on
    add_person("ivan@example.com", "interviewer", name="Ivan", team="core")
    add_person("rita@example.com", "reviewer", "interviewer", name="Rita", team="core")
    add_person("gus@example.com", "reviewer", name="Gus", team="growth")
    with ws.uow_factory() as uow:
        for i, team in enumerate(["core", "core", "growth"]):
            uow.sessions.add(Session(id=f"s{i}", problem_id="url_shortener", team=team))
        uow.commit()


def open_people(new_app: AppFactory) -> AppTest:
    at = new_app()
    at.run()
    at.switch_page("pages/people.py").run()
    assert_clean(at)
    return at


def teams_table(at: AppTest) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if list(d.value.columns) == TEAMS_COLUMNS]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


@pytest.mark.usefixtures("teams")
def test_the_teams_table_shows_each_teams_people_and_interviews(new_app: AppFactory) -> None:
    at = open_people(new_app)
    assert [s.value for s in at.subheader if s.value == "Teams"] == ["Teams"]
    assert teams_table(at).to_dict("records") == [
        {"Team": "core", "Interviewers": "Ivan, Rita", "Reviewers": "Rita", "Interviews": 2},
        {"Team": "growth", "Interviewers": "—", "Reviewers": "Gus", "Interviews": 1},
    ]
    moving = [t for t in at.text_input if t.label == "Team" and t.help == TEAM_MOVE_NOTE]
    assert len(moving) == 1, "the People editor says that moving a person leaves their interviews behind"


def rename(at: AppTest, team: str, to: str) -> AppTest:
    """Rename `team` to `to` with the Teams section's form."""
    at.selectbox(key="teams_rename_pick").set_value(team)
    at.text_input(key="teams_rename_new").input(to)
    button(at, "Rename").click().run()
    assert_clean(at)
    return at


@pytest.mark.usefixtures("teams")
def test_renaming_a_team_moves_people_and_interviews(new_app: AppFactory, ws: Workspace) -> None:
    at = rename(open_people(new_app), "core", "Platform")

    assert [s.value for s in at.success] == ["Renamed core to Platform: 2 people and 2 interviews moved."]
    assert [r["Team"] for r in teams_table(at).to_dict("records")] == ["growth", "Platform"]
    with ws.uow_factory() as uow:
        assert {a.name: a.team for a in uow.accounts.all() if a.team} == {
            "Gus": "growth",
            "Ivan": "Platform",
            "Rita": "Platform",
        }
        assert [uow.sessions.get(f"s{i}").team for i in range(3)] == ["Platform", "Platform", "growth"]
        admin = uow.accounts.by_email(ADMIN_EMAIL)
        renames = [e.actor for e in uow.audit.latest() if e.action == "team_renamed"]
    assert admin is not None and renames == [admin.audit_name]  # the signed-in admin


@pytest.mark.usefixtures("teams")
def test_a_name_in_use_is_refused_with_a_message(new_app: AppFactory, ws: Workspace) -> None:
    at = rename(open_people(new_app), "core", "GROWTH")

    assert [e.value for e in at.error] == ["There is already a team called growth. Choose another name."]
    assert not at.success
    with ws.uow_factory() as uow:
        assert sorted(uow.sessions.team_counts().items()) == [("core", 2), ("growth", 1)]


def test_with_no_teams_the_section_says_how_to_make_one(new_app: AppFactory) -> None:
    at = open_people(new_app)
    assert "No teams yet: give people a team when you add or change them." in [i.value for i in at.info]
    assert not [b for b in at.button if b.label == "Rename"]


@pytest.mark.usefixtures("teams")
def test_a_reviewer_sees_no_teams_even_at_the_pages_own_address() -> None:
    """The navigation has no People page for her; the page run on its own refuses before reading anything."""
    page = str(ROOT / "pages" / "people.py")
    at = signed_in_as(AppTest.from_file(page, default_timeout=TIMEOUT), "rita@example.com", "Rita").run()
    assert_clean(at)
    assert [e.value for e in at.error] == ["Only administrators manage people."]
    assert not at.dataframe and not [s for s in at.subheader if s.value == "Teams"]
