"""The interview's clocks tick in the browser: an open, idle interview page asks the server for nothing, yet its
clock moves every second; a new stage in the cockpit starts its stage clock from zero."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, WebSocket, expect

from core.config import Settings
from core.interview.services import create_interview, start_interview
from core.permissions.actor import Actor
from entry.bootstrap import build_workspace
from tests.e2e.conftest import E2E_EMAIL, find_account_or_none, wait_for_app

IDLE_SECONDS = 3.0


THREE_SECONDS_OR_MORE = re.compile(r"^(?!00:0[0-2]$)\d+:\d\d$")


def seconds(text: str) -> int:
    minutes, secs = re.fullmatch(r"(\d+):(\d\d)", text.strip()).groups()  # type: ignore[union-attr]
    return int(minutes) * 60 + int(secs)


def test_an_open_interview_page_ticks_without_asking_the_server(
    page: Page, server_url: str, server_runtime: Path
) -> None:
    ws = build_workspace(Settings(runtime_dir=server_runtime), migrate=False)
    me = find_account_or_none(ws, E2E_EMAIL)
    assert me is not None
    session = create_interview(ws, problem_id="rate_limiter", actor=Actor.person(me))
    start_interview(ws, session.id, actor=Actor.person(me))

    sent: list[float] = []

    def watch(socket: WebSocket) -> None:
        socket.on("framesent", lambda _frame: sent.append(time.monotonic()))

    page.on("websocket", watch)
    page.goto(f"{server_url}/interview?session={session.id}")
    wait_for_app(page)
    clock = page.get_by_role("timer", name="Elapsed")
    expect(clock).to_be_visible()
    value = clock.locator(".iw-clock-value")
    expect(clock.locator(".iw-clock-delta")).to_contain_text("left")

    page.wait_for_timeout(1500)  # the page settles (components mount and report once)
    first, quiet_from = seconds(value.inner_text()), time.monotonic()
    page.wait_for_timeout(IDLE_SECONDS * 1000)
    later = seconds(value.inner_text())
    assert later - first >= IDLE_SECONDS - 1, (first, later)  # it ticked
    assert [t for t in sent if t >= quiet_from] == []  # and the browser asked the server for nothing


def test_a_new_stage_starts_its_clock_from_zero(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/live")
    wait_for_app(page)
    page.get_by_label("Name of the person you are interviewing").fill("Cleo Clock")
    page.get_by_role("button", name="Open the session").click()
    wait_for_app(page)
    page.get_by_role("button", name="Start the session").click()
    wait_for_app(page)
    first = page.get_by_role("timer", name="Context and role").locator(".iw-clock-value")
    expect(first).to_be_visible()
    # it ticks in the browser to 3 s or more (polled: on a loaded machine the component may mount a moment late)
    expect(first).to_have_text(THREE_SECONDS_OR_MORE, timeout=15_000)
    assert seconds(first.inner_text()) >= 3
    page.get_by_role("button", name="Next: Current workflow and pains").click()
    wait_for_app(page)
    stage = page.get_by_role("timer", name="Current workflow and pains").locator(".iw-clock-value")
    expect(stage).to_be_visible()
    assert seconds(stage.inner_text()) <= 2  # not the stage before's time carried over
    session = page.get_by_role("timer", name="Session").locator(".iw-clock-value")
    assert seconds(session.inner_text()) >= 3
