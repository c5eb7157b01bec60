"""The Schedule and Webhook log pages under AppTest: book, cancel, team form, Cal.com mode errors."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.models import SessionStatus, TeamMember
from core.scheduling import bookings, team
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import ADMIN
from tests.ui.conftest import (
    APP,
    TIMEOUT,
    AppFactory,
    add_person,
    assert_clean,
    page_title,
    rendered_text,
    signed_in_as,
)


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


def open_page(new_app: AppFactory, page: str = "pages/schedule.py") -> AppTest:
    at = new_app()
    at.run()
    at.switch_page(page).run()
    assert_clean(at)
    return at


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def test_an_empty_team_is_told_what_to_do_first(new_app: AppFactory) -> None:
    at = open_page(new_app)
    assert page_title(at) == "Schedule"
    text = rendered_text(at)
    assert "Add an interviewer on the Team tab first" in text
    assert "Nothing booked yet" in text
    assert "Built-in scheduler" in at.caption[0].value
    assert metric(at, "Upcoming") == "0"


def test_the_team_form_adds_a_member_and_refuses_a_bad_time_zone(new_app: AppFactory, ws: Workspace) -> None:
    at = open_page(new_app)
    form_inputs = {t.label: t for t in at.text_input if t.label in ("Name", "Email", "Time zone")}
    form_inputs["Name"].set_value("Ana Silva")
    form_inputs["Email"].set_value("ana@example.com")
    form_inputs["Time zone"].set_value("Mars/Olympus")
    next(b for b in at.button if b.label == "Add member").click()
    at.run()
    assert [e.value for e in at.error] == [
        "“Mars/Olympus” is not a time zone name; use one like Europe/Rome or America/New_York."
    ]
    assert team.list_members(ws) == []

    form_inputs = {t.label: t for t in at.text_input if t.label in ("Name", "Email", "Time zone")}
    form_inputs["Name"].set_value("Ana Silva")
    form_inputs["Email"].set_value("ana@example.com")
    form_inputs["Time zone"].set_value("Europe/Rome")
    next(b for b in at.button if b.label == "Add member").click()
    at.run()
    assert_clean(at)
    [member] = team.list_members(ws)
    assert (member.name, member.timezone, member.working_hours["0"]) == (
        "Ana Silva",
        "Europe/Rome",
        [["09:00", "17:00"]],
    )


def test_book_then_cancel_with_a_reason(new_app: AppFactory, ws: Workspace) -> None:
    team.add_member(ws, name="Ana Silva", email="ana@example.com", timezone="UTC", actor=ADMIN)
    at = open_page(new_app)
    at.text_input(key="schedule_candidate_name").set_value("Jane Doe")
    at.text_input(key="schedule_candidate_email").set_value("jane@example.com")
    at.text_input(key="schedule_meeting_url").set_value("https://us02web.zoom.us/j/81234567890?pwd=abc")
    at.button(key="schedule_book").click().run()
    assert_clean(at)
    assert at.success[0].value.startswith("Booked Jane Doe for")
    assert metric(at, "Upcoming") == "1"
    text = rendered_text(at)
    assert "**Jane Doe** · System design interview" in text

    # Cancelling needs a reason; then the session is cancelled and the figures follow.
    sid = next(b.key for b in at.button if b.key and b.key.startswith("cancel_")).removeprefix("cancel_")
    at.button(key=f"cancel_{sid}").click().run()
    assert "Say why the interview is cancelled" in at.error[0].value
    at.text_input(key=f"cancel_reason_{sid}").set_value("Candidate accepted another offer")
    at.button(key=f"cancel_{sid}").click().run()
    assert_clean(at)
    assert metric(at, "Cancelled") == "1"
    assert metric(at, "Upcoming") == "0"
    with ws.uow_factory() as uow:
        assert uow.sessions.get(sid).status is SessionStatus.CANCELLED
        assert uow.bookings.for_session(sid).ical_sequence == 1


def as_interviewer(email: str, name: str) -> AppTest:
    """The Schedule page in another browser, signed in as an interviewer (account made here)."""
    person = add_person(email, "interviewer", name=name)
    at = signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), person.email, person.name)
    at.run()
    at.switch_page("pages/schedule.py").run()
    assert_clean(at)
    return at


def test_an_interviewer_sees_only_the_bookings_they_run(new_app: AppFactory, ws: Workspace) -> None:
    team.add_member(ws, name="Ana Silva", email="ana@example.com", timezone="UTC", actor=ADMIN)
    at = open_page(new_app)  # the admin books it, with Ana
    at.text_input(key="schedule_candidate_name").set_value("Jane Doe")
    at.text_input(key="schedule_candidate_email").set_value("jane@example.com")
    at.button(key="schedule_book").click().run()
    assert_clean(at)
    assert [b.label for b in at.download_button] == ["Invitation (.ics)"]

    ana = as_interviewer("ana@example.com", "Ana Silva")  # she runs it: its card, its invitation, its figures
    assert "**Jane Doe** · System design interview" in rendered_text(ana)
    assert [b.label for b in ana.download_button] == ["Invitation (.ics)"]
    assert metric(ana, "Upcoming") == "1"

    iris = as_interviewer("iris@example.com", "Iris")  # she schedules too, but not this one
    assert "**Jane Doe** · System design interview" not in rendered_text(iris)  # no card: name, time, problem
    assert not [b for b in iris.button if b.key and b.key.startswith(("open_", "cancel_"))]
    assert [b.label for b in iris.download_button] == []
    assert metric(iris, "Upcoming") == "0"
    assert "Nothing booked yet" in rendered_text(iris)


def book_for(ws: Workspace, member: TeamMember, name: str, email: str) -> None:
    """An interview booked by the workspace itself (no account owns it) at `member`'s first free time."""
    kind = team.event_types(ws)[0]
    slot = bookings.available_slots(
        ws, event_type_id=kind.id, interviewer_ids=[member.id], first_day=date.today(), days=14, viewer_timezone="UTC"
    )[0]
    request = bookings.BookingRequest(
        event_type_id=kind.id,
        problem_id=ws.problems.all()[0].id,
        start=slot.start,
        interviewer_ids=(member.id,),
        candidate_name=name,
        candidate_email=email,
    )
    bookings.book_interview(ws, request, actor=ADMIN)


