"""The Schedule and Webhook log pages under AppTest: book, cancel, team form, Cal.com mode errors."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.models import MemberRole, SessionStatus, TeamMember
from core.scheduling import bookings, team
from core.scheduling.availability import Slot
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.scheduling.calcom.client import CalcomClient
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


def errors(at: AppTest) -> list[str]:
    """The error boxes' text as the person reads it (typed text arrives escaped for Markdown)."""
    return [e.value.replace("\\", "") for e in at.error]


def member_form(at: AppTest) -> dict[str, Any]:
    """The Add-a-team-member form's widgets, by label."""
    form = next(f for f in at.get("form") if f.proto.form.form_id == "add_member")
    return {w.label: w for w in form if isinstance(getattr(w, "label", None), str)}


def test_a_refused_team_form_keeps_what_was_typed_and_names_the_field_to_fix(
    new_app: AppFactory, ws: Workspace
) -> None:
    at = open_page(new_app)
    form = member_form(at)
    form["Name"].set_value("Ana Silva")
    form["Email"].set_value("ana@example.com")
    form["Role"].select("reviewer")
    form["Time zone"].set_value("Mars/Olympus")
    form["Works from"].set_value(time(10))
    form["until"].set_value(time(18))
    form["Working days"].set_value([0, 2, 4])
    form["Add member"].click()
    at.run()
    assert_clean(at)
    assert errors(at) == [
        "**Time zone:** “Mars/Olympus” is not a time zone name; use one like Europe/Rome or America/New_York."
    ]
    assert team.list_members(ws) == []
    form = member_form(at)  # everything else is as it was typed
    assert (form["Name"].value, form["Email"].value, form["Role"].value) == ("Ana Silva", "ana@example.com", "reviewer")
    assert (form["Works from"].value, form["until"].value, form["Working days"].value) == (
        time(10),
        time(18),
        [0, 2, 4],
    )

    form["Time zone"].set_value("Europe/Rome")  # the person fixes the one field named, and nothing else
    form["Add member"].click()
    at.run()
    assert_clean(at)
    assert errors(at) == []  # a form cleared by the refusal would now lack the name and the email
    [member] = team.list_members(ws)
    assert (member.name, member.email, member.role, member.timezone) == (
        "Ana Silva",
        "ana@example.com",
        MemberRole.REVIEWER,
        "Europe/Rome",
    )
    assert member.working_hours == {day: [["10:00", "18:00"]] for day in ("0", "2", "4")}
    assert at.success[0].value == "Added Ana Silva to the team."
    form = member_form(at)  # added: the form is ready for the next person
    assert (form["Name"].value, form["Email"].value, form["Time zone"].value) == ("", "", "UTC")


def test_every_bad_field_of_the_team_form_is_named_at_once(new_app: AppFactory, ws: Workspace) -> None:
    at = open_page(new_app)
    form = member_form(at)
    form["Email"].set_value("ana.example.com")
    form["Works from"].set_value(time(17))
    form["until"].set_value(time(9))
    form["Add member"].click()
    at.run()
    assert errors(at) == [
        "**Name:** A team member needs a name.",
        "**Email:** “ana.example.com” is not an email address.",
        "Working hours on Mon: 17:00–09:00 ends before it starts.",
    ]
    assert team.list_members(ws) == []
    assert member_form(at)["Email"].value == "ana.example.com"


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


