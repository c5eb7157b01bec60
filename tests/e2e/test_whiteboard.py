"""The whiteboard in a real browser: draw two labelled boxes, answer in the chat, and the interviewer asks
about the drawing; a reload brings the drawing back. Arrows drawn in quick succession all keep their
heads, and undo stays available."""

from __future__ import annotations

import contextlib
import io
import math
import re
import time
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.config import Settings
from core.permissions.actor import Actor
from core.whiteboard.analysis import read_board
from core.whiteboard.snapshots import latest_snapshot
from entry.bootstrap import build_workspace
from tests.e2e.conftest import screenshot, wait_for_app
from tests.e2e.test_interview_flow import send


def canvas(page: Page) -> Locator:
    return page.locator("[data-testid=stBidiComponentIsolated] canvas.upper-canvas").first


def settle(page: Page) -> None:
    """Wait for the run a click started (it may not have begun yet) to finish."""
    with contextlib.suppress(PlaywrightTimeout):  # it may have been quicker than us
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='running']", timeout=1500)
    wait_for_app(page)
    time.sleep(1.5)  # the canvas takes the new tool from the run's data (slower on a loaded machine)


def tool(page: Page, name: str) -> None:
    page.get_by_role("radio", name=name, exact=True).click()  # a segmented control's option
    settle(page)


def sees(page: Page, pattern: str) -> None:
    expect(page.get_by_text(re.compile(pattern))).to_be_visible(timeout=15_000)


def drag(page: Page, board: Locator, start: tuple[int, int], end: tuple[int, int]) -> None:
    box = board.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + start[0], box["y"] + start[1])
    page.mouse.down()
    page.mouse.move(box["x"] + end[0], box["y"] + end[1], steps=10)
    page.mouse.up()
    time.sleep(0.8)
    wait_for_app(page)


def write(page: Page, board: Locator, at: tuple[int, int], text: str) -> None:
    box = board.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + at[0], box["y"] + at[1])
    time.sleep(0.8)  # the new text enters editing
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Escape")
    time.sleep(0.8)
    wait_for_app(page)


def start_interview(page: Page, server_url: str, problem_title: str = "URL Shortener") -> str:
    """Set up and start an interview on `problem_title` from the Setup page; returns its session id."""
    page.goto(server_url)
    wait_for_app(page)
    problem = page.get_by_role("combobox", name="Problem")
    problem.click()
    page.keyboard.type(problem_title)
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(problem).to_have_value(re.compile(problem_title))
    page.get_by_role("button", name="Start interview").click()
    expect(page).to_have_url(re.compile(r"/interview\?session=[0-9a-f]{32}"))
    wait_for_app(page)
    expect(page.get_by_test_id("stChatMessage").first).to_contain_text(problem_title)
    found = re.search(r"session=([0-9a-f]{32})", page.url)
    assert found
    return found.group(1)


def stored_drawing(runtime: Path, session_id: str) -> dict[str, Any]:
    """The Fabric JSON of the session's latest saved snapshot, read from the server's own database."""
    ws = build_workspace(Settings(runtime_dir=runtime), migrate=False)
    snapshot = latest_snapshot(ws, session_id, actor=Actor.workspace("test"))  # the test reads as the server
    assert snapshot is not None
    return snapshot.fabric_json


def kinds(drawing: dict[str, Any]) -> list[str]:
    return [str(o.get("type", "")).lower() for o in drawing.get("objects", [])]


