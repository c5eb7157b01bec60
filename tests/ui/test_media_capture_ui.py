"""Screen share, camera and the live-modes row under AppTest.

The browser side of the screen-share element cannot run here (AppTest shows it as an
UnknownElement; tests/e2e/test_media_capture.py drives it in Chromium). A stand-in for the
mounted element plays the browser: it reports `sharing` and a `frame` trigger and calls the
frame callback as Streamlit would, including a rerun that presents the same trigger again.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
import streamlit as st
from streamlit.components.v2.bidi_component.state import ComponentResult
from streamlit.testing.v1 import AppTest

from components import screen_share
from components.live_modes import mode_labels
from core.config import load_settings
from core.interview.services import cancel_interview, create_interview, start_interview
from core.media.capture import list_media
from core.media.consent import consent_for, give_consent
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.ui.conftest import TIMEOUT, assert_clean
from tests.unit.media.test_capture import png


def media_app(session_id: str) -> None:
    import streamlit as st

    from components.camera import render_camera
    from components.live_modes import render_live_modes
    from components.resources import get_workspace
    from components.screen_share import render_screen_share
    from core.permissions.actor import Actor

    ws = get_workspace()
    modes = st.container()
    screen = render_screen_share(ws, session_id, actor=Actor.workspace("candidate"))
    camera = render_camera(ws, session_id, actor=Actor.workspace("candidate"))
    with modes:
        render_live_modes(mic=False, camera=camera, screen=screen)


class BrowserStandIn:
    """What the mounted element would report; records the data each run hands it."""

    def __init__(self) -> None:
        self.sharing = False
        self.frame: dict[str, Any] | None = None
        self.data: list[dict[str, Any]] = []

    def __call__(self, *, key: str, data: dict[str, Any], on_frame_change: Callable[[], None], **_: Any) -> Any:
        self.data.append(data)
        if self.frame is not None:
            st.session_state[key] = {"frame": self.frame}  # what the callback reads, as the real presenter shows it
            on_frame_change()
        return ComponentResult({"sharing": self.sharing}, {"frame": self.frame})


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> BrowserStandIn:
    stand_in = BrowserStandIn()
    monkeypatch.setattr(screen_share, "_component", stand_in)
    return stand_in


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch) -> Workspace:
    return build_workspace(load_settings())


@pytest.fixture
def unconsented(ws: Workspace) -> str:
    session = create_interview(ws, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    return session.id


@pytest.fixture
def session_id(ws: Workspace, unconsented: str) -> str:
    give_consent(ws, unconsented, ["camera", "screen"], actor=Actor.workspace("candidate"))
    return unconsented


def badges(at: AppTest) -> list[str]:
    return [m.value.rsplit(": ", 1)[-1].rstrip("]") for m in at.markdown if "-badge[" in m.value]


def data_url(data: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64," + base64.b64encode(data).decode()


def audit(ws: Workspace, session_id: str) -> list[str]:
    with ws.uow_factory() as uow:
        return [e.action for e in uow.audit.latest(session_id=session_id) if e.action.startswith("screen_share")]


def test_mode_labels() -> None:
    assert mode_labels(True, False, True) == ["Mic live", "Camera off", "Screen live"]


def test_everything_is_off_at_first_and_the_camera_stays_behind_the_seam(
    browser: BrowserStandIn, session_id: str
) -> None:
    at = AppTest.from_function(media_app, args=(session_id,), default_timeout=TIMEOUT).run()
    assert_clean(at)
    assert badges(at) == ["Mic off", "Camera off", "Screen off"]
    assert ":material/videocam_off: Camera unavailable here." in [c.value for c in at.caption]
    assert browser.data[-1] | {"share_key": None} == {
        "share_key": None,
        "interval_seconds": 5,
        "max_width": 1920,
        "enabled": True,
        "saved": 0,
        "closed_note": "Screen sharing is off: this interview has ended.",
    }


def test_the_notice_comes_first_and_the_control_appears_once_the_person_agrees(
    browser: BrowserStandIn, ws: Workspace, unconsented: str
) -> None:
    at = AppTest.from_function(media_app, args=(unconsented,), default_timeout=TIMEOUT).run()
    assert_clean(at)
    assert browser.data == []  # the screen-share element is not even mounted
    notices = [m.value for m in at.markdown if "**What is recorded**" in m.value]
    assert len(notices) == 2 and "a picture of it (PNG) every 5 seconds" in notices[0]
    assert "deleted after 90 days" in notices[0] and "after 2 years" in notices[0]
    assert [b.label for b in at.button] == ["I agree: capture my screen", "I agree: record my camera"]

    next(b for b in at.button if b.label == "I agree: capture my screen").click().run()
    assert_clean(at)
    assert browser.data and browser.data[-1]["enabled"] is True  # the control is there now
    # the camera still asks; the screen's consent can be taken back
    assert [b.label for b in at.button] == ["Withdraw consent", "I agree: record my camera"]
    [consent] = consent_for(ws, unconsented, actor=CANDIDATE)
    assert (consent.actor, consent.kinds, consent.confirmed_for) == ("candidate", ["screen"], None)
    assert consent.notice_version == "2/media-90d/records-730d"
    with ws.uow_factory() as uow:
        assert [e.action for e in uow.audit.latest(session_id=unconsented)][-1] == "consent_given"


def test_each_frame_is_stored_once_and_the_page_follows_the_share(
    browser: BrowserStandIn, ws: Workspace, session_id: str
) -> None:
    at = AppTest.from_function(media_app, args=(session_id,), default_timeout=TIMEOUT).run()
    browser.sharing, browser.frame = True, {"share": "s1", "seq": 1, "png": data_url(png(4, 3))}
    at.run()  # the fragment sees the share start and reruns the page: the same trigger is shown twice
    assert_clean(at)
    assert badges(at) == ["Mic off", "Camera off", "Screen live"]
    assert len(list_media(ws, session_id, "screen", actor=CANDIDATE)) == 1
    assert browser.data[-1]["saved"] == 1  # stored before the run renders the count
    at.run()  # a later rerun that still carries the trigger
    assert len(list_media(ws, session_id, "screen", actor=CANDIDATE)) == 1

    browser.frame = {"share": "s1", "seq": 2, "png": data_url(png(5, 3))}
    at.run()
    browser.frame = {"share": "s2", "seq": 1, "png": data_url(png(6, 3))}  # a new share counts from 1 again
    at.run()
    stored = list_media(ws, session_id, "screen", actor=CANDIDATE)
    assert len(stored) == 3 and len({ws.files.read(m.path) for m in stored}) == 3

    browser.sharing, browser.frame = False, None
    at.run()
    assert badges(at) == ["Mic off", "Camera off", "Screen off"]
    assert audit(ws, session_id) == ["screen_share_started", "screen_share_stopped"]


def test_a_bad_frame_is_reported_and_not_stored(browser: BrowserStandIn, ws: Workspace, session_id: str) -> None:
    at = AppTest.from_function(media_app, args=(session_id,), default_timeout=TIMEOUT).run()
    browser.sharing, browser.frame = True, {"share": "s1", "seq": 1, "png": data_url(b"\xff\xd8\xff not png", "jpeg")}
    at.run()
    assert_clean(at)
    assert [w.value for w in at.warning] == [
        "A screen frame was not saved: The screen frame did not arrive as a PNG data URL."
    ]
    assert list_media(ws, session_id, actor=CANDIDATE) == []


def test_frames_stop_when_the_interview_ends(browser: BrowserStandIn, ws: Workspace, session_id: str) -> None:
    at = AppTest.from_function(media_app, args=(session_id,), default_timeout=TIMEOUT).run()
    browser.sharing, browser.frame = True, {"share": "s1", "seq": 1, "png": data_url(png())}
    at.run()
    cancel_interview(ws, session_id, actor=CANDIDATE)
    browser.frame = {"share": "s1", "seq": 2, "png": data_url(png())}
    at.run()
    assert_clean(at)
    assert [w.value for w in at.warning] == ["This interview is cancelled and records no more screen frames."]
    assert browser.data[-1]["enabled"] is False  # the element stops sharing and says why
    assert badges(at) == ["Mic off", "Camera off", "Screen off"]
    assert len(list_media(ws, session_id, "screen", actor=CANDIDATE)) == 1
    assert audit(ws, session_id) == ["screen_share_started", "screen_share_stopped"]
