"""Camera recordings over a real database and file store: synthetic video frames go through the
same aiortc MediaRecorder streamlit-webrtc drives, and come out as an H.264 MP4 in the session
folder with its "video" media row and audit entry.
"""

from __future__ import annotations

import asyncio
import fractions
import threading
from pathlib import Path

import av
import numpy as np
import pytest
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from core.config import Settings
from core.errors import ConsentRequired, NotFound, SessionClosed
from core.interview.services import cancel_interview, create_interview, start_interview
from core.media.camera import CameraRecorder, camera_recorder, camera_recording_path, register_camera_recording
from core.media.capture import list_media
from core.media.consent import give_consent, withdraw_consent
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE


class ColourBars(MediaStreamTrack):
    """A camera stand-in: `count` frames of 320×240 at 15 fps, timestamped like WebRTC's (90 kHz)."""

    kind = "video"

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count, self.sent = count, 0

    async def recv(self) -> av.VideoFrame:
        if self.sent >= self.count:
            self.stop()
            raise MediaStreamError
        image = np.zeros((240, 320, 3), dtype=np.uint8)
        image[:, : 32 * (self.sent % 10 + 1)] = (200, 40, 40)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = self.sent * 6000, fractions.Fraction(1, 90_000)
        self.sent += 1
        await asyncio.sleep(0)
        return frame


class WithdrawnAt(ColourBars):
    """The candidate withdraws consent to the camera (on the Interview page) while the camera sends: just before
    frame `at` leaves the browser."""

    def __init__(self, count: int, ws: Workspace, session_id: str, *, at: int) -> None:
        super().__init__(count)
        self.ws, self.session_id, self.at = ws, session_id, at

    async def recv(self) -> av.VideoFrame:
        if self.sent == self.at:
            withdraw_consent(self.ws, self.session_id, ["camera"], actor=Actor.workspace("candidate"))
        return await super().recv()


class Jittery(ColourBars):
    """A camera on a loaded machine or a lossy network: some frames arrive again, or late, with a timestamp
    at or before one already sent."""

    def __init__(self, count: int, *, out_of_order: dict[int, int]) -> None:
        super().__init__(count)
        self.out_of_order = out_of_order  # frame number -> the earlier frame number whose timestamp it carries

    async def recv(self) -> av.VideoFrame:
        number = self.sent
        frame = await super().recv()
        if number in self.out_of_order:
            frame.pts = self.out_of_order[number] * 6000
        return frame


