"""One real workspace server per test session, driven by headless Debian Chromium."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.llm_fakes import OpenAIServer
from tests.workspace_server import ServerDidNotStart, workspace_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
WEBHOOK_SECRET = "e2e-webhook-secret"  # the shared server's CALCOM_WEBHOOK_SECRET

pytestmark = pytest.mark.e2e

# Headless as root on a closed network: without the background-networking flags Chromium keeps
# trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def running_server(runtime: Path, extra_env: dict[str, str] | None = None, script: str = "server.py") -> Iterator[str]:
    """Start `streamlit run <script>` (server.py unless told) on a free port, data in `runtime`; yield its URL.

    Afterwards the server's log must hold no traceback.
    """
    try:
        with workspace_server(runtime, extra_env, script=script) as url:
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))
    server_log = (runtime / "server.log").read_text(errors="replace")
    assert "Traceback" not in server_log, server_log


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
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def wait_for_app(page: Page) -> None:
    """Wait until the Streamlit script has finished its run."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
