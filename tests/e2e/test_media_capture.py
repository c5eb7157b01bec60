"""Screen share and camera in a real browser: Chromium's fake capture devices stand in for a
screen and a camera, a small app (tests/e2e/apps/media_capture_app.py) mounts the two controls
and the live-modes row, and the test checks what lands in the session folder and the database.

getDisplayMedia works in headless Chromium with --use-fake-ui-for-media-stream (auto-accepts the
picker) plus --use-fake-device-for-media-stream (a fake 1280×720 "screen:" source); without the
fake device it fails with NotReadableError, without the fake UI it waits for a picker forever.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from core.config import Settings
from core.interview.services import cancel_interview, create_interview, start_interview
from core.media.capture import list_media, png_dimensions
from core.models import MediaFile
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.conftest import ARTIFACTS, running_server, screenshot, wait_for_app

APP = "tests/e2e/apps/media_capture_app.py"
FAKE_MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media-runtime")


@pytest.fixture(scope="module")
def ws(runtime: Path) -> Workspace:
    """The test's own view of the server's database and files (same runtime folder)."""
    return build_workspace(Settings(runtime_dir=runtime))


@pytest.fixture(scope="module")
def app_url(runtime: Path, ws: Workspace) -> Iterator[str]:
    with running_server(runtime, script=APP) as url:
        yield url


@pytest.fixture(scope="module")
def media_browser(browser: Browser) -> Iterator[Browser]:
    """A second Chromium with fake screen and camera (one sync Playwright per process)."""
    launched = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *FAKE_MEDIA_ARGS]
    )
    yield launched
    launched.close()


@pytest.fixture
def open_page(media_browser: Browser, app_url: str) -> Iterator[Callable[[str, int], Page]]:
    context = media_browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["camera"], origin=app_url)

    def open_(session_id: str, interval: int) -> Page:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{app_url}/?session={session_id}&interval={interval}")
        wait_for_app(page)
        for agree in ("I agree: capture my screen", "I agree: record my camera"):  # the recording notices
            page.get_by_role("button", name=agree).click()
            wait_for_app(page)
        return page

    yield open_
    context.close()


def badge(page: Page, label: str) -> Locator:
    """A live-modes badge: its text is the icon's name, then the label."""
    return page.get_by_text(re.compile(rf"{label}$"))


