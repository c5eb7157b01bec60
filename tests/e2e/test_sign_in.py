"""Signing in with a local account in the real browser: the redirect to /signin and back, a wrong password,
a reload that stays signed in, an expired session, signing out in the same tab, and an account locked after
repeated wrong passwords, each answered more slowly."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, expect

from core.accounts.sign_in import token_hash
from core.config import Settings
from entry.bootstrap import build_workspace
from tests.e2e.conftest import E2E_EMAIL, E2E_PASSWORD, add_e2e_account, screenshot, wait_for_app

LOCKED_EMAIL = "lena-locked@example.com"  # only this test signs in as her: the lock stays hers


def test_sign_in_reload_expiry_and_sign_out(browser: Browser, server_url: str, server_runtime: Path) -> None:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)

    page.goto(f"{server_url}/history")  # not signed in: the sign-in page, which comes back here after
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fhistory$"))
    page.get_by_label("Email").fill(E2E_EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(page.get_by_label("Email")).to_have_value(E2E_EMAIL)

    page.get_by_label("Password").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"/history$"))
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    page.reload()  # the sign-in lives in a cookie: a reload keeps it
    wait_for_app(page)
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    page.get_by_text("Workspace", exact=True).click()  # an admin's navigation: the workspace's own records
    expect(page.get_by_role("menuitem", name="People")).to_be_visible()
    page.keyboard.press("Escape")
    screenshot(page, "sign-in-01-signed-in")

    # The server ends sessions by their time: push this one's expiry into the past, then reload.
    [cookie] = [c for c in context.cookies() if c["name"] == "iw_session"]
    past = datetime.now(UTC) - timedelta(minutes=1)
    ws = build_workspace(Settings(runtime_dir=server_runtime))
    with ws.uow_factory() as uow:
        uow.sign_ins.touch(token_hash(cookie["value"]), seen_at=past, expires_at=past)
        uow.commit()
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("Your session has expired")).to_be_visible()
    expect(page.get_by_text("History", exact=True)).to_have_count(0)  # nothing of the page behind it
    page.get_by_role("link", name="Sign in").click()  # same tab, and back to where the person was
    page.get_by_label("Email").fill(E2E_EMAIL)
    page.get_by_label("Password").fill(E2E_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="History")).to_be_visible()

    page.get_by_role("button", name="Erin Admin").click()
    page.get_by_role("link", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin\?signed_out=1$"))
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    assert len(context.pages) == 1, "signing out stays in this tab"
    page.goto(f"{server_url}/history")
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    context.close()


def test_repeated_wrong_passwords_lock_the_account_each_answered_more_slowly(
    browser: Browser, server_url: str, server_runtime: Path
) -> None:
    add_e2e_account(server_runtime, LOCKED_EMAIL, "Lena Locked", "candidate")
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{server_url}/signin")
    settings = Settings(runtime_dir=server_runtime).accounts  # the server's own: 5 tries, then 15 minutes

    def attempt(password: str) -> tuple[str, float]:
        """The alert the next page shows, and how long the server took to answer the form."""
        page.get_by_label("Email").fill(LOCKED_EMAIL)
        page.get_by_label("Password").fill(password)
        started = time.monotonic()
        with page.expect_response(lambda r: r.url.endswith("/signin") and r.request.method == "POST"):
            page.get_by_role("button", name="Sign in").click()
        waited = time.monotonic() - started
        return page.get_by_role("alert").inner_text(), waited

    answers = [attempt(f"a wrong guess {n}") for n in range(settings.lock_after_failures)]
    assert [text for text, _ in answers[:-1]] == ["Wrong email or password."] * (settings.lock_after_failures - 1)
    locked, slowest = answers[-1]
    assert locked.startswith("Too many wrong passwords: this account is locked until"), locked
    assert "ask an administrator to unlock it" in locked
    assert answers[0][1] < slowest and slowest >= 4.0  # 0.25 s at first, doubling to the cap
    screenshot(page, "sign-in-02-locked")

    still, _ = attempt(E2E_PASSWORD)  # the right password does not open a locked account
    assert still.startswith("Too many wrong passwords"), still
    assert "iw_session" not in {c["name"] for c in context.cookies()}
    expect(page).to_have_url(re.compile(r"/signin$"))
    context.close()
