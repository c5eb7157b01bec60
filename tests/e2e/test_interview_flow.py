"""A candidate completes a short interview in a real browser against the real server."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from core.config import Settings
from core.evaluation.release import approve
from core.permissions.actor import Actor
from entry.bootstrap import build_workspace
from tests.e2e.conftest import add_e2e_account, screenshot, send_answer, sign_in, until_shown, wait_for_app

RESUME = """Sam Rivera
sam.rivera@example.com

Senior Backend Engineer with 8 years of experience on payment processing, billing
and ledgers at a fintech company. Python, Kafka, PostgreSQL, Redis, Kubernetes.
"""


def send(page: Page, text: str) -> None:
    send_answer(page, text)  # sent again if a rerun swallowed it
    wait_for_app(page)


def test_candidate_runs_an_interview_from_setup_to_history(
    page: Page, server_url: str, server_runtime: Path, tmp_path: Path
) -> None:
    add_e2e_account(server_runtime, "sam.rivera@example.com", "Sam Rivera", "candidate")
    sign_in(page, server_url, "sam.rivera@example.com")  # a candidate, practising
    page.goto(server_url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Set up a practice interview")).to_be_visible()

    resume = tmp_path / "sam.txt"
    resume.write_text(RESUME, encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(resume))
    expect(page.get_by_text("Sam Rivera", exact=True)).to_be_visible()
    expect(page.get_by_text("Senior", exact=True)).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_role("combobox", name="Problem")).to_have_value("Design a Payment System (recommended for you)")
    screenshot(page, "01-setup")

    page.get_by_role("button", name="Start interview").click()
    expect(page).to_have_url(re.compile(r"/interview\?session=[0-9a-f]{32}"))
    wait_for_app(page)
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.first).to_contain_text("Design a Payment")

    send(page, "How many payments per second should we handle at peak?")
    expect(messages).to_have_count(3)
    send(
        page,
        "Customers pay merchants by card; we must never charge twice, so every request carries an "
        "idempotency key, and the ledger must stay consistent because money is involved.",
    )
    expect(messages).to_have_count(5)
    screenshot(page, "02-interview")

    # A reload keeps the interview and its chat (the id is in the URL, the chat in the database).
    page.reload()
    wait_for_app(page)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(5)

    confirm = page.get_by_role("button", name="Yes, end it")
    until_shown(page, lambda: page.get_by_role("button", name="End interview").click(), confirm)
    confirm.click()
    # Approval before sharing is on: the candidate is told a reviewer looks first…
    expect(page.get_by_text("Your evaluation is being reviewed")).to_be_visible(timeout=30_000)
    session_id = page.url.split("session=")[1].split("&")[0]
    ws = build_workspace(Settings(runtime_dir=server_runtime))
    approve(
        ws, session_id, actor=Actor.workspace("e2e reviewer")
    )  # …who approves it (the Evaluation page's button, AppTested)
    page.reload()
    wait_for_app(page)
    page.get_by_role("button", name="See your evaluation").click()
    wait_for_app(page)
    expect(page.get_by_text("Overall score")).to_be_visible()
    expect(page.get_by_role("heading", name="Your evaluation")).to_be_visible()
    screenshot(page, "03-evaluation")

    page.get_by_role("link", name="History").click()  # the candidate's own evaluation keeps the navigation
    wait_for_app(page)
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    page.get_by_test_id("stSelectbox").filter(has_text="Open an interview").click()
    page.get_by_role("option", name=re.compile("Payment")).first.click()  # the newest: this one
    wait_for_app(page)
    expect(page.get_by_role("tab", name="Chat")).to_be_visible()
    expect(page.get_by_text("idempotency key").first).to_be_visible()
    screenshot(page, "04-history")
