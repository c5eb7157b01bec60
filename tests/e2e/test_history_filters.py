"""History's filters in a real browser: each filter (and some together) narrows the table to exactly
the expected interviews, clearing brings them all back, and a clicked row opens the interview's tabs.

AppTest covers the page's logic; this covers what only a browser does: the widgets' own input
(typed date segments, slider keys, multiselect popovers), the browser's timezone deciding what a
date range means, and a click on the canvas grid selecting a row.

It has its own server over its own runtime folder: the shared one holds whatever other tests
created (and this test's "Payment" interviews would clash with test_interview_flow's pick of
its own), while exact row sets need a database that holds only the six known interviews.

st.dataframe draws its cells on a canvas; glide-data-grid mirrors them into an accessible
<table role="grid"> inside the canvas, which is what the assertions read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from core.config import Settings
from entry.bootstrap import build_workspace
from tests.e2e.conftest import running_server, screenshot, sign_in, wait_for_app
from tests.history_data import History, build_history

# UTC−11 all year: tests/history_data.py's interviews (10:00 UTC) read as 23:00 the day before,
# so a date range only lists the right ones when it means the reader's days, not UTC days.
TIMEZONE = "Pacific/Pago_Pago"
WAIT = 10_000  # ms for a rerun to reach the grid

# What each seeded interview's row reads in TIMEZONE: Date, Candidate, Problem, Status.
ROWS: dict[str, tuple[str, str, str, str]] = {
    "s1": ("03 Mar 2025 23:00", "Ada Lovelace", "Design a URL Shortener", "completed"),  # 4.5
    "s2": ("04 Mar 2025 23:00", "Ada Lovelace", "Design a Payment System", "completed"),  # 2.0
    "s3": ("05 Mar 2025 23:00", "Alan Turing", "Design a URL Shortener", "completed"),  # 3.5
    "s4": ("06 Mar 2025 23:00", "Alan Turing", "Design a Chat System", "cancelled"),  # not scored
    "s5": ("07 Mar 2025 23:00", "Grace Hopper", "Design a Payment System", "active"),  # not scored
    "s6": ("08 Mar 2025 23:00", "—", "Design a URL Shortener", "completed"),  # 3.0, no candidate
}
HEADERS = ["Date", "Candidate", "Problem", "Interviewer", "Status", "Duration (min)", "Overall score"]
CHECKED_COLUMNS = {1: 0, 2: 1, 3: 2, 5: 3}  # aria-colindex → position in a ROWS tuple
EVERYTHING = ("s6", "s5", "s4", "s3", "s2", "s1")  # newest first, the default order


@pytest.fixture(scope="module")
def history_runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("history-runtime")


@pytest.fixture(scope="module")
def history(history_runtime: Path) -> History:
    """The six known interviews, written through the real unit of work into the server's SQLite."""
    return build_history(build_workspace(Settings(runtime_dir=history_runtime)).uow_factory)


@pytest.fixture(scope="module")
def history_url(history_runtime: Path, history: History) -> Iterator[str]:
    with running_server(history_runtime) as url:
        yield url


@pytest.fixture
def history_page(browser: Browser, history_url: str) -> Iterator[Page]:
    """Like conftest's `page`, in a fixed timezone so the dates the page shows are known."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, timezone_id=TIMEZONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, history_url)
    yield page
    context.close()


def grid(page: Page) -> Locator:
    """The list's table (the first dataframe: an opened interview's tabs add more below)."""
    return page.get_by_test_id("stDataFrame").first


@dataclass
class Listing:
    """The list as the page shows it. The grid may still show the previous run's rows for a moment,
    so a step that expected those again could pass before its rerun; every step must therefore
    expect a different list than the one before, and then waits until the page shows it."""

    page: Page
    shown: tuple[str, ...] | None = None  # as last asserted; () is "no interview matches"

    def expect(self, *names: str, unchanged: bool = False) -> None:
        """Exactly these interviews, in this order, and a caption that counts them; then the run is over."""
        assert unchanged == (names == self.shown), f"{names} is {'not ' if unchanged else ''}the list shown already"
        table = grid(self.page)
        for column, position in CHECKED_COLUMNS.items():
            cells = table.locator(f"tbody td[aria-colindex='{column}']")
            expect(cells).to_have_text([ROWS[name][position] for name in names], timeout=WAIT)
        count = len(names)
        caption = self.page.get_by_text(re.compile(r"^Page \d+ of \d+ · "))
        expect(caption).to_have_text(f"Page 1 of 1 · 1–{count} of {count} interviews", timeout=WAIT)
        wait_for_app(self.page)
        self.shown = names

    def expect_none(self) -> None:
        assert self.shown != ()
        expect(self.page.get_by_text("No interview matches these filters.")).to_be_visible(timeout=WAIT)
        expect(self.page.get_by_test_id("stDataFrame")).to_have_count(0)
        wait_for_app(self.page)
        self.shown = ()


def type_candidate(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Candidate")
    box.fill(text)
    box.press("Enter")  # a text input reaches the script on Enter (or blur)


def multiselect(page: Page, label: str) -> Locator:
    return page.get_by_test_id("stMultiSelect").filter(has=page.get_by_text(label, exact=True))


def choose(page: Page, label: str, *options: str) -> None:
    """Pick options from a multiselect's popover, then close it."""
    multiselect(page, label).click()
    for option in options:
        page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def clear(page: Page, label: str) -> None:
    multiselect(page, label).get_by_role("button", name="Clear all").click()


def press_thumb(page: Page, which: str, key: str, times: int = 1) -> None:
    """Move one thumb of the score slider ("start" or "end") by keyboard: one 0.5 step per arrow key."""
    thumb = page.get_by_role("slider", name=f"Overall score — {which}")
    thumb.focus()
    for _ in range(times):
        thumb.press(key)


