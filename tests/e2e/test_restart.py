"""After a server restart, a reload of an interview's URL lands back in that interview."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, running_server, screenshot, sign_in, wait_for_app


def test_the_first_request_after_a_restart_resumes_the_interview(page: Page, tmp_path: Path) -> None:
    env = {**os.environ, "IW_RUNTIME_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "core", "demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    listed = subprocess.run(
        [sys.executable, "-m", "core", "sessions", "list", "--json"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    paused = next(s for s in json.loads(listed.stdout) if s["status"] == "paused")

    # A fresh server process, and the very first request goes straight to the interview.
    with running_server(tmp_path) as url:
        sign_in(page, url)
        page.goto(f"{url}/interview?session={paused['id']}")
        wait_for_app(page)
        # app.py ran: its top navigation, titled pages, and no legacy pages/ sidebar.
        nav = page.get_by_role("navigation", name="App pages")
        expect(nav.get_by_role("link", name="Setup", exact=True)).to_be_visible()
        expect(page.get_by_test_id("stSidebar")).to_have_count(0)
        expect(page.get_by_role("heading", name=paused["problem_title"])).to_be_visible()
        expect(page.get_by_test_id("stChatInputTextArea")).to_be_disabled()  # paused: no input

        page.get_by_role("button", name="Resume").click()
        wait_for_app(page)
        box = page.get_by_test_id("stChatInputTextArea")
        expect(box).to_be_enabled()
        count = page.get_by_test_id("stChatMessage").count()
        box.fill("How many redirects per second should we plan for?")
        box.press("Enter")
        expect(page.get_by_test_id("stChatMessage")).to_have_count(count + 2)
        screenshot(page, "05-resumed-after-restart")
