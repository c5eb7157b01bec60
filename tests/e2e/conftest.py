"""One real workspace server per test session, driven by headless Debian Chromium."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from core.accounts.services import add_account
from core.config import Settings
from core.models import Account
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.llm_fakes import OpenAIServer
from tests.workspace_server import ServerDidNotStart, workspace_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
WEBHOOK_SECRET = "e2e-webhook-secret"  # the shared server's CALCOM_WEBHOOK_SECRET

pytestmark = pytest.mark.e2e

# The person the e2e tests sign in as (every server.py they start has this account).
E2E_EMAIL = "e2e-admin@example.com"
E2E_PASSWORD = "e2e admin password"  # a test server's only account, on loopback


def add_e2e_admin(runtime: Path) -> None:
    """The account the browser signs in with, in the server's database (created before the server starts)."""
    add_e2e_account(runtime, E2E_EMAIL, "Erin Admin", "admin", "interviewer", "reviewer")


def add_e2e_account(runtime: Path, email: str, name: str, *roles: str) -> None:
    """A person with the e2e password in the server's database at `runtime` (once)."""
    ws = build_workspace(Settings(runtime_dir=runtime))
    if find_account_or_none(ws, email) is None:
        add_account(ws, email=email, name=name, roles=roles, password=E2E_PASSWORD, actor=Actor.workspace("e2e set-up"))


def find_account_or_none(ws: Workspace, email: str) -> Account | None:
    with ws.uow_factory() as uow:
        return uow.accounts.by_email(email)


def sign_in(page: Page, url: str, email: str = E2E_EMAIL, password: str = E2E_PASSWORD) -> None:
    """Sign the page's browser context in through the real /signin form post (its cookie lands in the context)."""
    response = page.request.post(
        f"{url}/signin", form={"email": email, "password": password, "next": "/"}, max_redirects=0
    )
    assert response.status == 303, response.text()


@contextlib.contextmanager
def running_server(runtime: Path, extra_env: dict[str, str] | None = None, script: str = "server.py") -> Iterator[str]:
    """Start `streamlit run <script>` (server.py unless told) on a free port, data in `runtime`; yield its URL.

    server.py gets the e2e admin account first (sign_in) and a job worker beside it, as startup.sh starts.
    Afterwards neither the server's log nor the worker's may hold a traceback.
    """
    if script == "server.py" and not (extra_env or {}).get("DATABASE_URL"):
        add_e2e_admin(runtime)
    try:
        with workspace_server(runtime, extra_env, script=script, worker=script == "server.py") as url:
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))
    for log in ("server.log", "worker.log"):
        text = (runtime / log).read_text(errors="replace") if (runtime / log).exists() else ""
        assert "Traceback" not in text, text


FAKE_OPENAI_KEY = "sk-e2e-fake-key-01"


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[OpenAIServer]:
    with OpenAIServer(api_key=FAKE_OPENAI_KEY, models=["gpt-e2e"]) as server:
        yield server


@pytest.fixture(scope="session")
def server_runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared server's runtime folder (database and session files), for tests that check what it stored."""
    return tmp_path_factory.mktemp("e2e-runtime")


@pytest.fixture(scope="session")
def server_url(server_runtime: Path, fake_openai: OpenAIServer) -> Iterator[str]:
    """The server shared by the e2e tests; its OpenAI provider is the loopback fake."""
    extra = {
        "IW_PROVIDERS__OPENAI__BASE_URL": fake_openai.base_url,
        "IW_PROVIDERS__OPENAI__MODELS": '["gpt-e2e"]',
        "IW_PRICES": '{"gpt-e2e": {"input": 2.0, "output": 8.0}}',
        "CALCOM_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    with running_server(server_runtime, extra) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}: test.sh installs it with apt-get")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A new browser context signed in to the shared server (a test on its own server signs in there)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, server_url)
    yield page
    context.close()


def wait_for_app(page: Page) -> None:
    """Wait until the Streamlit script has finished its run."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


def until_shown(page: Page, act: Callable[[], None], shown: Locator) -> None:
    """Do `act` until `shown` appears (at most three times). On a loaded machine a rerun that lands between
    typing and submitting can swallow the input; the person would simply do it again, and so does the test,
    but only once the app has finished what it was doing and still does not show it: a slow answer is not a
    swallowed one, and sending it again would store it twice."""
    for _ in range(3):
        act()
        try:
            expect(shown).to_be_visible(timeout=5_000)
            return
        except AssertionError:
            wait_for_app(page)
            if shown.is_visible():
                return
    expect(shown).to_be_visible()


def send_answer(page: Page, text: str) -> Locator:
    """Type an answer into the chat and send it; its message, once shown."""
    box = page.get_by_test_id("stChatInputTextArea")
    sent = page.get_by_test_id("stChatMessage").filter(has_text=text[:40]).first

    def send() -> None:
        expect(box).to_be_enabled()
        box.fill(text)
        box.press("Enter")

    until_shown(page, send, sent)
    return sent


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With `-n 2 --dist loadgroup` (test.sh) every browser test runs in one worker: one shared server, one
    Chromium, while the other worker takes the rest of the suite."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("e2e"))
