"""The live transcript: who said what and when, a search box, and exports (TXT, JSON, SRT, WebVTT).

Renders entries it is given; the page loads them (inside a fragment, so new lines appear live). On the
Interview page and in History they are the spoken lines and the chat's messages ("typed") together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import streamlit as st

from components.latest_first import latest
from components.plain_text import plain
from core.models import TranscriptEntry
from core.speech.transcript_formats import clock, search, speaker_label, to_json, to_srt, to_txt, to_webvtt

SEARCH_KEY = "transcript_search"
WINDOW, MORE = 80, 200
"""Lines drawn at first (the latest the search leaves) and how many more each "Show earlier" adds
(components.latest_first); the search and the exports always cover every line."""
COLORS = {"interviewer": "blue", "candidate": "green"}
EMPTY = (
    'Nothing said or typed yet. Answer in the chat, or turn on "Speak my answers" below to speak into '
    "the microphone: both appear here with their times."
)


@dataclass(frozen=True)
class ExportFormat:
    label: str
    extension: str
    mime: str
    render: Callable[[Sequence[TranscriptEntry], str], str]


FORMATS = (
    ExportFormat("TXT", "txt", "text/plain", lambda entries, _problem: to_txt(entries)),
    ExportFormat("JSON", "json", "application/json", to_json),
    ExportFormat("SRT", "srt", "application/x-subrip", lambda entries, _problem: to_srt(entries)),
    ExportFormat("WebVTT", "vtt", "text/vtt", lambda entries, _problem: to_webvtt(entries)),
)


def export_file_name(problem_id: str, extension: str, session_id: str | None = None) -> str:
    """E.g. `transcript-url_shortener-1a2b3c4d.srt` (the session part only when known)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", problem_id).strip("-") or "interview"
    suffix = f"-{session_id[:8]}" if session_id else ""
    return f"transcript-{stem}{suffix}.{extension}"


def entry_markdown(entry: TranscriptEntry) -> str:
    """`**Candidate** 01:02` over the text (`01:02 · typed` for a chat message), Markdown characters escaped."""
    label = f":{COLORS.get(entry.speaker, 'gray')}[**{speaker_label(entry.speaker)}**]"
    text = plain(entry.text.strip())
    typed = " · typed" if entry.source == "typed" else ""
    return f"{label} :gray[{clock(entry.start)}{typed}]  \n{text}"


def render_transcript_panel(
    entries: Sequence[TranscriptEntry],
    *,
    problem_id: str,
    session_id: str | None = None,
    height: int = 520,
    empty: str = EMPTY,
) -> None:
    """Fits a narrow column: title and an Export popover on one row, a search box, the lines."""
    with st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"):
        st.markdown("**Transcript**", width="content")
        with st.popover(
            "Export",
            icon=":material/download:",
            disabled=not entries,
            help=None if entries else "Nothing to export yet.",
        ):
            for fmt in FORMATS:
                st.download_button(
                    fmt.label,
                    data=partial(fmt.render, list(entries), problem_id),  # made when clicked, not on every run
                    file_name=export_file_name(problem_id, fmt.extension, session_id),
                    mime=fmt.mime,
                    key=f"transcript_download_{fmt.extension}",
                    on_click="ignore",  # no rerun: the live fragment keeps its own rhythm
                    width="stretch",
                )
    query = st.text_input(
        "Search the transcript",
        key=SEARCH_KEY,
        placeholder="Search the transcript",
        label_visibility="collapsed",
        icon=":material/search:",
        disabled=not entries,
    )
    shown = search(entries, query)
    with st.container(height=height, border=True, autoscroll=True):
        if not entries:
            st.caption(empty)
        elif not shown:
            st.caption("No line contains every word you searched for.")
        for entry in latest(shown, key=f"transcript_window_{session_id}", first=WINDOW, more=MORE, noun="lines"):
            st.markdown(entry_markdown(entry))
    if query.strip() and entries:
        st.caption(f"{len(shown)} of {len(entries)} lines match.")
