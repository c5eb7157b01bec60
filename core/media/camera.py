"""Camera recordings: the browser's camera, received by WebRTC, saved as MP4 (H.264) per session.

aiortc's MediaRecorder encodes with PyAV's libx264. It writes to a hidden `.part` file while
recording; when recording stops the file is renamed into place and registered as a "video"
MediaFile, so a crash never leaves half a recording under the real name or in the media list.
A recording that never got a frame leaves nothing behind. Recordings start only while the
interview is open; one that is still running when the interview ends is kept.

Consent to the camera is checked when a recording starts and again while it runs (at most every
CONSENT_REFRESH_S, as the microphone does): once it is withdrawn the recorder takes no more frames and
the recording ends there. What was recorded before the withdrawal is kept like any other recording.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path

import av
from aiortc import MediaStreamTrack
from aiortc.contrib.media import MediaRecorder
from aiortc.mediastreams import MediaStreamError
from av.frame import Frame
from av.packet import Packet

from core import audit
from core.logs import session_context
from core.media.capture import require_open, unique_name
from core.media.consent import consent_stands, require_consent
from core.models import MediaFile
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.workspace import Workspace

log = logging.getLogger(__name__)

CONSENT_REFRESH_S = 1.0  # how long the camera may go on being recorded after its consent is withdrawn


def camera_recording_path(ws: Workspace, session_id: str) -> Path:
    """Where a new camera recording goes: `camera-<UTC time>.mp4` in the session folder.

    Raises SessionClosed once the interview has ended, NotFound for an unknown session and
    ConsentRequired when nobody agreed to the camera being recorded.
    """
    return _new_recording(ws, session_id)[0]


def _new_recording(ws: Workspace, session_id: str) -> tuple[Path, float]:
    """The new recording's path and where it starts on the interview's clock (pauses excluded)."""
    now = ws.clock()
    with ws.uow_factory() as uow:
        session = require_open(uow, session_id, "records no more video")
        require_consent(uow, session_id, "camera")
    folder = ws.files.session_dir(session_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / unique_name(ws, session_id, "camera", ".mp4", now), round(session.elapsed_seconds(now), 2)


def register_camera_recording(
    ws: Workspace, session_id: str, path: Path, *, offset_seconds: float | None = None, actor: Actor
) -> MediaFile | None:
    """Add a finished recording to the session's media (once); None when there is nothing to keep.

    `offset_seconds`: where the recording starts on the interview's clock, when known.

    Skipped: a missing or empty file, and one PyAV cannot read as video (e.g. never finalised),
    which stays on disk for inspection but out of the media list.
    """
    path = Path(path)
    relative = f"sessions/{path.parent.name}/{path.name}"
    if path.parent.name != session_id or ws.files.absolute(relative) != path.resolve():
        raise ValueError(f"Not a file of session {session_id}'s folder: {path}.")
    with session_context(session_id):
        if not path.is_file() or path.stat().st_size == 0:
            log.info("camera_recording_empty", extra={"detail": {"file": relative}})
            return None
        try:
            codec, seconds = _probe(path)
        except (av.FFmpegError, ValueError) as exc:
            log.warning("camera_recording_unreadable", extra={"detail": {"file": relative, "error": str(exc)}})
            return None
        with ws.uow_factory() as uow:
            authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))
            for known in uow.media.in_session(session_id):
                if known.path == relative:
                    return known
            media = uow.media.add(
                MediaFile(
                    session_id=session_id,
                    kind="video",
                    path=relative,
                    size_bytes=path.stat().st_size,
                    content_type="video/mp4",
                    offset_seconds=offset_seconds,
                )
            )
            detail = {"file": relative, "bytes": media.size_bytes, "codec": codec, "seconds": seconds}
            audit.record(uow, "camera_recorded", actor=actor.name, session_id=session_id, detail=detail)
            uow.commit()
        log.info("camera_recorded", extra={"actor": actor.name, "detail": detail})
    return media


def _probe(path: Path) -> tuple[str, float]:
    """The video codec's name and the duration in seconds; raises if there is no readable video."""
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ValueError("no video stream")
        codec = container.streams.video[0].codec_context.name
        seconds = round((container.duration or 0) / av.time_base, 1)
    return codec, seconds