def test_the_interviewer_refers_to_boxes_drawn_on_the_whiteboard(page: Page, server_url: str) -> None:
    start_interview(page, server_url)

    board = canvas(page)
    board.scroll_into_view_if_needed()
    expect(board).to_be_visible()
    tool(page, "Box")
    drag(page, board, (40, 60), (220, 160))
    drag(page, board, (340, 60), (540, 170))
    sees(page, r"What I see: no component I recognise yet")  # two boxes, saved, without labels
    tool(page, "Text")
    write(page, board, (80, 100), "Redis cache")
    sees(page, r"What I see: 1 component \(cache\)")
    write(page, board, (380, 105), "Postgres")
    sees(page, r"What I see: 2 components \(cache, database\)")

    send(
        page,
        "Users paste a long URL and get back a short link; opening the short link redirects them to the "
        "original page, and redirects must stay fast and available.",
    )
    reply = page.get_by_test_id("stChatMessage").nth(2)
    expect(reply).to_contain_text("On your board the cache and the database aren't connected")
    screenshot(page, "whiteboard-01-interviewer-reads-the-board")

    # an arrow from the cache to the database joins them
    tool(page, "Arrow")
    drag(page, board, (222, 110), (338, 110))
    joined = re.compile(r"What I see: 2 components \(cache, database\); 1 connection\.")
    expect(page.get_by_text(joined)).to_be_visible(timeout=15_000)

    # autosaved: a reload brings the drawing back, arrow head and all
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text(joined)).to_be_visible(timeout=15_000)
    canvas(page).scroll_into_view_if_needed()
    time.sleep(1.0)
    screenshot(page, "whiteboard-02-after-reload")

    # full width: the same drawing on a canvas as wide as the page
    page.get_by_text("Full width", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(joined)).to_be_visible(timeout=15_000)
    width = 0.0
    for _ in range(50):  # the canvas remounts in the full-width area; the old one may linger a moment
        box = canvas(page).bounding_box()
        width = box["width"] if box else 0.0
        if width > 1000:
            break
        time.sleep(0.1)
    assert width > 1000
    canvas(page).scroll_into_view_if_needed()
    time.sleep(1.0)
    screenshot(page, "whiteboard-03-full-width")

    # clear asks first; the cleared board is what a reload shows
    page.get_by_role("button", name="Clear").click()
    page.get_by_role("button", name="Yes, clear it").click()
    wait_for_app(page)
    empty = re.compile("What I see: nothing yet")
    expect(page.get_by_text(empty)).to_be_visible()
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text(empty)).to_be_visible()


def test_arrows_drawn_in_quick_succession_all_keep_their_heads(
    page: Page, server_url: str, server_runtime: Path
) -> None:
    session_id = start_interview(page, server_url)
    board = canvas(page)
    board.scroll_into_view_if_needed()
    tool(page, "Arrow")
    box = board.bounding_box()
    assert box is not None
    arrows = [((40, 50 + 70 * i), (300, 80 + 70 * i)) for i in range(5)]
    for start, end in arrows:  # one after another, without waiting for the app between them
        page.mouse.move(box["x"] + start[0], box["y"] + start[1])
        page.mouse.down()
        page.mouse.move(box["x"] + end[0], box["y"] + end[1], steps=6)
        page.mouse.up()
        time.sleep(0.35)
    time.sleep(1.0)
    wait_for_app(page)
    time.sleep(1.0)

    deadline = time.monotonic() + 15
    while True:
        drawing = stored_drawing(server_runtime, session_id)
        graph = read_board(drawing)
        if len(graph.connectors) == 5 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert kinds(drawing).count("line") == 5, kinds(drawing)
    assert kinds(drawing).count("triangle") == 5, kinds(drawing)
    assert [c.arrow for c in graph.connectors] == [True] * 5
    for connector, (_, end) in zip(sorted(graph.connectors, key=lambda c: c.end[1]), arrows, strict=True):
        assert math.dist(connector.end, end) < 3, (connector.end, end)  # each points where it was drawn to

    # every head is on the screen without another change: just past each arrow's end the canvas is ink
    picture = Image.open(io.BytesIO(board.screenshot())).convert("RGB")
    for (x1, y1), (x2, y2) in arrows:
        length = math.hypot(x2 - x1, y2 - y1)
        tip = (round(x2 + 4 * (x2 - x1) / length), round(y2 + 4 * (y2 - y1) / length))
        assert sum(picture.getpixel(tip)) < 3 * 160, f"no arrow head drawn at {tip}"
    screenshot(page, "whiteboard-04-five-arrows")

    # the canvas kept its history: undo is there, and takes the last arrow (and its head) away
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_enabled()
    undo.click()
    time.sleep(1.0)
    wait_for_app(page)
    deadline = time.monotonic() + 15
    while kinds(drawing := stored_drawing(server_runtime, session_id)).count("line") != 4:
        assert time.monotonic() < deadline, kinds(drawing)
        time.sleep(0.5)
    assert kinds(drawing).count("triangle") == 4

    # Text: clicking elsewhere to finish a label leaves no empty text behind
    tool(page, "Text")
    box = board.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 330, box["y"] + 20)
    time.sleep(0.8)
    page.keyboard.type("Redis cache")
    page.mouse.click(box["x"] + 420, box["y"] + 300)  # elsewhere: ends the label
    time.sleep(0.8)
    page.keyboard.press("Escape")
    time.sleep(0.8)
    wait_for_app(page)
    sees(page, r"What I see: 1 component \(cache\)")
    texts = [o for o in stored_drawing(server_runtime, session_id)["objects"] if o.get("type", "").lower() == "itext"]
    assert [t["text"] for t in texts] == ["Redis cache"]
