"""Withdrawing consent to recording under AppTest: the person who agreed takes it back on the Interview page and
the notice returns in the control's place; someone who may see the interview but did not agree is not offered it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.interview.services import create_interview, start_interview
from core.media.consent import consents_in_force, give_consent
from core.models import Account
from core.permissions.actor import Actor
from core.recording_notice import withdrawal_note
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.ui.conftest import TIMEOUT, AppFactory, add_person, assert_clean, button, labels, page_title, signed_in_as

WITHDRAWN = "Consent withdrawn: the microphone is not recorded any more."


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


def practising(ws: Workspace, account: Account) -> str:
    session = create_interview(ws, problem_id="url_shortener", actor=Actor.person(account))
    start_interview(ws, session.id, actor=Actor.person(account))
    return session.id


def uploaders(at: AppTest) -> list[str]:
    return [u.key for u in at.get("file_uploader")]


def test_a_candidate_withdraws_consent_on_the_interview_page(new_app: AppFactory, ws: Workspace) -> None:
    at = new_app()  # the workspace has its admin
    cara = add_person("cara@example.com", "candidate", name="Cara Moss")
    sid = practising(ws, cara)
    signed_in_as(at, cara.email, cara.name)
    at.query_params["session"] = sid
    at.run()
    at.switch_page("pages/interview.py").run()
    assert_clean(at)
    assert page_title(at) == "Design a URL Shortener"
    assert "Withdraw consent" not in labels(at) and "interview_recording" not in uploaders(at)

    button(at, "I agree: record my voice").click().run()  # the notice above "Transcribe a recording"
    assert_clean(at)
    assert "interview_recording" in uploaders(at)
    assert withdrawal_note(ws.settings, "audio") in [c.value for c in at.caption]
    assert "stays with the interview until it is deleted after 90 days" in withdrawal_note(ws.settings, "audio")

    button(at, "Withdraw consent").click().run()
    assert_clean(at)
    assert any(i.value.startswith(WITHDRAWN) for i in at.info)
    assert "I agree: record my voice" in labels(at) and "Withdraw consent" not in labels(at)
    assert "interview_recording" not in uploaders(at)  # nothing can be recorded or uploaded now
    assert consents_in_force(ws, sid, actor=Actor.person(cara)) == {}
    with ws.uow_factory() as uow:
        [entry] = [e for e in uow.audit.latest(session_id=sid) if e.action == "consent_withdrawn"]
    assert entry.actor == cara.audit_name

    at.run()  # the message was for the run after the click only
    assert not any(i.value.startswith(WITHDRAWN) for i in at.info)


def camera_app(session_id: str, email: str) -> None:
    from components.camera import render_camera
    from components.resources import get_workspace
    from core.accounts.services import find_account
    from core.permissions.actor import Actor

    ws = get_workspace()
    render_camera(ws, session_id, actor=Actor.person(find_account(ws, email)))


def test_only_whoever_gave_the_consent_or_an_admin_is_offered_to_withdraw_it(
    new_app: AppFactory, ws: Workspace
) -> None:
    new_app()  # the workspace has its admin
    ivan = add_person("ivan@example.com", "interviewer", name="Ivan", team="core")
    rita = add_person("rita@example.com", "reviewer", name="Rita", team="core")  # reviews Ivan's team
    ada = add_person("ada@example.com", "admin", name="Ada")
    sid = practising(ws, ivan)
    give_consent(ws, sid, ["camera"], actor=Actor.person(ivan))
    for person, offered in ((ivan, True), (ada, True), (rita, False)):
        at = AppTest.from_function(camera_app, args=(sid, person.email), default_timeout=TIMEOUT).run()
        assert_clean(at)
        assert ":material/videocam_off: Camera unavailable here." in [c.value for c in at.caption]  # consented
        assert ("Withdraw consent" in labels(at)) is offered, person.name
