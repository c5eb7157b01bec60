"""Screen-share frames over the in-memory unit of work and a temporary file store."""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.config import Settings
from core.content.problems import load_problem_bank
from core.errors import NotFound, SessionClosed
from core.media.capture import (
    MAX_SCREEN_FRAME_BYTES,
    MediaCaptureError,
    decode_png_data_url,
    list_media,
    note_screen_share,
    png_dimensions,
    save_screen_frame,
    session_is_open,
)
from core.models import MediaFile, Session, SessionConsent, SessionStatus
from core.workspace import Workspace
from storage.files import LocalFileStore
from tests.actors import CANDIDATE
from tests.fakes import FakeUnitOfWork

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 22, 10, 15, 0, 123_456, tzinfo=UTC)


def png(width: int = 3, height: int = 2) -> bytes:
    """A real (tiny, red) PNG built by hand: signature, IHDR, IDAT, IEND."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    started = NOW - timedelta(minutes=2)
    uow.sessions.add(Session(id="open", problem_id="rate_limiter", status=SessionStatus.ACTIVE, started_at=started))
    uow.sessions.add(Session(id="done", problem_id="rate_limiter", status=SessionStatus.COMPLETED))
    uow.sessions.add(Session(id="dropped", problem_id="rate_limiter", status=SessionStatus.CANCELLED))
    uow.consents.add(SessionConsent("open", "candidate", ["screen"], "1", NOW))  # the person agreed
    uow.commit()
    return uow


@pytest.fixture
def ws(uow: FakeUnitOfWork, tmp_path: Path) -> Workspace:
    return Workspace(
        settings=Settings(),
        uow_factory=lambda: uow,
        files=LocalFileStore(tmp_path / "runtime"),
        problems=load_problem_bank(ROOT / "data" / "problems"),
        rubrics={},
        clock=lambda: NOW,
    )


def test_png_dimensions_reads_the_header() -> None:
    assert png_dimensions(png(3, 2)) == (3, 2)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "not a PNG"),  # JPEG
        (b"GIF89a" + b"\x00" * 64, "not a PNG"),
        (b"", "not a PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "header is missing"),
        (png()[:-12], "cut short"),
        (png(0, 2), "zero width"),
    ],
)
def test_png_dimensions_refuses_anything_else(data: bytes, says: str) -> None:
    with pytest.raises(MediaCaptureError, match=says):
        png_dimensions(data)


def test_a_truncated_png_is_refused() -> None:
    with pytest.raises(MediaCaptureError, match="cut short"):
        png_dimensions(png()[:-5])


def test_decode_png_data_url() -> None:
    data = png()
    assert decode_png_data_url("data:image/png;base64," + base64.b64encode(data).decode()) == data
    with pytest.raises(MediaCaptureError, match="PNG data URL"):
        decode_png_data_url("data:image/jpeg;base64,AAAA")
    with pytest.raises(MediaCaptureError, match="PNG data URL"):
        decode_png_data_url(None)  # type: ignore[arg-type]
    with pytest.raises(MediaCaptureError, match="not valid base64"):
        decode_png_data_url("data:image/png;base64,@@not base64@@")
    with pytest.raises(MediaCaptureError, match="too large"):
        decode_png_data_url("data:image/png;base64," + "A" * (MAX_SCREEN_FRAME_BYTES * 2))


def test_a_frame_is_stored_with_its_media_row(ws: Workspace, uow: FakeUnitOfWork) -> None:
    data = png()
    media = save_screen_frame(ws, "open", data, actor=CANDIDATE)
    assert media.id is not None
    assert (media.kind, media.content_type, media.size_bytes) == ("screen", "image/png", len(data))
    assert media.path == "sessions/open/screen-20261122-101500-123.png"
    assert media.offset_seconds == 120.0  # on the interview's clock
    assert ws.files.read(media.path) == data
    assert uow.media.in_session("open") == [media]
    assert uow.committed


def test_frames_in_the_same_millisecond_get_their_own_files(ws: Workspace) -> None:
    first, second = (
        save_screen_frame(ws, "open", png(1, 1), actor=CANDIDATE),
        save_screen_frame(ws, "open", png(2, 2), actor=CANDIDATE),
    )
    assert second.path == "sessions/open/screen-20261122-101500-123-2.png"
    assert ws.files.read(first.path) != ws.files.read(second.path)
    assert [m.path for m in list_media(ws, "open", "screen", actor=CANDIDATE)] == [first.path, second.path]


@pytest.mark.parametrize("session_id", ["done", "dropped"])
def test_frames_are_refused_once_the_interview_has_ended(ws: Workspace, session_id: str) -> None:
    with pytest.raises(SessionClosed, match="records no more screen frames"):
        save_screen_frame(ws, session_id, png(), actor=CANDIDATE)
    assert not ws.files.session_dir(session_id).exists()
    assert list_media(ws, session_id, actor=CANDIDATE) == []
    assert not session_is_open(ws, session_id) and session_is_open(ws, "open")


def test_invalid_frames_store_nothing(ws: Workspace) -> None:
    with pytest.raises(MediaCaptureError, match="not a PNG"):
        save_screen_frame(ws, "open", b"\xff\xd8\xff\xe0 a JPEG", actor=CANDIDATE)
    with pytest.raises(MediaCaptureError, match="too large"):
        save_screen_frame(ws, "open", png() + b"\x00" * MAX_SCREEN_FRAME_BYTES, actor=CANDIDATE)
    with pytest.raises(NotFound):
        save_screen_frame(ws, "missing", png(), actor=CANDIDATE)
    assert not ws.files.session_dir("open").exists()


def test_the_file_is_removed_when_its_row_cannot_be_stored(
    ws: Workspace, uow: FakeUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_add(media: MediaFile) -> MediaFile:
        raise RuntimeError("database went away")

    monkeypatch.setattr(uow.media, "add", broken_add)
    with pytest.raises(RuntimeError):
        save_screen_frame(ws, "open", png(), actor=CANDIDATE)
    assert list(ws.files.session_dir("open").iterdir()) == []


def test_list_media_filters_by_kind(ws: Workspace, uow: FakeUnitOfWork) -> None:
    with uow:
        video = MediaFile(
            session_id="open", kind="video", path="sessions/open/c.mp4", size_bytes=9, content_type="video/mp4"
        )
        uow.media.add(video)
        uow.commit()
    frame = save_screen_frame(ws, "open", png(), actor=CANDIDATE)
    assert [m.kind for m in list_media(ws, "open", actor=CANDIDATE)] == ["video", "screen"]
    assert list_media(ws, "open", "screen", actor=CANDIDATE) == [frame]
    assert list_media(ws, "open", "audio", actor=CANDIDATE) == []


def test_sharing_start_and_stop_are_audited_once_each(ws: Workspace, uow: FakeUnitOfWork) -> None:
    note_screen_share(ws, "open", live=True, actor=CANDIDATE)
    save_screen_frame(ws, "open", png(), actor=CANDIDATE)
    save_screen_frame(ws, "open", png(), actor=CANDIDATE)
    note_screen_share(ws, "open", live=False, actor=CANDIDATE)
    entries = uow.audit.latest(session_id="open")
    assert [(e.action, e.detail) for e in entries] == [
        ("screen_share_started", {"screen_frames": 0}),
        ("screen_share_stopped", {"screen_frames": 2}),
    ]
