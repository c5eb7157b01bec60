"""Scheduling in the browser: add an interviewer, book an interview, see it scheduled, take a webhook."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Locator, Page, expect

from tests.calcom_fake.server import post_webhook, webhook_body
from tests.e2e.conftest import WEBHOOK_SECRET, screenshot, wait_for_app


def _tab(page: Page, name: str) -> Locator:
    """Open a tab; its panel (every tab's widgets are in the page, only one panel is shown)."""
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)
    return page.get_by_role("tabpanel", name=name)


def test_book_an_interview_and_receive_a_calcom_booking(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/schedule")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Schedule")).to_be_visible()

    # An interviewer first: the built-in scheduler books from their working hours.
    _tab(page, "Team")
    form = page.get_by_test_id("stForm").filter(has_text="Add a team member")
    form.get_by_label("Name", exact=True).fill("Ana Schedule")
    form.get_by_label("Email", exact=True).fill("ana.schedule@example.com")
    form.get_by_label("Time zone").fill("Europe/Rome")
    form.get_by_role("button", name="Add member").click()
    wait_for_app(page)
    expect(page.get_by_test_id("glide-cell-1-0")).to_have_text("ana.schedule@example.com")  # the grid draws on a canvas

    # Book: a new candidate, the first free slot, a Google Meet link.
    book = _tab(page, "Book")
    book.get_by_label("Name", exact=True).fill("Jane Booked")
    book.get_by_label("Email", exact=True).fill("jane.booked@example.com")
    book.get_by_label("Meeting link").fill("https://meet.google.com/abc-defg-hij")
    page.keyboard.press("Tab")
    wait_for_app(page)
    expect(book.get_by_text("Free times in your time zone")).to_be_visible()
    book.get_by_role("button", name="Book interview").click()
    wait_for_app(page)
    expect(page.get_by_text("Booked Jane Booked for")).to_be_visible()

    # It is a scheduled session with a join button for Google Meet.
    _tab(page, "Upcoming")
    card = page.locator("[class*='st-key-booking_']").filter(has_text="Jane Booked")
    expect(card).to_have_count(1)
    expect(card.locator(".stMarkdownBadge")).to_contain_text("Scheduled")
    expect(card.get_by_role("link", name="Join on Google Meet")).to_have_attribute(
        "href", "https://meet.google.com/abc-defg-hij"
    )
    expect(card.get_by_role("button", name="Invitation (.ics)")).to_be_visible()
    screenshot(page, "schedule-upcoming")

    # Move it to a weekday's last free time, a button away; the page stays on Upcoming and says where it went.
    card.get_by_text("Reschedule").click()
    wait_for_app(page)
    day = datetime.now(UTC).date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    card.get_by_role("spinbutton", name="year, Day").click()  # a field per part, each moving on when full
    page.keyboard.type(f"{day:%Y%m%d}")
    page.get_by_role("heading", name="Schedule").click()  # the day reaches the script when focus leaves
    wait_for_app(page)
    expect(card.get_by_text(f"Free times on {day:%a %d %b}")).to_be_visible()
    times = card.get_by_test_id("stButtonGroup").get_by_role("radio")  # pills
    last = times.last.inner_text()
    times.last.click()
    wait_for_app(page)
    card.get_by_role("button", name=re.compile(rf"^Move to .* {last}$")).click()
    wait_for_app(page)
    expect(page.get_by_text("Moved Jane Booked's interview to")).to_be_visible()
    expect(page.get_by_role("tab", name="Upcoming")).to_have_attribute("aria-selected", "true")
    expect(card.get_by_text(re.compile(rf"{last}–"))).to_be_visible()
    screenshot(page, "schedule-moved")

    # A booking made on Cal.com's own page arrives as a signed webhook and becomes a session too.
    start = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    payload = {
        "uid": "e2e-calcom-booking",
        "bookingId": 4242,
        "title": "System design interview",
        "startTime": start.isoformat().replace("+00:00", "Z"),
        "endTime": (start + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        "attendees": [{"name": "Carl Webhook", "email": "carl.webhook@example.com", "timeZone": "UTC"}],
        "organizer": {"name": "Ana Schedule", "email": "ana.schedule@example.com", "timeZone": "Europe/Rome"},
        "status": "ACCEPTED",
        "iCalUID": "e2e-calcom-booking@cal.com",
        "iCalSequence": 0,
        "metadata": {"videoCallUrl": "https://app.cal.com/video/e2e-calcom-booking"},
    }
    delivery = post_webhook(
        f"{server_url}/webhooks/calcom", webhook_body("BOOKING_CREATED", payload), secret=WEBHOOK_SECRET
    )
    assert delivery.status_code == 200, delivery.response_text
    forged = post_webhook(
        f"{server_url}/webhooks/calcom", webhook_body("BOOKING_CREATED", payload), secret="not-the-secret"
    )
    assert forged.status_code == 401

    page.reload()
    wait_for_app(page)
    _tab(page, "Upcoming")
    carl = page.locator("[class*='st-key-booking_']").filter(has_text="Carl Webhook")
    expect(carl).to_have_count(1)
    expect(carl.get_by_role("link", name="Join on Cal Video")).to_be_visible()
    expect(carl.get_by_text("With Ana Schedule")).to_be_visible()

    page.goto(f"{server_url}/webhooks")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Webhook log")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Applied")).to_contain_text("1")
    expect(page.get_by_test_id("stMetric").filter(has_text="Refused")).to_contain_text("1")
    screenshot(page, "webhook-log")

    # The worker applied it as a job: the Jobs page shows it done, with what came of it.
    page.goto(f"{server_url}/jobs")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Background jobs")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Done")).not_to_contain_text(re.compile(r"^Done\s*0$"))
    expect(page.get_by_test_id("stMetric").filter(has_text="Failed")).to_contain_text("0")
    screenshot(page, "jobs")

    # Opening the booked interview makes it ready in the interviewer's cockpit, with its meeting link.
    page.goto(f"{server_url}/schedule")
    wait_for_app(page)
    _tab(page, "Upcoming")
    card = page.locator("[class*='st-key-booking_']").filter(has_text="Jane Booked")
    card.get_by_role("button", name="Open interview").click()
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"/live\?session=[0-9a-f]{32}"))
    expect(page.get_by_role("heading", name="System design (interviewer-led)")).to_be_visible()
    expect(page.get_by_text("Design a Chat Messaging Service").first).to_be_visible()
    expect(page.get_by_role("link", name="Join on Google Meet")).to_have_attribute(
        "href", "https://meet.google.com/abc-defg-hij"
    )
    expect(page.get_by_role("button", name="Start the session")).to_be_visible()
