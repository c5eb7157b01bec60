"""The whiteboard panel on the Interview page under AppTest (the canvas itself is an UnknownElement here):
a saved drawing is read back and described, and the interviewer's reply refers to it."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.config import load_settings
from core.whiteboard.snapshots import save_snapshot
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.ui.conftest import AppFactory, assert_clean, chat
from tests.ui.test_resumption import reopen, start_without_resume

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "whiteboard" / "two_boxes_unconnected.json"


def test_a_saved_drawing_is_described_and_discussed(app: AppTest, new_app: AppFactory) -> None:
    session_id, _title = start_without_resume(app, "Sam Rivera")
    assert any(c.value.startswith("What I see: nothing yet") for c in app.caption)

    ws = build_workspace(load_settings())
    save_snapshot(ws, session_id, json.loads(FIXTURE.read_text()), None, actor=CANDIDATE)
    at = reopen(new_app, session_id)
    assert any(
        c.value == "What I see: 2 components (cache, database); not connected: cache, database." for c in at.caption
    )
    at.chat_input[0].set_value(
        "Users send messages one to one and in groups; each message reaches the other phone quickly and in order."
    ).run()
    assert_clean(at)
    assert "aren't connected" in chat(at)[-1][1]