def started_session(ws: Workspace) -> str:
    session = create_interview(ws, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def wait_for(what: str, check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def frames(ws: Workspace, session_id: str) -> list[MediaFile]:
    return list_media(ws, session_id, "screen", actor=CANDIDATE)


def audit_actions(ws: Workspace, session_id: str, prefix: str) -> list[str]:
    with ws.uow_factory() as uow:
        return [e.action for e in uow.audit.latest(session_id=session_id) if e.action.startswith(prefix)]


def test_screen_share_stores_a_png_per_interval_once_each(open_page: Callable[[str, int], Page], ws: Workspace) -> None:
    session_id = started_session(ws)
    page = open_page(session_id, 1)
    expect(badge(page, "Screen off")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Not sharing\. While you share, a frame every 1 s"))).to_be_visible()

    page.get_by_role("button", name="Share screen").click()
    expect(page.get_by_role("button", name="Stop sharing")).to_be_visible()
    expect(badge(page, "Screen live")).to_be_visible()
    wait_for("three screen frames", lambda: len(frames(ws, session_id)) >= 3)
    expect(page.get_by_text(re.compile(r"Sharing: a frame every 1 s; [3-9]\d* frames saved"))).to_be_visible()
    wait_for_app(page)
    screenshot(page, "media-capture-screen-sharing")

    page.get_by_role("button", name="Stop sharing").click()
    expect(page.get_by_role("button", name="Share screen")).to_be_visible()
    expect(badge(page, "Screen off")).to_be_visible()
    time.sleep(1.5)  # let a frame already on the wire land before counting
    stored = frames(ws, session_id)
    time.sleep(2.5)  # two more intervals: nothing is captured after stopping
    assert frames(ws, session_id) == stored

    # Every row has its own file, each a complete 1280×720 PNG, and no frame was stored twice
    # (the fake screen animates, so two equal files would mean one trigger handled twice).
    paths = [ws.files.absolute(m.path) for m in stored]
    on_disk = sorted(ws.files.session_dir(session_id).glob("screen-*.png"))
    assert sorted(paths) == on_disk
    contents = [p.read_bytes() for p in paths]
    assert all(png_dimensions(c) == (1280, 720) for c in contents)
    assert len({hashlib.sha256(c).hexdigest() for c in contents}) == len(contents)
    assert all(m.content_type == "image/png" and m.size_bytes == len(c) for m, c in zip(stored, contents, strict=True))

    # Stopping from the browser's own "Stop sharing" bar ends the track: the control follows.
    page.get_by_role("button", name="Share screen").click()
    expect(badge(page, "Screen live")).to_be_visible()
    page.locator("video.iw-share-preview").evaluate(
        "video => video.srcObject.getVideoTracks()[0].dispatchEvent(new Event('ended'))"
    )
    expect(page.get_by_role("button", name="Share screen")).to_be_visible()
    expect(badge(page, "Screen off")).to_be_visible()
    wait_for(
        "the audit entries",
        lambda: audit_actions(ws, session_id, "screen_share") == ["screen_share_started", "screen_share_stopped"] * 2,
    )


def test_screen_share_stops_when_the_interview_ends(open_page: Callable[[str, int], Page], ws: Workspace) -> None:
    session_id = started_session(ws)
    page = open_page(session_id, 1)
    page.get_by_role("button", name="Share screen").click()
    wait_for("a screen frame", lambda: len(frames(ws, session_id)) >= 1)
    cancel_interview(ws, session_id, actor=CANDIDATE)
    # The next frame is refused, and the rerun it causes switches the control off.
    expect(page.get_by_text("Screen sharing is off: this interview has ended.")).to_be_visible()
    expect(page.get_by_role("button", name="Share screen")).to_be_disabled()
    expect(badge(page, "Screen off")).to_be_visible()
    stored = frames(ws, session_id)
    time.sleep(2.5)
    assert frames(ws, session_id) == stored
    assert not list(ws.files.session_dir(session_id).glob(".*"))  # no stray temporary files

    page.reload()
    wait_for_app(page)
    expect(page.get_by_text("The camera is off: this interview has ended.")).to_be_visible()
    expect(page.get_by_role("button", name="Share screen")).to_be_disabled()


def test_camera_is_recorded_as_h264_mp4(open_page: Callable[[str, int], Page], ws: Workspace) -> None:
    session_id = started_session(ws)
    page = open_page(session_id, 5)
    expect(badge(page, "Camera off")).to_be_visible()
    camera = page.frame_locator("iframe[title*='webrtc']")
    start = camera.get_by_role("button", name="START")
    expect(start).to_be_visible(timeout=30_000)
    start.click()
    expect(camera.get_by_role("button", name="STOP")).to_be_visible(timeout=30_000)
    expect(badge(page, "Camera recording")).to_be_visible(timeout=30_000)
    expect(badge(page, "Camera live")).to_be_visible()
    wait_for_app(page)
    screenshot(page, "media-capture-camera-recording")
    time.sleep(3)
    camera.get_by_role("button", name="STOP").click()
    expect(badge(page, "Camera off")).to_be_visible(timeout=30_000)

    wait_for("the camera recording", lambda: len(list_media(ws, session_id, "video", actor=CANDIDATE)) == 1)
    (video,) = list_media(ws, session_id, "video", actor=CANDIDATE)
    path = ws.files.absolute(video.path)
    assert re.fullmatch(r"camera-\d{8}-\d{6}-\d{3}\.mp4", path.name) and video.content_type == "video/mp4"
    assert video.size_bytes == path.stat().st_size > 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        decoded = sum(1 for _ in container.decode(stream))
        seconds = container.duration / av.time_base
    assert seconds >= 2 and decoded >= 10, (seconds, decoded)
    assert not list(path.parent.glob(".*.part"))
    assert audit_actions(ws, session_id, "camera") == ["camera_recorded"]
    # The recorder registers the file after the page's STOP rerun; the next run lists it.
    page.reload()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"1 recording saved with this interview"))).to_be_visible()
    assert ARTIFACTS.joinpath("media-capture-camera-recording.png").exists()
