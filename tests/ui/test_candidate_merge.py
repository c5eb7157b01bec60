"""People's "Merge duplicate candidates" section (admins only): pick two records of one person and merge them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.candidate_merge import KEEP_KEY, OTHER_KEY
from core.config import Settings
from core.models import Candidate, Session
from core.permissions.access import NOT_ALLOWED
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.history_data import T0
from tests.ui.conftest import ADMIN_EMAIL, TIMEOUT, AppFactory, assert_clean, button, rendered_text


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    workspace = build_workspace(Settings(runtime_dir=runtime_dir))
    with workspace.uow_factory() as uow:
        uow.candidates.add(Candidate(id="keep-ana", name="Ana Rossi", email="ana@example.com", created_at=T0))
        uow.candidates.add(Candidate(id="dup-ana", name="Ana R", created_at=T0 + timedelta(days=1)))
        uow.sessions.add(Session(id="s-dup", problem_id="url_shortener", candidate_id="dup-ana", created_at=T0))
        uow.commit()
    return workspace


def merge_section_for_an_interviewer() -> None:
    from components.candidate_merge import render_candidate_merge
    from components.resources import get_workspace
    from core.accounts.services import new_account
    from core.models import AccountRole
    from core.permissions.actor import Actor

    ivan = new_account("ivan@example.com", "Ivan", [AccountRole.INTERVIEWER], "core")
    render_candidate_merge(get_workspace(), actor=Actor.person(ivan))


def open_section(new_app: AppFactory) -> AppTest:
    at = new_app()
    at.run()
    at.switch_page("pages/people.py").run()
    assert_clean(at)
    keys = {s.key for s in at.selectbox}
    assert KEEP_KEY not in keys and OTHER_KEY not in keys, "nothing is read while the section is closed"
    at.session_state["candidate_merge_section"] = True
    at.run()
    assert_clean(at)
    return at


def test_merging_two_records_moves_the_interviews(new_app: AppFactory, ws: Workspace) -> None:
    at = open_section(new_app)
    keep, other = at.selectbox(key=KEEP_KEY), at.selectbox(key=OTHER_KEY)
    assert keep.options == ["Ana R · dup-ana", "Ana Rossi · ana@example.com · keep-ana"]
    keep.set_value("keep-ana")
    other.set_value("dup-ana")
    button(at, "Merge").click().run()
    assert_clean(at)

    assert [s.value for s in at.success] == ["Merged: 1 record(s) moved to the kept candidate."]
    with ws.uow_factory() as uow:
        assert [c.id for c in uow.candidates.all()] == ["keep-ana"]
        assert uow.sessions.get("s-dup").candidate_id == "keep-ana"
        merges = [e.actor for e in uow.audit.latest() if e.action == "candidates_merged"]
        admin = uow.accounts.by_email(ADMIN_EMAIL)
    assert admin is not None and merges == [admin.audit_name]  # the signed-in admin, not a typed name
    assert at.caption[-1].value == "There are fewer than two candidates: nothing to merge."


@pytest.mark.parametrize(
    ("keep", "other", "message"),
    [
        ("keep-ana", "keep-ana", "A candidate cannot be merged into itself; choose two different records."),
        ("keep-ana", None, "Choose both the candidate to keep and the duplicate to merge into it."),
    ],
)
def test_a_refused_merge_says_why_and_keeps_both(
    new_app: AppFactory, ws: Workspace, keep: str, other: str | None, message: str
) -> None:
    at = open_section(new_app)
    at.selectbox(key=KEEP_KEY).set_value(keep)
    at.selectbox(key=OTHER_KEY).set_value(other)
    button(at, "Merge").click().run()
    assert_clean(at)
    assert [e.value for e in at.error] == [message]
    with ws.uow_factory() as uow:
        assert sorted(c.id for c in uow.candidates.all()) == ["dup-ana", "keep-ana"]


def test_an_interviewer_is_shown_no_candidate_to_merge(ws: Workspace) -> None:
    """Handed a person who is not an admin (a page that forgot to check), the section lists nobody: the
    service refuses."""
    at = AppTest.from_function(merge_section_for_an_interviewer, default_timeout=TIMEOUT).run()
    assert_clean(at)
    at.session_state["candidate_merge_section"] = True
    at.run()
    assert_clean(at)
    assert [e.value for e in at.error] == [NOT_ALLOWED]
    assert [s.key for s in at.selectbox] == [] and "ana@example.com" not in rendered_text(at)