class ConsentedFrames(MediaStreamTrack):
    """The camera track as the recorder reads it: its frames pass while consent to the camera stands in the
    session, rechecked at most every `every` seconds (off aiortc's event loop). Once consent is withdrawn the
    frame in hand is dropped and the track ends, so the recording stops there; the camera's own track is
    stopped too, so nothing piles up unread behind it."""

    def __init__(self, ws: Workspace, session_id: str, source: MediaStreamTrack, *, every: float) -> None:
        super().__init__()
        self.kind = source.kind
        self.ws, self.session_id, self.source, self.every = ws, session_id, source, every
        self._checked = time.monotonic()  # the recorder was made only with consent
        self._last_pts: int | None = None
        self.dropped = 0  # frames out of order, left out

    async def recv(self) -> Frame | Packet:
        frame = await self._next_in_order()
        if time.monotonic() - self._checked >= self.every:
            self._checked = time.monotonic()
            if not await asyncio.to_thread(self._consent_stands):
                log.info("camera recording stopped: consent to the camera was withdrawn")
                self.source.stop()
                self.stop()
                raise MediaStreamError
        return frame

    async def _next_in_order(self) -> Frame | Packet:
        """The camera's next frame timed after the last one passed. A repeated or earlier timestamp (a frame sent
        again, jitter on a loaded machine) gives the encoder two frames at one moment, and the MP4 muxer then
        refuses the packet and the whole recording with it; leaving the frame out costs 1/30 s of video."""
        while True:
            frame = await self.source.recv()
            pts = frame.pts
            if pts is None or self._last_pts is None or pts > self._last_pts:
                self._last_pts = pts if pts is not None else self._last_pts
                return frame
            self.dropped += 1
            if self.dropped == 1:
                log.info("camera frames out of order are left out of the recording")

    def _consent_stands(self) -> bool:
        try:
            with self.ws.uow_factory() as uow:
                return consent_stands(uow, self.session_id, "camera")
        except Exception:  # the database is away: go on recording, as the microphone goes on listening
            log.warning("camera recording could not read the consent", exc_info=True)
            return True


class CameraRecorder(MediaRecorder):
    """A MediaRecorder for one camera recording that registers the file when it stops.

    streamlit-webrtc calls `stop()` on aiortc's event loop when the camera track ends; the
    rename and the database write run in a worker thread so the loop keeps serving other tracks.
    """

    def __init__(
        self,
        ws: Workspace,
        session_id: str,
        path: Path,
        *,
        offset_seconds: float | None = None,
        actor: Actor,
        consent_every: float = CONSENT_REFRESH_S,
    ) -> None:
        """`consent_every`: seconds between checks that consent to the camera still stands."""
        self.ws, self.session_id, self.path, self.actor = ws, session_id, Path(path), actor
        self.offset_seconds = offset_seconds
        self.consent_every = consent_every
        self.partial = self.path.with_name(f".{self.path.name}.part")
        self.media: MediaFile | None = None
        self._stopping = False
        super().__init__(str(self.partial), format="mp4")  # PyAV picks libx264 for MP4 video

    def addTrack(self, track: MediaStreamTrack) -> None:  # aiortc's name
        """Record the track through a consent check: frames stop reaching the file once consent is withdrawn."""
        super().addTrack(ConsentedFrames(self.ws, self.session_id, track, every=self.consent_every))

    async def stop(self) -> None:
        if self._stopping:  # the track's end and the session's end may both ask
            return
        self._stopping = True
        try:
            await super().stop()
        except Exception:
            log.exception("camera_recording_stop_failed", extra={"detail": {"file": self.partial.name}})
        try:
            self.media = await asyncio.to_thread(self._finish)
        except Exception:
            log.exception("camera_recording_register_failed", extra={"detail": {"file": self.path.name}})

    def _finish(self) -> MediaFile | None:
        if self.partial.is_file():
            if self.partial.stat().st_size > 0:
                os.replace(self.partial, self.path)
            else:
                self.partial.unlink()
        return register_camera_recording(
            self.ws, self.session_id, self.path, offset_seconds=self.offset_seconds, actor=self.actor
        )


def camera_recorder(
    ws: Workspace, session_id: str, *, actor: Actor, consent_every: float = CONSENT_REFRESH_S
) -> CameraRecorder:
    """A recorder for a new camera recording of this session (SessionClosed once it has ended,
    ConsentRequired without consent to the camera); it stops taking frames once that consent is withdrawn."""
    path, offset = _new_recording(ws, session_id)
    return CameraRecorder(ws, session_id, path, offset_seconds=offset, actor=actor, consent_every=consent_every)
