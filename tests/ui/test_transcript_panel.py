"""The Interview page's transcript column: spoken lines and the chat's typed ones, search, and the four exports."""

from __future__ import annotations

import re

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from core.config import load_settings
from core.interview.services import create_interview, start_interview, submit_answer, transcript_with_chat
from core.models import TranscriptEntry
from core.speech.transcript_formats import to_json, to_srt, to_txt, to_webvtt
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.ui.conftest import AppFactory, assert_clean

LINES = [
    ("interviewer", "How many new links are created per day?", 4.0, 6.5),
    ("candidate", "About 100 million, so we cache hot links in Redis.", 62.5, 70.0),
    ("interviewer", "What happens when a cache node fails?", 75.0, 77.0),
]


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[bytes, str]]:
    """What each download button would hand the browser: file name → (bytes, mime type). The exports are
    made when clicked (a deferred download); here each is made as soon as it is offered, to be read."""
    files: dict[str, tuple[bytes, str]] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, *, element_id=""):  # type: ignore[no-untyped-def]
        made = data_callable()
        files[file_name] = (made.encode() if isinstance(made, str) else made, mimetype)
        return original(self, data_callable, mimetype, coordinates, file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return files


def add_lines(ws: Workspace, session_id: str, lines: list[tuple[str, str, float, float]]) -> None:
    with ws.uow_factory() as uow:
        for speaker, text, start, end in lines:
            uow.transcripts.add(TranscriptEntry(session_id, speaker, text, start, end, source="mic"))
        uow.commit()


def open_interview(new_app: AppFactory, session_id: str) -> AppTest:
    at = new_app()
    at.query_params["session"] = session_id
    at.run()
    at.switch_page("pages/interview.py").run()
    assert_clean(at)
    return at


def transcript_lines(at: AppTest, *, typed: bool = True) -> list[str]:
    lines = [m.value for m in at.markdown if m.value.startswith((":blue[**Interviewer**]", ":green[**Candidate**]"))]
    return lines if typed else [line for line in lines if "· typed]" not in line]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_transcript_shows_searches_and_exports_the_sessions_lines(
    new_app: AppFactory, downloads: dict[str, tuple[bytes, str]]
) -> None:
    ws = build_workspace(load_settings())
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)

    # --- Nothing said yet: the interviewer's opening, typed in the chat, is the first line ---------
    at = open_interview(new_app, session.id)
    (opening,) = transcript_lines(at)
    assert opening.startswith(":blue[**Interviewer**] :gray[00:00 · typed]  \nHi, I'll be your interviewer")
    assert not at.text_input(key="transcript_search").disabled

    # --- A transcriber stores lines; the next (fragment) run shows them, latest at the bottom ----
    add_lines(ws, session.id, LINES[:2])
    at.run()
    assert_clean(at)
    assert transcript_lines(at)[1:] == [
        ":blue[**Interviewer**] :gray[00:04]  \nHow many new links are created per day?",
        ":green[**Candidate**] :gray[01:02]  \nAbout 100 million, so we cache hot links in Redis.",
    ]
    add_lines(ws, session.id, LINES[2:])
    at.run()
    assert transcript_lines(at)[-1] == ":blue[**Interviewer**] :gray[01:15]  \nWhat happens when a cache node fails?"

    # --- Search: every word, any case; a miss says so -------------------------------------------
    at.text_input(key="transcript_search").set_value("CACHE redis").run()
    assert_clean(at)
    assert transcript_lines(at) == [
        ":green[**Candidate**] :gray[01:02]  \nAbout 100 million, so we cache hot links in Redis."
    ]
    assert "1 of 4 lines match." in captions(at)
    at.text_input(key="transcript_search").set_value("cache").run()
    assert [line.rsplit("\n", 1)[1] for line in transcript_lines(at)] == [LINES[1][1], LINES[2][1]]
    at.text_input(key="transcript_search").set_value("sharding").run()
    assert transcript_lines(at) == []
    assert "No line contains every word you searched for." in captions(at)

    # --- Exports: the whole transcript (not just the search hits), in four formats --------------
    assert [b.label for b in at.download_button] == ["TXT", "JSON", "SRT", "WebVTT"]
    entries = transcript_with_chat(ws, session.id, actor=CANDIDATE)
    assert [(e.speaker, e.start, e.source) for e in entries] == [
        ("interviewer", 0.0, "typed"),
        *((speaker, start, "mic") for speaker, _, start, _ in LINES),
    ]
    stem = f"transcript-url_shortener-{session.id[:8]}"
    assert downloads[f"{stem}.txt"] == (to_txt(entries).encode(), "text/plain")
    assert downloads[f"{stem}.json"] == (to_json(entries, "url_shortener").encode(), "application/json")
    assert downloads[f"{stem}.srt"] == (to_srt(entries).encode(), "application/x-subrip")
    assert downloads[f"{stem}.vtt"] == (to_webvtt(entries).encode(), "text/vtt")
    srt = downloads[f"{stem}.srt"][0]
    assert srt.startswith(b"1\n00:00:00,000 --> 00:00:04,000\nInterviewer: Hi, I'll be your interviewer")  # typed
    assert b"\n\n2\n00:00:04,000 --> 00:00:06,500\nInterviewer: How many" in srt
    at.download_button(key="transcript_download_srt").click().run()
    assert_clean(at)
    assert at.text_input(key="transcript_search").value == "sharding", "a download changes nothing on the page"


