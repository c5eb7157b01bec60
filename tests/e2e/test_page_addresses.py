"""Every page opens at its own address, typed into the browser (a bookmark, a reload, a shared link), and
the Setup page's resume uploader states and keeps the limit the page gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import screenshot, wait_for_app

PAGES = [
    ("setup", "Set up a practice interview"),
    ("interview", "Interview"),
    ("live", "Live session"),
    ("debrief", "Debrief"),
    ("evaluation", "Evaluation"),
    ("history", "History"),
    ("schedule", "Schedule"),
    ("webhooks", "Webhook log"),
    ("share", "Candidate view"),
    ("review-queue", "Review queue"),
    ("people", "People"),
    ("activity", "Activity"),
    ("notifications", "My notifications"),
]


@pytest.mark.parametrize(("path", "title"), PAGES, ids=[p for p, _ in PAGES])
def test_a_page_opens_at_its_own_address(page: Page, server_url: str, path: str, title: str) -> None:
    page.goto(f"{server_url}/{path}")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1).first).to_have_text(title)
    expect(page).to_have_url(re.compile(rf"/{path}$"))
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_the_root_address_opens_setup_at_its_own_address(page: Page, server_url: str) -> None:
    page.goto(server_url)
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"/setup$"))
    expect(page.get_by_role("heading", level=1).first).to_have_text("Set up a practice interview")
    expect(page.get_by_text("Page not found")).to_have_count(0)


HOVER_TRIES = 5


def _shown(locator: Locator) -> bool:
    try:
        locator.wait_for(state="visible", timeout=3_000)
    except PlaywrightTimeoutError:
        return False
    return True


def test_the_resume_uploader_refuses_a_file_over_the_limit_the_page_gives(
    page: Page, server_url: str, tmp_path: Path
) -> None:
    page.goto(f"{server_url}/setup")
    wait_for_app(page)
    uploader = page.get_by_test_id("stFileUploader")
    expect(uploader).to_contain_text("Upload a PDF or text resume (up to 5 MB)")
    expect(uploader).to_contain_text("5MB per file")  # the same limit, not the server's 200 MB
    big = tmp_path / "long-resume.txt"
    big.write_bytes(b"Jordan Lee\n" + b"Built payment systems for years. " * 200_000)  # 6.3 MB
    uploader.locator("input[type=file]").set_input_files(big)
    expect(uploader.get_by_role("alert")).to_have_text("Error: File must be 5.0MB or smaller.")
    tooltip = page.get_by_text("File must be 5.0MB or smaller.", exact=True)
    for _ in range(HOVER_TRIES):  # a loaded machine may take the first hover before the chip listens for it
        page.mouse.move(0, 0)
        uploader.get_by_test_id("stFileChip").hover()
        if tooltip.is_visible() or _shown(tooltip):
            break
    expect(tooltip).to_be_visible()
    screenshot(page, "setup-01-resume-over-the-limit")
    wait_for_app(page)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)  # nothing was read or stored
