"""Every page, opened by each kind of person with someone else's session id in the address, shows nothing
of that session; the same pages show a person their own, and a reviewer their team's.

The people sign in as Streamlit's identity provider sign-in fills st.user (conftest.signed_in_as); what a
page may show is decided by core.permissions.policy alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.accounts.services import find_account
from core.config import Settings
from core.evaluation.release import approve
from core.interview.services import create_interview, end_interview, send_message, start_interview
from core.live.sessions import create_live_session
from core.models import Account
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.ui.conftest import APP, TIMEOUT, AppFactory, add_person, assert_clean, rendered_text, signed_in_as

BO_SAYS = "Bo plans for 90k redirects per second with a write-through cache"  # only in Bo's interview
ANA_SAYS = "Ana shards the link table by hash of the short code"
PAGES = ["interview", "evaluation", "history", "share", "live", "debrief"]


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


def practice(ws: Workspace, owner: Account, says: str) -> str:
    """A finished practice interview of `owner`, as the Setup page starts one."""
    session = create_interview(ws, problem_id="url_shortener", actor=Actor.person(owner))
    start_interview(ws, session.id, actor=CANDIDATE)
    send_message(ws, session.id, says, actor=CANDIDATE)
    end_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def visit(at: AppTest, page: str, session_id: str) -> str:
    at.query_params.clear()
    at.query_params["session"] = session_id
    at.switch_page(f"pages/{page}.py").run()
    assert_clean(at)
    return rendered_text(at)


@pytest.fixture
def people(new_app: AppFactory, ws: Workspace) -> dict[str, Account]:
    new_app()  # the admin of conftest exists from here on
    return {
        "ana": add_person("ana@example.com", "candidate", name="Ana"),
        "bo": add_person("bo@example.com", "candidate", name="Bo"),
        "ivan": add_person("ivan@example.com", "interviewer", name="Ivan", team="core"),
        "rita": add_person("rita@example.com", "reviewer", name="Rita", team="core"),
    }


def as_person(new_app: AppFactory, account: Account) -> AppTest:
    at = signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), account.email, account.name)
    at.run()
    assert_clean(at)
    return at


@pytest.mark.parametrize("who", ["ana", "ivan", "rita"])
def test_another_persons_session_id_opens_nothing_on_any_page(
    new_app: AppFactory, ws: Workspace, people: dict[str, Account], who: str
) -> None:
    bos = practice(ws, people["bo"], BO_SAYS)
    at = as_person(new_app, people[who])
    for page in PAGES:
        shown = visit(at, page, bos)
        assert BO_SAYS not in shown, f"{who} read Bo's interview on {page}"
        assert bos not in at.query_params.get("session", ""), f"{page} kept another person's session open"


def test_comparing_ones_own_interview_with_another_persons_shows_nothing_of_theirs(
    new_app: AppFactory, ws: Workspace, people: dict[str, Account]
) -> None:
    """History's second address parameter, `compare`, is an entry too: Ana's own interview opens, Bo's does not."""
    anas, bos = practice(ws, people["ana"], ANA_SAYS), practice(ws, people["bo"], BO_SAYS)
    at = as_person(new_app, people["ana"])
    at.query_params.clear()
    at.query_params["session"], at.query_params["compare"] = anas, bos
    at.switch_page("pages/history.py").run()
    assert_clean(at)
    assert ANA_SAYS in rendered_text(at)
    assert any(w.value.startswith("That interview cannot be compared") for w in at.warning)
    assert not [m for m in at.metric if m.label == "Overall score B"]  # no headline of Bo's interview


def test_a_candidate_sees_their_own_interview_and_its_evaluation_only_once_released(
    new_app: AppFactory, ws: Workspace, people: dict[str, Account]
) -> None:
    anas = practice(ws, people["ana"], ANA_SAYS)
    at = as_person(new_app, people["ana"])
    assert ANA_SAYS in visit(at, "history", anas)
    shown = visit(at, "share", anas)
    assert "being reviewed" in shown and "Overall" not in shown
    visit(at, "evaluation", anas)  # not released: their own view, which says so
    assert "being reviewed" in rendered_text(at)
    approve(ws, anas, actor=Actor.person(find_account(ws, "admin@example.com")))
    assert "being reviewed" not in visit(at, "share", anas)


def test_a_reviewer_sees_their_teams_interviews_and_reviews_them(
    new_app: AppFactory, ws: Workspace, people: dict[str, Account]
) -> None:
    led = create_live_session(
        ws,
        template_id="system_design_human",
        candidate_name="Cyprian Vale",
        problem_id="url_shortener",
        actor=Actor.person(people["ivan"]),
    )
    at = as_person(new_app, people["rita"])
    assert "Cyprian Vale" in visit(at, "history", led.id)  # Ivan's session, Rita's team
    assert "Cyprian Vale" in visit(at, "debrief", led.id)
    other = as_person(new_app, people["ana"])
    assert "Cyprian Vale" not in visit(other, "history", led.id)


def test_a_candidate_without_interviews_sees_an_empty_history_not_other_peoples_models(
    new_app: AppFactory, ws: Workspace, people: dict[str, Account]
) -> None:
    """Bo's interview ran on its own model; Ana has none: History tells her she has no interviews yet rather
    than offering a filter whose choices come from other people's sessions."""
    session = create_interview(
        ws, problem_id="url_shortener", provider="openai", model="gpt-bo-only", actor=Actor.person(people["bo"])
    )
    start_interview(ws, session.id, actor=CANDIDATE)
    at = as_person(new_app, people["ana"])
    at.switch_page("pages/history.py").run()
    assert_clean(at)
    assert at.info and at.info[0].value.startswith("No interviews yet")
    assert "gpt-bo-only" not in rendered_text(at)
    bo = as_person(new_app, people["bo"])
    bo.switch_page("pages/history.py").run()
    interviewer = bo.selectbox(key="history_interviewer")
    assert any("gpt-bo-only" in str(option) for option in interviewer.options)  # his own, offered to him
