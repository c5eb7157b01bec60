"""AppTest fixtures: the real app (app.py and its pages) over a real SQLite file in a tmp dir.

Each test gets its own runtime dir through IW_RUNTIME_DIR. components/resources.py caches one
Workspace per settings JSON, so a new dir means a fresh workspace (new database, migrated on
the first run). The Streamlit resource cache and the root-logger handlers the workspace
installs are cleaned up after every test.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Button, ChatMessage

from core.accounts.services import add_account
from core.config import load_settings
from core.errors import WorkspaceError
from core.models import Account, email_key
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import shared_workspace

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
    # AppTest cannot send a browser's cookie, but it can seed st.user as Streamlit's OpenID Connect sign-in
    # fills it: the tests sign in that way (components/signed_in.py), as people the fixtures create.
    monkeypatch.setenv("IW_ACCOUNTS__OIDC_ENABLED", "true")
    return monkeypatch


ADMIN_EMAIL = "admin@example.com"


def signed_in_as(at: AppTest, email: str, name: str = "Test Person") -> AppTest:
    """`at`'s next runs come from a browser signed in (through the identity provider) as `email`."""
    at.user = {"is_logged_in": True, "email": email, "email_verified": True, "name": name}
    return at


def add_person(email: str, *roles: str, name: str = "Test Person", team: str = "") -> Account:
    """An account in the test's workspace (the same one the app opens: same settings)."""
    ws = shared_workspace(load_settings())
    return add_account(ws, email=email, name=name, roles=roles, team=team, actor=Actor.workspace("test set-up"))


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
        try:
            ws = shared_workspace(load_settings())
        except WorkspaceError:  # the test is about a workspace that cannot start: nobody to sign in
            pass
        else:
            if find_admin(ws) is None:
                add_person(ADMIN_EMAIL, "admin", "interviewer", "reviewer", name="Ada Admin")
        return signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), ADMIN_EMAIL, "Ada Admin")

    return make


@pytest.fixture
def app(new_app: AppFactory) -> AppTest:
    """A browser session that has loaded the app once (it is on the Setup page)."""
    at = new_app().run()
    assert not at.exception, at.exception
    return at


# --- Helpers -------------------------------------------------------------------------------------


def find_admin(ws: Workspace) -> Account | None:
    with ws.uow_factory() as uow:
        return uow.accounts.by_email(ADMIN_EMAIL) if email_key(ADMIN_EMAIL) else None


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


def clocks(at: AppTest) -> list[dict[str, Any]]:
    """The clocks the last run sent (components.ticking_clock), as the browser receives them."""
    found = []
    for node in at:
        proto = getattr(node, "proto", None)
        if getattr(proto, "component_name", "") == "iw_ticking_clocks":
            found += json.loads(proto.json)["clocks"]
    return found


def assert_clean(at: AppTest) -> None:
    """No exception box and no uncaught error on the page."""
    assert not at.exception, [e.message for e in at.exception]
