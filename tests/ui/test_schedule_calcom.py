"""The Schedule page booking through Cal.com (the loopback fake of its API): moving an interview to one of
Cal.com's free times, the nearest ones when Cal.com refuses, and cancelled bookings shown and counted as such."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.models import BookingStatus, TeamMember
from core.scheduling import team
from core.scheduling.availability import Slot
from core.scheduling.calcom.client import CalcomClient
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import ADMIN
from tests.calcom_fake import CalcomServer
from tests.ui.conftest import AppFactory, assert_clean, rendered_text
from tests.ui.test_schedule_page import (
    book_at,
    booked_start,
    errors,
    metric,
    on,
    open_page,
    open_reschedule,
    weekday_ahead,
)

SYSTEM_DESIGN = 101  # the fake's 60-minute event type, held on Cal Video; free 09–17 UTC on weekdays


@pytest.fixture(scope="module")
def fake() -> Iterator[CalcomServer]:
    with CalcomServer() as server:
        yield server


@pytest.fixture
def calcom(fake: CalcomServer, app_env: pytest.MonkeyPatch) -> Iterator[CalcomClient]:
    """The app books through the fake (its key and address in the environment); the test's own client."""
    fake.reset()
    app_env.setenv("CALCOM_API_KEY", fake.api_key)
    app_env.setenv("IW_SCHEDULING__CALCOM_BASE_URL", fake.base_url)
    with CalcomClient(fake.api_key, base_url=fake.base_url, backoff_seconds=0.01) as client:
        yield client


@pytest.fixture
def ws(calcom: CalcomClient, runtime_dir: Path) -> Workspace:
    ws = build_workspace(Settings(runtime_dir=runtime_dir))
    kind = next(k for k in team.event_types(ws) if k.kind == "system_design")
    kind.calcom_event_type_id = SYSTEM_DESIGN
    team.save_event_type(ws, kind, actor=ADMIN)
    return ws


@pytest.fixture
def ana(ws: Workspace) -> TeamMember:
    return team.add_member(ws, name="Ana Silva", email="ana@example.com", timezone="UTC", actor=ADMIN)


def test_reschedule_offers_calcoms_free_times_and_the_nearest_when_calcom_refuses(
    new_app: AppFactory, ws: Workspace, ana: TeamMember, calcom: CalcomClient, fake: CalcomServer
) -> None:
    day = weekday_ahead()
    sid = book_at(ws, ana, on(day, 10), client=calcom)
    [first] = fake.live_bookings()
    at = open_reschedule(open_page(new_app), sid)
    assert at.caption[0].value == "Booking through Cal.com."

    # Cal.com's own free times that day (hourly, 09–17 UTC), asked as for moving this booking.
    picker = at.pills(key=f"move_slot_{sid}_{day.isoformat()}")
    assert picker.options == [f"{h:02d}:00" for h in range(9, 17) if h != 10]
    asked = [r for r in fake.requests if r.path == "/v2/slots"]
    assert asked[-1].query["bookingUidToReschedule"] == first.uid

    picker.set_value(Slot(on(day, 14), on(day, 15))).run()
    fake.seed_booking(event_type_id=SYSTEM_DESIGN, start=on(day, 14))  # booked on Cal.com's page meanwhile
    at.button(key=f"move_{sid}").click().run()
    assert_clean(at)
    assert errors(at) == [
        "That time can't be booked on Cal.com: User either already has booking at this time or is not available. "
        "Pick another free time."
    ]
    assert booked_start(ws, sid) == on(day, 10)
    nearest = [b for b in at.button if b.key and b.key.startswith(f"move_alt_{sid}_")]
    assert [b.label for b in nearest] == [f"{day:%a %d %b} {t}" for t in ("15:00", "13:00", "16:00")]

    nearest[0].click().run()
    assert_clean(at)
    assert not at.error
    assert at.success[0].value == (
        f"Moved Jane Doe's interview to **{day:%a %d %b %Y}, 15:00–16:00** (UTC); it was {day:%a %d %b} 10:00. "
        "The invitation now shows the new time."
    )
    assert booked_start(ws, sid) == on(day, 15)
    moved = fake.booking(first.uid)
    assert moved.status == "cancelled" and fake.booking(moved.rescheduled_to_uid or "").start == on(day, 15)


def test_a_cancelled_calcom_booking_is_shown_cancelled_and_counted_apart_from_the_kept_one(
    new_app: AppFactory, ws: Workspace, ana: TeamMember, calcom: CalcomClient, fake: CalcomServer
) -> None:
    day = weekday_ahead()
    dropped = book_at(ws, ana, on(day, 10), client=calcom)
    kept = book_at(ws, ana, on(day, 13), "Bob Ray", client=calcom)
    at = open_page(new_app)
    assert rendered_text(at).count("Join on Cal Video") == 2

    at.text_input(key=f"cancel_reason_{dropped}").set_value("Role filled")
    at.button(key=f"cancel_{dropped}").click().run()
    assert_clean(at)
    [cancelled] = [b for b in fake.bookings.values() if b.status == "cancelled"]
    assert cancelled.cancellation_reason == "Role filled"

    assert not at.info  # Bob's interview is still upcoming
    assert [m.key for m in _cards(at)] == [f"booking_{kept}"]
    assert (metric(at, "Upcoming"), metric(at, "Cancelled")) == ("1", "1")
    conversion = next(m for m in at.metric if m.label == "Booking conversion")
    assert (conversion.value, conversion.delta) == ("50%", "1 of 2 kept")

    at.toggle(key="schedule_show_cancelled").set_value(True).run()
    assert_clean(at)
    assert [m.key for m in _cards(at)] == [f"booking_{kept}", f"booking_{dropped}"]
    card = at.get_by_key(f"booking_{dropped}")
    assert card is not None
    card_text = "\n".join(str(node.proto) for node in card if getattr(node, "proto", None) is not None)
    assert "Cancelled" in card_text and "Reason: Role filled" in card_text
    assert "Join on Cal Video" not in card_text
    assert rendered_text(at).count("Join on Cal Video") == 1  # Bob's
    with ws.uow_factory() as uow:
        booking = uow.bookings.for_session(dropped)
        assert booking is not None and booking.status is BookingStatus.CANCELLED


def _cards(at: AppTest) -> list[object]:
    """The interview cards on the Upcoming tab, in order."""
    return [node for node in at if str(getattr(node, "key", "") or "").startswith("booking_")]
