"""Screen-share frames and the media list of a session.

The browser draws the shared screen to a canvas every few seconds and sends the PNG; each frame
is checked (a real, complete PNG of sane size) before it is stored as a file in the session
folder with its MediaFile row, in one step: a frame whose row cannot be written is removed again.
Frames are refused once the interview has ended, so a tab left sharing cannot add to a closed one.
"""

from __future__ import annotations

import base64
import binascii
import logging
import struct
from datetime import datetime
from pathlib import Path

from core import audit
from core.errors import SessionClosed, WorkspaceError
from core.logs import session_context
from core.media.consent import require_consent
from core.models import MediaFile, Session
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

MAX_SCREEN_FRAME_BYTES = 8 * 1024 * 1024  # a busy 4K screen stays well below this
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the IEND chunk: zero length, type, fixed CRC
_DATA_URL_PREFIX = "data:image/png;base64,"


class MediaCaptureError(WorkspaceError):
    """A frame or recording we will not store: wrong type, damaged or too large."""


def png_dimensions(data: bytes) -> tuple[int, int]:
    """Width and height of a complete PNG; raises MediaCaptureError for anything else.

    Reading the header and the end marker is enough to turn away other formats and frames cut
    short in transit, without decoding pixels on every capture.
    """
    if not data.startswith(PNG_SIGNATURE):
        raise MediaCaptureError("The screen frame is not a PNG image.")
    if len(data) < len(PNG_SIGNATURE) + 25 + len(_PNG_END) or data[12:16] != b"IHDR":
        raise MediaCaptureError("The screen frame is a damaged PNG image (its header is missing).")
    width, height = struct.unpack(">II", data[16:24])
    if width == 0 or height == 0:
        raise MediaCaptureError("The screen frame is an empty PNG image (zero width or height).")
    if not data.endswith(_PNG_END):
        raise MediaCaptureError("The screen frame is an incomplete PNG image (it was cut short).")
    return width, height


def decode_png_data_url(url: str) -> bytes:
    """The bytes of a `data:image/png;base64,…` URL, as a canvas's toDataURL() makes them."""
    if not isinstance(url, str) or not url.startswith(_DATA_URL_PREFIX):
        raise MediaCaptureError("The screen frame did not arrive as a PNG data URL.")
    encoded = url[len(_DATA_URL_PREFIX) :]
    if len(encoded) > (MAX_SCREEN_FRAME_BYTES * 4) // 3 + 4:
        raise MediaCaptureError(_too_large(len(encoded) * 3 // 4))
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MediaCaptureError("The screen frame's data URL is not valid base64.") from exc


def save_screen_frame(ws: Workspace, session_id: str, png: bytes, *, actor: Actor) -> MediaFile:
    """Store one screen-share frame as `screen-<UTC time>.png` in the session folder; returns its row.

    The row's offset_seconds places the frame on the interview's clock (pauses excluded).

    Raises MediaCaptureError (not a PNG, damaged, too large), AccessDenied (worded as not found: `actor` may
    not EDIT the session, as for starting and stopping the share), NotFound (unknown session), SessionClosed
    (the interview has ended or was cancelled) and ConsentRequired (nobody agreed to screen capture) before
    anything is written.
    """
    if len(png) > MAX_SCREEN_FRAME_BYTES:
        raise MediaCaptureError(_too_large(len(png)))
    png_dimensions(png)
    with session_context(session_id), ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))
        session = require_open(uow, session_id, "records no more screen frames")
        require_consent(uow, session_id, "screen")
        now = ws.clock()
        relative = ws.files.save(session_id, unique_name(ws, session_id, "screen", ".png", now), png)
        try:
            media = uow.media.add(
                MediaFile(
                    session_id=session_id,
                    kind="screen",
                    path=relative,
                    size_bytes=len(png),
                    content_type="image/png",
                    offset_seconds=round(session.elapsed_seconds(now), 2),
                )
            )
            uow.commit()
        except BaseException:
            ws.files.absolute(relative).unlink(missing_ok=True)
            raise
    return media


def note_screen_share(ws: Workspace, session_id: str, *, live: bool, actor: Actor) -> None:
    """One audit entry when sharing starts or stops (not one per frame, which would bury the log)."""
    action = "screen_share_started" if live else "screen_share_stopped"
    with session_context(session_id), ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))
        detail = {"screen_frames": sum(1 for m in uow.media.in_session(session_id) if m.kind == "screen")}
        audit.record(uow, action, actor=actor.name, session_id=session_id, detail=detail)
        uow.commit()
    log.info(action, extra={"actor": actor.name, "detail": detail})


def list_media(ws: Workspace, session_id: str, kind: str | None = None, *, actor: Actor) -> list[MediaFile]:
    """The session's stored media in the order they were added, optionally of one kind."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return [m for m in uow.media.in_session(session_id) if kind is None or m.kind == kind]


def session_is_open(ws: Workspace, session_id: str) -> bool:
    """Whether the interview still accepts media (ready, active or paused); NotFound if unknown."""
    with ws.uow_factory() as uow:
        return uow.sessions.get(session_id).is_open


# --- helpers shared with core.media.camera ---------------------------------------------------


def require_open(uow: UnitOfWork, session_id: str, what: str) -> Session:
    """The session, or SessionClosed saying what is refused ("records no more screen frames")."""
    session = uow.sessions.get(session_id)
    if not session.is_open:
        raise SessionClosed(f"This interview is {session.status.value} and {what}.")
    return session


def unique_name(ws: Workspace, session_id: str, prefix: str, suffix: str, now: datetime) -> str:
    """`<prefix>-YYYYmmdd-HHMMSS-mmm<suffix>`, numbered if a file of that name already exists.

    One path component (the file store refuses separators), sortable by time.
    """
    stem = f"{prefix}-{now:%Y%m%d-%H%M%S}-{now.microsecond // 1000:03d}"
    folder: Path = ws.files.session_dir(session_id)
    name, n = f"{stem}{suffix}", 1
    while (folder / name).exists():
        n += 1
        name = f"{stem}-{n}{suffix}"
    return name


def _too_large(size: int) -> str:
    return (
        f"The screen frame is too large ({size / 2**20:.1f} MB; at most {MAX_SCREEN_FRAME_BYTES // 2**20} MB). "
        "Share a smaller window or lower the screen resolution."
    )
