"""Two workspace servers behind Caddy (deploy/Caddyfile) sharing PostgreSQL, Redis and the runtime folder:
an interview runs through the proxy, the server holding it is stopped, and the interview goes on on the
other one with nothing lost."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from core.accounts.services import add_account
from core.config import Settings
from core.permissions.actor import Actor
from entry.bootstrap import build_workspace
from tests.e2e.conftest import E2E_EMAIL, E2E_PASSWORD, screenshot, send_answer, sign_in, wait_for_app
from tests.replicas import HEALTH_INTERVAL_SECONDS, Unavailable, caddy, replica, shared_store
from tests.workspace_server import free_port


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A new PostgreSQL database, an emptied Redis database and one runtime folder for both servers."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    with contextlib.ExitStack() as stack:
        try:
            store = stack.enter_context(shared_store(runtime))
        except Unavailable as exc:
            if os.environ.get("CI") == "true":
                pytest.fail(f"the replica test needs caddy, PostgreSQL and Redis on CI (test.sh installs them): {exc}")
            pytest.skip(str(exc))
        ws = build_workspace(Settings(database_url=store["DATABASE_URL"], runtime_dir=runtime))
        add_account(
            ws, email=E2E_EMAIL, name="Erin Admin", roles=("admin", "interviewer", "reviewer"),
            password=E2E_PASSWORD, actor=Actor.workspace("e2e set-up"),
        )  # fmt: skip
        yield store


def test_an_interview_goes_on_on_another_replica_when_its_own_stops(browser: Browser, shared: dict[str, str]) -> None:
    runtime = Path(shared["runtime"])
    a_port, b_port = free_port(), free_port()
    with contextlib.ExitStack() as a, contextlib.ExitStack() as b:
        a.enter_context(replica(shared, "replica-a", a_port, worker=True))
        proxy = b.enter_context(caddy([f"127.0.0.1:{a_port}", f"127.0.0.1:{b_port}"], runtime))
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        # Only A runs yet: the interview starts there
        sign_in(page, proxy)
        page.goto(f"{proxy}/setup")
        wait_for_app(page)
        page.get_by_role("button", name="Start interview").click()
        expect(page).to_have_url(re.compile(r"/interview\?session=[0-9a-f]{32}"))
        wait_for_app(page)
        session_id = page.url.split("session=")[1].split("&")[0]
        messages = page.get_by_test_id("stChatMessage")
        send_answer(page, "Users shorten long links and follow short ones; redirects must be fast.")
        expect(messages).to_have_count(3)
        assert any(c["name"] == "iw_replica" for c in context.cookies()), "no sticky-session cookie"

        # B starts and the proxy sees it healthy; then A, which holds the browser's session, stops
        b.enter_context(replica(shared, "replica-b", b_port, worker=False))
        time.sleep(HEALTH_INTERVAL_SECONDS * 2)
        a.close()
        wait_for_app(page)  # the browser reconnected through the proxy, to B
        expect(page).to_have_url(re.compile(f"session={session_id}"))
        expect(messages).to_have_count(3)  # the chat came back from the database
        send_answer(page, "About 100 million new links a month, and each is opened about 100 times.")
        expect(messages).to_have_count(5)
        screenshot(page, "replica-failover")
        context.close()

    ws = build_workspace(Settings(database_url=shared["DATABASE_URL"], runtime_dir=runtime), migrate=False)
    with ws.uow_factory() as uow:
        said = [m.content for m in uow.messages.in_session(session_id) if m.role.value == "candidate"]
    assert said == [
        "Users shorten long links and follow short ones; redirects must be fast.",
        "About 100 million new links a month, and each is opened about 100 times.",
    ]