def test_the_transcript_is_per_session(new_app: AppFactory) -> None:
    ws = build_workspace(load_settings())
    mine = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    other = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    for session in (mine, other):
        start_interview(ws, session.id, actor=CANDIDATE)
    add_lines(ws, other.id, LINES)

    at = open_interview(new_app, mine.id)
    assert transcript_lines(at, typed=False) == []
    assert len(transcript_lines(open_interview(new_app, other.id), typed=False)) == 3


def test_typed_answers_are_transcript_lines_and_export(
    new_app: AppFactory, downloads: dict[str, tuple[bytes, str]]
) -> None:
    ws = build_workspace(load_settings())
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    at = open_interview(new_app, session.id)
    at.chat_input(key="interview_input").set_value("Users shorten links; reads dominate writes.").run()
    assert_clean(at)
    lines = transcript_lines(at)
    assert [line.split("]", 1)[0] for line in lines] == [
        ":blue[**Interviewer**",
        ":green[**Candidate**",
        ":blue[**Interviewer**",
    ]
    assert re.fullmatch(
        r":green\[\*\*Candidate\*\*\] :gray\[00:0\d · typed\]  \nUsers shorten links; reads dominate writes\.", lines[1]
    )
    assert [b.label for b in at.download_button] == ["TXT", "JSON", "SRT", "WebVTT"]  # export is on
    stem = f"transcript-url_shortener-{session.id[:8]}"
    txt = downloads[f"{stem}.txt"][0].decode()
    assert re.search(r"^\[00:0\d\] Candidate: Users shorten links; reads dominate writes\.$", txt, re.M)
    assert txt.count("\n") == 3
    srt = downloads[f"{stem}.srt"][0].decode()
    assert srt.count(" --> ") == 3 and "Candidate: Users shorten links" in srt
    assert downloads[f"{stem}.vtt"][0].decode().startswith("WEBVTT\n")
    assert '"speaker": "candidate"' in downloads[f"{stem}.json"][0].decode()


def test_a_spoken_answer_shows_once_as_spoken(new_app: AppFactory) -> None:
    ws = build_workspace(load_settings())
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    said = "We cache the hot links in Redis."
    submit_answer(ws, session.id, said, source="mic", actor=CANDIDATE)  # the live tier's words reach the chat…
    add_lines(ws, session.id, [("candidate", said, 3.0, 5.0)])  # …and the transcript
    at = open_interview(new_app, session.id)
    assert [line for line in transcript_lines(at) if said in line] == [f":green[**Candidate**] :gray[00:03]  \n{said}"]
    assert any(said in m.markdown[0].value for m in at.chat_message if m.markdown), "the chat still shows it"