def test_the_book_tab_offers_an_interviewer_only_the_candidates_of_their_interviews(
    new_app: AppFactory, ws: Workspace
) -> None:
    ana = team.add_member(ws, name="Ana Silva", email="ana@example.com", timezone="UTC", actor=ADMIN)
    ben = team.add_member(ws, name="Ben Ode", email="ben@example.com", timezone="UTC", actor=ADMIN)
    book_for(ws, ana, "Jane Doe", "jane@example.com")
    book_for(ws, ben, "Bob Ray", "bob@example.com")
    new = "New candidate…"

    admin = open_page(new_app)  # the admin is offered everyone
    assert admin.selectbox(key="schedule_candidate").options == [
        new,
        "Bob Ray <bob@example.com>",
        "Jane Doe <jane@example.com>",
    ]
    ana_page = as_interviewer("ana@example.com", "Ana Silva")  # she runs Jane's interview, not Bob's
    assert ana_page.selectbox(key="schedule_candidate").options == [new, "Jane Doe <jane@example.com>"]
    iris = as_interviewer("iris@example.com", "Iris")  # she schedules too, but runs neither
    assert iris.selectbox(key="schedule_candidate").options == [new]
    assert "bob@example.com" not in rendered_text(iris) and "jane@example.com" not in rendered_text(iris)


def test_calcom_mode_says_so_and_an_unlinked_kind_is_a_clear_error(
    new_app: AppFactory, ws: Workspace, app_env: pytest.MonkeyPatch
) -> None:
    app_env.setenv("CALCOM_API_KEY", "cal_test_ui_key_0000")
    app_env.setenv("IW_SCHEDULING__CALCOM_BASE_URL", "http://127.0.0.1:9/v2")  # never reached
    team.add_member(ws, name="Ana Silva", email="ana@example.com", actor=ADMIN)
    at = open_page(new_app)
    assert at.caption[0].value == "Booking through Cal.com."
    assert "is not linked to a Cal.com event type" in at.error[0].value
    assert "cal_test_ui_key_0000" not in rendered_text(at)


def test_the_webhook_log_shows_what_each_delivery_did(
    new_app: AppFactory, ws: Workspace, app_env: pytest.MonkeyPatch
) -> None:
    at = open_page(new_app, "pages/webhooks.py")
    assert page_title(at) == "Webhook log"
    assert "No webhook deliveries yet" in at.info[0].value
    assert "not set" in at.caption[0].value

    secret = "ui-secret"
    app_env.setenv("CALCOM_WEBHOOK_SECRET", secret)
    body = json.dumps({"triggerEvent": "PING", "createdAt": "2026-11-22T10:00:00.000Z", "payload": {}}).encode()
    good = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    receipt = calcom_webhooks.receive(ws, body, good, secret=secret)
    calcom_webhooks.process(ws, receipt.event_id or 0)
    calcom_webhooks.receive(ws, body, "0" * 64, secret=secret)
    calcom_webhooks.receive(ws, body, good, secret=secret)

    at.run()
    assert_clean(at)
    assert (metric(at, "Applied"), metric(at, "Refused"), metric(at, "Duplicate")) == ("1", "1", "1")
    table = at.dataframe[0].value
    assert list(table["Result"]) == ["Duplicate", "Applied"]  # a forged request is counted, not listed
    assert "Ping from Cal.com" in table["What happened"].iloc[1]
    refused = at.dataframe[1].value
    assert list(zip(refused["HTTP"], refused["Reason"], refused["Count"], strict=True)) == [
        (401, "Refused: signature does not match.", 1)
    ]
    assert "Signing secret: set." in at.caption[0].value