def record(recorder: CameraRecorder, track: ColourBars) -> None:
    """Record on a thread with its own event loop, as aiortc's loop runs beside Streamlit's script thread
    (and because the session's Playwright already runs a loop on the main thread in a full test run)."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(_record(recorder, track))
        except BaseException as exc:
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive() and not failures, failures


async def _record(recorder: CameraRecorder, track: ColourBars) -> None:
    recorder.addTrack(track)
    await recorder.start()
    for _ in range(500):  # until the track has delivered every frame
        if track.readyState == "ended":
            break
        await asyncio.sleep(0.01)
    await recorder.stop()
    await recorder.stop()  # the track's end and the session's end may both ask


@pytest.fixture
def ws(database_url: str, tmp_path: Path) -> Workspace:
    return build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path / "runtime"))


@pytest.fixture
def session_id(ws: Workspace) -> str:
    session = create_interview(ws, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    give_consent(ws, session.id, ["camera"], actor=Actor.workspace("candidate"))
    return session.id


def test_libx264_is_available_to_pyav() -> None:
    assert av.codec.Codec("libx264", "w").name == "libx264"


def test_a_recording_is_an_h264_mp4_kept_with_the_session(ws: Workspace, session_id: str) -> None:
    recorder = camera_recorder(ws, session_id, actor=CANDIDATE)
    assert recorder.path.parent == ws.files.session_dir(session_id)
    assert recorder.path.name.startswith("camera-") and recorder.path.suffix == ".mp4"
    record(recorder, ColourBars(30))

    assert recorder.path.is_file() and not recorder.partial.exists()
    with av.open(str(recorder.path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (320, 240)
        assert sum(1 for _ in container.decode(stream)) == 30
        assert 1.5 <= container.duration / av.time_base <= 2.5  # 30 frames at 15 fps
    media = list_media(ws, session_id, "video", actor=CANDIDATE)
    assert media == [recorder.media]
    assert (media[0].content_type, media[0].size_bytes) == ("video/mp4", recorder.path.stat().st_size)
    assert media[0].offset_seconds is not None and 0 <= media[0].offset_seconds < 60  # started just now
    assert ws.files.absolute(media[0].path) == recorder.path.resolve()
    with ws.uow_factory() as uow:
        audit = [e for e in uow.audit.latest(session_id=session_id) if e.action == "camera_recorded"]
    assert len(audit) == 1 and audit[0].detail["codec"] == "h264" and audit[0].detail["file"] == media[0].path


def test_frames_repeated_or_late_are_left_out_and_the_recording_is_kept(ws: Workspace, session_id: str) -> None:
    """A repeated timestamp made the MP4 muxer refuse a packet, and the whole recording was lost with it."""
    recorder = camera_recorder(ws, session_id, actor=CANDIDATE)
    record(recorder, Jittery(30, out_of_order={5: 5 - 1, 12: 12 - 1, 13: 9, 20: 2}))

    with av.open(str(recorder.path)) as container:
        assert sum(1 for _ in container.decode(container.streams.video[0])) == 30 - 4
    assert list_media(ws, session_id, "video", actor=CANDIDATE) == [recorder.media]


def test_a_recording_without_frames_leaves_nothing(ws: Workspace, session_id: str) -> None:
    recorder = camera_recorder(ws, session_id, actor=CANDIDATE)
    record(recorder, ColourBars(0))
    assert recorder.media is None
    assert not recorder.path.exists() and not recorder.partial.exists()
    assert list_media(ws, session_id, actor=CANDIDATE) == []


def test_registration_skips_missing_empty_and_unreadable_files(ws: Workspace, session_id: str) -> None:
    path = camera_recording_path(ws, session_id)
    assert register_camera_recording(ws, session_id, path, actor=CANDIDATE) is None
    path.write_bytes(b"")
    assert register_camera_recording(ws, session_id, path, actor=CANDIDATE) is None
    path.write_bytes(b"not a video at all" * 100)
    assert register_camera_recording(ws, session_id, path, actor=CANDIDATE) is None
    assert list_media(ws, session_id, actor=CANDIDATE) == []


def test_registration_is_idempotent_and_stays_in_the_session_folder(
    ws: Workspace, session_id: str, tmp_path: Path
) -> None:
    recorder = camera_recorder(ws, session_id, actor=CANDIDATE)
    record(recorder, ColourBars(5))
    again = register_camera_recording(ws, session_id, recorder.path, actor=CANDIDATE)
    assert again == recorder.media and len(list_media(ws, session_id, actor=CANDIDATE)) == 1
    with pytest.raises(ValueError, match="Not a file of session"):
        register_camera_recording(ws, session_id, tmp_path / "elsewhere.mp4", actor=CANDIDATE)
    with pytest.raises(ValueError, match="Not a file of session"):
        register_camera_recording(ws, "another-session", recorder.path, actor=CANDIDATE)


def test_a_recording_running_when_the_interview_ends_is_kept(ws: Workspace, session_id: str) -> None:
    recorder = camera_recorder(ws, session_id, actor=CANDIDATE)
    cancel_interview(ws, session_id, actor=CANDIDATE)
    record(recorder, ColourBars(5))
    assert recorder.media is not None and list_media(ws, session_id, "video", actor=CANDIDATE) == [recorder.media]


def test_no_new_recording_once_the_interview_has_ended(ws: Workspace, session_id: str) -> None:
    cancel_interview(ws, session_id, actor=CANDIDATE)
    with pytest.raises(SessionClosed, match="records no more video"):
        camera_recording_path(ws, session_id)
    with pytest.raises(NotFound):
        camera_recording_path(ws, "missing")


def test_no_recording_without_consent_to_the_camera(ws: Workspace) -> None:
    session = create_interview(ws, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    give_consent(ws, session.id, ["audio", "screen"], actor=Actor.workspace("candidate"))  # not the camera
    with pytest.raises(ConsentRequired, match="camera"):
        camera_recorder(ws, session.id, actor=CANDIDATE)
    assert not ws.files.session_dir(session.id).exists()


def test_a_recording_running_when_consent_is_withdrawn_keeps_nothing_after_it(ws: Workspace, session_id: str) -> None:
    recorder = camera_recorder(ws, session_id, actor=CANDIDATE, consent_every=0.0)  # checked on every frame
    camera = WithdrawnAt(30, ws, session_id, at=10)
    record(recorder, camera)

    assert camera.sent < 30, "the camera is stopped: its frames are not read (nor queued) any more"
    with av.open(str(recorder.path)) as container:
        assert sum(1 for _ in container.decode(container.streams.video[0])) == 10  # the ones before the withdrawal
    assert recorder.media is not None and list_media(ws, session_id, "video", actor=CANDIDATE) == [recorder.media]
    with pytest.raises(ConsentRequired, match="withdrawn"):
        camera_recorder(ws, session_id, actor=CANDIDATE)  # and no new recording starts