def weekday_ahead(days: int = 2) -> date:
    """A weekday at least `days` ahead: free times on it are past no minimum notice, and Cal.com's fake works."""
    day = datetime.now(UTC).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def on(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def book_at(
    ws: Workspace,
    member: TeamMember,
    start: datetime,
    name: str = "Jane Doe",
    *,
    meeting_url: str = "",
    client: CalcomClient | None = None,
) -> str:
    """An interview with `member` booked by the admin at `start` (UTC, the page's zone under AppTest); its session."""
    kind = next(k for k in team.event_types(ws) if k.kind == "system_design")
    request = bookings.BookingRequest(
        event_type_id=kind.id,
        problem_id=ws.problems.all()[0].id,
        start=start,
        interviewer_ids=(member.id,),
        candidate_name=name,
        candidate_email=f"{name.split()[0].lower()}@example.com",
        meeting_url=meeting_url,
    )
    return bookings.book_interview(ws, request, client=client, actor=ADMIN).session.id


def open_reschedule(at: AppTest, sid: str) -> AppTest:
    """The person opens the card's Reschedule panel (it runs only while open)."""
    at.session_state[f"move_open_{sid}"] = True
    at.run()
    assert_clean(at)
    return at


def booked_start(ws: Workspace, sid: str) -> datetime:
    with ws.uow_factory() as uow:
        booking = uow.bookings.for_session(sid)
        assert booking is not None
        return booking.start_at


def test_book_takes_the_time_on_screen_and_says_so_when_it_was_taken_meanwhile(
    new_app: AppFactory, ws: Workspace
) -> None:
    ana = team.add_member(ws, name="Ana Silva", email="ana@example.com", timezone="UTC", actor=ADMIN)
    day = weekday_ahead()
    at = open_page(new_app)
    at.date_input(key="schedule_from").set_value(day).run()
    at.text_input(key="schedule_candidate_name").set_value("Jane Doe")
    at.text_input(key="schedule_candidate_email").set_value("jane@example.com")
    at.radio(key=f"schedule_slot_{day.isoformat()}").set_value(Slot(on(day, 14), on(day, 15))).run()
    book_at(ws, ana, on(day, 14), "Bob Ray")  # someone else takes Ana's 14:00 before the button is pressed
    at.button(key="schedule_book").click().run()
    assert_clean(at)
    # Not another time in its place (the list moved under the radio): the one chosen, refused, and why.
    assert errors(at) == ["That time does not work: Ana Silva is busy 14:00–15:00 UTC."]
    with ws.uow_factory() as uow:
        assert [b.attendee_name for b in uow.bookings.all()] == ["Bob Ray"]
    nearest = [b for b in at.button if b.key and b.key.startswith("schedule_alt_")]
    assert [b.label for b in nearest] == [f"{day:%a %d %b} {t}" for t in ("15:30", "12:30", "16:00")]
    nearest[1].click().run()
    assert_clean(at)
    assert at.success[0].value == f"Booked Jane Doe for {day:%d %b %Y} 12:30. It is on the Upcoming tab."


def test_reschedule_offers_the_days_free_times_and_confirms_the_move(new_app: AppFactory, ws: Workspace) -> None:
    ana = team.add_member(ws, name="Ana Silva", email="ana@example.com", timezone="UTC", actor=ADMIN)
    day = weekday_ahead()
    sid = book_at(ws, ana, on(day, 10))
    at = open_reschedule(open_page(new_app), sid)
    assert not [t for t in at.time_input if t.key and t.key.startswith("move_")]  # no raw time to type
    picker = at.pills(key=f"move_slot_{sid}_{day.isoformat()}")
    assert picker.label == f"Free times on {day:%a %d %b} (UTC)"
    # Ana works 09–17 UTC; the hour the interview holds now is not offered, and does not block its neighbours.
    every_half_hour = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30) if (h, m) != (16, 30)]
    assert picker.options == [t for t in every_half_hour if t != "10:00"]
    assert at.button(key=f"move_{sid}").disabled  # nothing chosen yet

    picker.set_value(Slot(on(day, 14), on(day, 15))).run()
    move = at.button(key=f"move_{sid}")
    assert (move.label, move.disabled) == (f"Move to {day:%a %d %b} 14:00", False)
    move.click().run()
    assert_clean(at)
    assert booked_start(ws, sid) == on(day, 14)
    assert at.success[0].value == (
        f"Moved Jane Doe's interview to **{day:%a %d %b %Y}, 14:00–15:00** (UTC); it was {day:%a %d %b} 10:00. "
        "The invitation now shows the new time."
    )
    assert [t.value for t in at.toast] == [f"Moved to {day:%a %d %b} 14:00 (UTC)."]  # seen wherever the card was
    assert f"{day:%d %b %Y} 14:00–15:00" in rendered_text(at)  # the card shows the new time
    assert not at.pills  # and its panel has closed


