"""The "Personal data requests" section: pick a candidate, download their data, erase it after typing their email."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.privacy_requests import CONFIRM_KEY, EXPORT_KEY, PICK_KEY
from core.config import Settings
from core.permissions.access import NOT_ALLOWED
from core.permissions.actor import Actor
from core.privacy.person_export import export_person
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.privacy_data import Person, fill_person
from tests.ui.conftest import TIMEOUT, assert_clean, button, rendered_text

ANA = Person("cand-ana-0001", "Ana Quintero", "Ana.Quintero@example.org", ("sess-ana-one",))
BOB = Person("cand-bob-0002", "Bob Marchetti", "bob@example.net", ("sess-bob-one",))


def section() -> None:
    """The component alone, on the workspace the pages use (IW_RUNTIME_DIR points at the test's folder)."""
    from components.privacy_requests import render_privacy_requests
    from components.resources import get_workspace
    from core.permissions.actor import Actor

    render_privacy_requests(get_workspace(), actor=Actor.workspace("account:admin-1"))


def section_for_an_interviewer() -> None:
    """The component handed a person who is not an admin, as a page that forgot to check would hand it."""
    from components.privacy_requests import render_privacy_requests
    from components.resources import get_workspace
    from core.accounts.services import new_account
    from core.models import AccountRole
    from core.permissions.actor import Actor

    ivan = new_account("ivan@example.com", "Ivan", [AccountRole.INTERVIEWER], "core")
    render_privacy_requests(get_workspace(), actor=Actor.person(ivan))


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    workspace = build_workspace(Settings(runtime_dir=runtime_dir))
    fill_person(workspace, ANA, at=datetime(2031, 3, 7, 9, 0, tzinfo=UTC))
    fill_person(workspace, BOB, at=datetime(2031, 3, 8, 9, 0, tzinfo=UTC))
    return workspace


def open_for_ana() -> AppTest:
    at = AppTest.from_function(section, default_timeout=TIMEOUT).run()
    assert_clean(at)
    assert at.selectbox(key=PICK_KEY).options == [
        "Ana Quintero · Ana.Quintero@example.org · cand-ana",
        "Bob Marchetti · bob@example.net · cand-bob",
    ]
    at.selectbox(key=PICK_KEY).set_value(ANA.candidate_id).run()
    assert_clean(at)
    return at


def test_an_export_is_prepared_then_offered_as_a_zip(ws: Workspace) -> None:
    at = open_for_ana()
    button(at, "Prepare the export").click().run()
    assert_clean(at)

    assert at.success[0].value.startswith("The export is ready (")
    candidate_id, file_name, data = at.session_state[EXPORT_KEY]
    assert (candidate_id, file_name.startswith("personal-data-cand-ana-")) == (ANA.candidate_id, True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "profile.json" in archive.namelist()
    assert [d.label for d in at.get("download_button")] == ["Download the zip"]


def test_erasing_needs_the_email_typed_and_then_removes_the_person(ws: Workspace) -> None:
    at = open_for_ana()
    at.text_input(key=CONFIRM_KEY).input("bob@example.net")
    button(at, "Erase all their data").click().run()
    assert_clean(at)
    assert [e.value for e in at.error] == ["What you typed is not this candidate's email address: nothing was erased."]
    with ws.uow_factory() as uow:
        assert uow.candidates.get(ANA.candidate_id).name == ANA.name

    at.text_input(key=CONFIRM_KEY).input("  ana.QUINTERO@example.org ")
    button(at, "Erase all their data").click().run()
    assert_clean(at)

    [success] = at.success
    assert success.value.startswith("Erased: ") and "Data request #1 records it." in success.value
    assert at.selectbox(key=PICK_KEY).options == ["Bob Marchetti · bob@example.net · cand-bob"]
    assert at.selectbox(key=PICK_KEY).value is None  # nothing chosen: no second erasure by a stray click
    with ws.uow_factory() as uow:
        assert [c.id for c in uow.candidates.all()] == [BOB.candidate_id]
        [request] = uow.data_requests.latest()
    assert (request.kind.value, request.subject, request.actor) == ("erase", ANA.candidate_id, "account:admin-1")
    table = at.dataframe[0].value
    assert list(table["kind"]) == ["erase"] and list(table["candidate"]) == [ANA.candidate_id]


def test_someone_who_is_not_an_admin_is_shown_nobody(ws: Workspace) -> None:
    """The services refuse, not just the People page: no picker of people, no record of requests."""
    export_person(ws, ANA.candidate_id, actor=Actor.workspace("account:admin-1"))
    at = AppTest.from_function(section_for_an_interviewer, default_timeout=TIMEOUT).run()
    assert_clean(at)
    assert [e.value for e in at.error] == [NOT_ALLOWED]
    assert (len(at.selectbox), len(at.dataframe), len(at.button)) == (0, 0, 0)
    text = rendered_text(at)
    assert ANA.name not in text and BOB.email not in text and ANA.candidate_id not in text
