"""AppTest fixtures: the real app (app.py and its pages) over a real SQLite file in a tmp dir.

Each test gets its own runtime dir through IW_RUNTIME_DIR. components/resources.py caches one
Workspace per settings JSON, so a new dir means a fresh workspace (new database, migrated on
the first run). The Streamlit resource cache and the root-logger handlers the workspace
installs are cleaned up after every test.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Button, ChatMessage

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")  # AppTest resolves relative paths against the calling file
TIMEOUT = 30  # the first run of a workspace migrates a new database

# A resume the offline reader classifies as senior, payments domain → "Design a Payment System".
RESUME = b"""Jordan Lee
jordan.lee@example.com
Senior Software Engineer, payments platform. 7 years of experience building payment
processing, ledgers and billing with Python, Kafka and PostgreSQL.
"""

AppFactory = Callable[[], AppTest]


@pytest.fixture
def runtime_dir(tmp_path: Path) -> Path:
    return tmp_path / "runtime"


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, runtime_dir: Path) -> pytest.MonkeyPatch:
    """Settings from config.yaml, except the runtime dir; no DATABASE_URL (SQLite default)."""
    for name in list(os.environ):
        if name.startswith("IW_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("IW_RUNTIME_DIR", str(runtime_dir))
    monkeypatch.setenv("IW_DISABLE_MIC", "1")  # streamlit-webrtc cannot run under AppTest: components/mic.py
    return monkeypatch


@pytest.fixture(autouse=True)
def _isolated_process_state() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    st.cache_resource.clear()  # drop this test's Workspace (and its engine)
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture
def new_app(app_env: pytest.MonkeyPatch) -> AppFactory:
    """A new browser session on the app (not yet run)."""

    def make() -> AppTest:
        return AppTest.from_file(APP, default_timeout=TIMEOUT)

    return make


@pytest.fixture
def app(new_app: AppFactory) -> AppTest:
    """A browser session that has loaded the app once (it is on the Setup page)."""
    at = new_app().run()
    assert not at.exception, at.exception
    return at


# --- Helpers -------------------------------------------------------------------------------------


def button(at: AppTest, label: str) -> Button:
    """The one button labelled `label` (dialog buttons included)."""
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, f"expected one {label!r} button, found {[b.label for b in at.button]}"
    return found[0]


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def chat(node: AppTest | Block) -> list[tuple[str, str]]:
    """(author, text) of each chat message, in order."""
    messages: list[ChatMessage] = list(node.chat_message)
    return [(m.name, m.markdown[0].value) for m in messages]


def page_title(at: AppTest) -> str:
    assert at.title, "the page rendered no title"
    return at.title[0].value


def rendered_text(at: AppTest) -> str:
    """Everything the last run sent to the browser (every element in every block), as one string."""
    return "\n".join(str(node.proto) for node in at if getattr(node, "proto", None) is not None)


def assert_clean(at: AppTest) -> None:
    """No exception box and no uncaught error on the page."""
    assert not at.exception, [e.message for e in at.exception]