def test_a_time_taken_meanwhile_offers_the_nearest_free_times_as_buttons_that_move_it(
    new_app: AppFactory, ws: Workspace
) -> None:
    ana = team.add_member(ws, name="Ana Silva", email="ana@example.com", timezone="UTC", actor=ADMIN)
    day = weekday_ahead()
    sid = book_at(ws, ana, on(day, 10))
    at = open_reschedule(open_page(new_app), sid)
    at.pills(key=f"move_slot_{sid}_{day.isoformat()}").set_value(Slot(on(day, 14), on(day, 15))).run()
    book_at(ws, ana, on(day, 14), "Bob Ray")  # someone else takes Ana's 14:00 while the panel is open
    at.button(key=f"move_{sid}").click().run()
    assert_clean(at)
    assert errors(at) == ["That time does not work: Ana Silva is busy 14:00–15:00 UTC."]
    assert booked_start(ws, sid) == on(day, 10)
    # The nearest times that keep Ana's 10-minute break, same day first, later before earlier.
    nearest = [b for b in at.button if b.key and b.key.startswith(f"move_alt_{sid}_")]
    assert [b.label for b in nearest] == [f"{day:%a %d %b} {t}" for t in ("15:30", "12:30", "16:00")]

    nearest[1].click().run()  # one click moves it there
    assert_clean(at)
    assert booked_start(ws, sid) == on(day, 12, 30)
    assert at.success[0].value.startswith(f"Moved Jane Doe's interview to **{day:%a %d %b %Y}, 12:30–13:30** (UTC)")
    assert not at.error


def test_a_cancelled_interview_shows_as_cancelled_and_is_counted_as_one(new_app: AppFactory, ws: Workspace) -> None:
    ana = team.add_member(ws, name="Ana Silva", email="ana@example.com", timezone="UTC", actor=ADMIN)
    day = weekday_ahead()
    sid = book_at(ws, ana, on(day, 10), meeting_url="https://us02web.zoom.us/j/81234567890?pwd=abc")
    at = open_page(new_app)
    assert "Join on Zoom" in rendered_text(at)
    at.text_input(key=f"cancel_reason_{sid}").set_value("Candidate accepted another offer")
    at.button(key=f"cancel_{sid}").click().run()
    assert_clean(at)

    # Not "nothing booked": one was booked, and cancelled.
    assert "Nothing booked yet" not in rendered_text(at)
    assert at.info[0].value == "No upcoming interviews; 1 cancelled (turn on Show cancelled to see it)."
    assert at.success[0].value.startswith("Cancelled Jane Doe's interview of")
    assert [t.value for t in at.toast] == ["Cancelled Jane Doe's interview."]
    assert (metric(at, "Upcoming"), metric(at, "Cancelled")) == ("0", "1")
    conversion = next(m for m in at.metric if m.label == "Booking conversion")
    assert (conversion.value, conversion.delta) == ("0%", "0 of 1 kept")  # made, not kept: the figure says so

    at.toggle(key="schedule_show_cancelled").set_value(True).run()
    assert_clean(at)
    text = rendered_text(at)
    assert "**Jane Doe** · System design interview" in text
    assert ":red-badge[:material/event_busy: Cancelled]" in [m.value for m in at.markdown]
    assert "Reason: Candidate accepted another offer" in [c.value for c in at.caption]
    assert f"~~{day:%d %b %Y} 10:00–11:00~~" in text
    assert "Join on Zoom" not in text  # nothing to join any more
    assert [b.label for b in at.download_button] == ["Cancellation (.ics)"]
    assert not [b for b in at.button if b.key and b.key.startswith(("move_", "cancel_", "open_"))]


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