def expect_score_range(page: Page, low: str, high: str) -> None:
    expect(page.get_by_test_id("stSliderThumbValue")).to_have_text([low, high])


def type_dates(page: Page, start: str, end: str) -> None:
    """Type both ends into the date segments (yyyymmdd); the range reaches the script when focus leaves."""
    for field, value in (("start", start), ("end", end)):
        page.get_by_role("spinbutton", name=f"year, Date range {field} date").click()
        page.keyboard.type(value)
    page.get_by_role("heading", name="History").click()


def panel(page: Page, tab: str) -> Locator:
    return page.get_by_role("tabpanel", name=tab)


def open_row(page: Page, index: int) -> None:
    """Click row `index`'s selection box on the canvas (rows and header are equally tall)."""
    canvas = grid(page).get_by_test_id("data-grid-canvas")
    rows = int(canvas.locator("table[role=grid]").get_attribute("aria-rowcount") or 0)  # the header counts
    box = canvas.bounding_box()
    assert box is not None and rows > index + 1
    height = box["height"] / rows
    page.mouse.click(box["x"] + 15, box["y"] + height * (index + 1.5))


def test_filters_narrow_the_table_to_exactly_the_matching_interviews(
    history_page: Page, history_url: str, history: History
) -> None:
    page = history_page
    listing = Listing(page)
    page.goto(f"{history_url}/history")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(grid(page).locator("thead th")).to_have_text(HEADERS, timeout=WAIT)
    listing.expect(*EVERYTHING)

    # Candidate: part of a name, any case; nobody matching leaves no table at all.
    type_candidate(page, "nobody")
    listing.expect_none()
    type_candidate(page, "LOVE")
    listing.expect("s2", "s1")

    # Problem, together with the candidate, then alone.
    choose(page, "Problem", "Design a Payment System")
    listing.expect("s2")
    type_candidate(page, "")
    listing.expect("s5", "s2")
    clear(page, "Problem")
    listing.expect(*EVERYTHING)

    # Score range: a narrowed range leaves out the unscored interviews (s4, s5).
    press_thumb(page, "start", "ArrowRight", 6)
    expect_score_range(page, "3.00", "5.00")
    listing.expect("s6", "s3", "s1")
    press_thumb(page, "end", "ArrowLeft", 2)
    expect_score_range(page, "3.00", "4.00")
    listing.expect("s6", "s3")
    press_thumb(page, "start", "Home")
    expect_score_range(page, "0.00", "4.00")
    listing.expect("s6", "s3", "s2")
    press_thumb(page, "end", "End")
    expect_score_range(page, "0.00", "5.00")
    listing.expect(*EVERYTHING)

    # Status, then a date range on top: 7–8 March in Pago Pago is 7 March 11:00 to 9 March 11:00 UTC,
    # so s4 (7 March 10:00 UTC, shown as 6 March) is out although a UTC reading would take it.
    choose(page, "Status", "cancelled", "active")
    listing.expect("s5", "s4")
    type_dates(page, "20250307", "20250308")
    listing.expect("s5")
    clear(page, "Status")
    listing.expect("s6", "s5")
    page.get_by_role("button", name="Clear dates").click()
    listing.expect(*EVERYTHING)

    # A click on the last row's selection box opens Ada's first interview below the list.
    open_row(page, EVERYTHING.index("s1"))
    expect(page).to_have_url(re.compile(rf"/history\?session={history.sessions['s1']}$"), timeout=WAIT)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Design a URL Shortener")).to_be_visible()
    expect(
        page.get_by_text("Ada Lovelace · 03 Mar 2025 23:00 · mid · offline · status: completed · score: 4.5")
    ).to_be_visible()
    expect(page.get_by_role("tab")).to_have_text(
        ["Chat", "Transcript", "Whiteboard", "Evaluation", "Recordings", "Trends", "Compare"]
    )
    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(2)
    expect(messages.first).to_contain_text("Welcome to Design a URL Shortener.")
    expect(messages.last).to_contain_text("How many users?")

    page.get_by_role("tab", name="Whiteboard").click()
    board = panel(page, "Whiteboard")
    expect(board.get_by_text("The latest drawing, of 3 saved versions.")).to_be_visible()
    board.get_by_text("Earlier versions (2)").click()  # on demand, newest first
    expect(board.get_by_text(re.compile(r"^(Latest|\d\.) .* · \d shapes?$"))).to_have_text(
        [
            re.compile(r"^Latest .*:20 · 3 shapes$"),
            re.compile(r"^2\. .*:12 · 2 shapes$"),
            re.compile(r"^1\. .*:05 · 1 shape$"),
        ]
    )
    page.get_by_role("tab", name="Evaluation").click()
    expect(panel(page, "Evaluation").get_by_test_id("stMetricValue").first).to_have_text("4.5 / 5")
    page.get_by_role("tab", name="Trends").click()
    trends = panel(page, "Trends")
    expect(trends.get_by_text("Ada Lovelace · 2 evaluated interviews")).to_be_visible()
    expect(trends.get_by_test_id("stPlotlyChart")).to_be_visible()
    wait_for_app(page)
    listing.expect(*EVERYTHING, unchanged=True)  # opening an interview leaves the list as it was

    # Streamlit scrolls inside its own container, so a full-page shot is one viewport: make it tall enough
    # to hold the list and the opened interview's trend.
    page.set_viewport_size({"width": 1440, "height": 1700})
    expect(trends.get_by_test_id("stPlotlyChart")).to_be_in_viewport()
    screenshot(page, "06-history-filters")
