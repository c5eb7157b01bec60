"""What was recorded during an interview: microphone audio, camera video, screen captures.

Renders the MediaFile rows it is given; the page loads them and says where the files are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

from core.models import MediaFile
from core.speech.transcript_formats import clock

SCREEN_PREVIEW = 4  # the latest screen captures shown as thumbnails


def _size(size_bytes: int) -> str:
    return f"{size_bytes / 2**20:.1f} MB" if size_bytes >= 2**20 else f"{max(1, size_bytes // 1024)} KB"


def _caption(media: MediaFile, path: Path) -> str:
    parts = [path.name, _size(path.stat().st_size)]
    if media.offset_seconds is not None:
        parts.insert(1, f"from {clock(media.offset_seconds)} of the interview")
    return " · ".join(parts)


def render_session_media(media: Sequence[MediaFile], locate: Callable[[str], Path]) -> None:
    """Players for audio and video, thumbnails for screen captures; a note for a missing file."""
    recordings = [m for m in media if m.kind in ("audio", "video")]
    screens = [m for m in media if m.kind == "screen"]
    if not recordings and not screens:
        st.caption("Nothing was recorded in this interview (no microphone, camera or screen share).")
        return
    for item in recordings:
        path = locate(item.path)
        if not path.is_file():
            st.warning(f"The recording {path.name} is listed but its file is missing.")
            continue
        icon = ":material/mic:" if item.kind == "audio" else ":material/videocam:"
        st.markdown(f"{icon} {_caption(item, path)}")
        if item.kind == "audio":
            st.audio(str(path), format=item.content_type)
        else:
            st.video(str(path), format=item.content_type)
    if screens:
        st.markdown(f":material/screen_share: {len(screens)} screen captures")
        present = [locate(m.path) for m in screens[-SCREEN_PREVIEW:]]
        present = [p for p in present if p.is_file()]
        if present:
            st.image([str(p) for p in present], caption=[p.name for p in present], width=220)
