from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.evaluation.transcript_file import read_transcript_file
from core.models import TranscriptEntry
from core.speech.transcript_formats import clock, search, to_json, to_srt, to_txt, to_webvtt

ENTRIES = [
    TranscriptEntry("s1", "interviewer", "How many links per day?", 0.0, 2.25),
    TranscriptEntry("s1", "candidate", "About 100 million, so caching hot links matters.", 62.5, 64.0, source="mic"),
    TranscriptEntry("s1", "candidate", "Redirects <200 ms & links --> never expire.", 3725.0021, 3730.9996),
]


def test_txt_has_one_timed_line_per_entry() -> None:
    assert to_txt(ENTRIES) == (
        "[00:00] Interviewer: How many links per day?\n"
        "[01:02] Candidate: About 100 million, so caching hot links matters.\n"
        "[1:02:05] Candidate: Redirects <200 ms & links --> never expire.\n"
    )


def test_srt_numbers_cues_with_comma_milliseconds() -> None:
    assert to_srt(ENTRIES) == (
        "1\n"
        "00:00:00,000 --> 00:00:02,250\n"
        "Interviewer: How many links per day?\n"
        "\n"
        "2\n"
        "00:01:02,500 --> 00:01:04,000\n"
        "Candidate: About 100 million, so caching hot links matters.\n"
        "\n"
        "3\n"
        "01:02:05,002 --> 01:02:11,000\n"
        "Candidate: Redirects <200 ms & links --> never expire.\n"
    )


def test_webvtt_has_the_header_dot_milliseconds_and_escaped_text() -> None:
    assert to_webvtt(ENTRIES) == (
        "WEBVTT\n"
        "\n"
        "00:00:00.000 --> 00:00:02.250\n"
        "Interviewer: How many links per day?\n"
        "\n"
        "00:01:02.500 --> 00:01:04.000\n"
        "Candidate: About 100 million, so caching hot links matters.\n"
        "\n"
        "01:02:05.002 --> 01:02:11.000\n"
        "Candidate: Redirects &lt;200 ms &amp; links -&gt; never expire.\n"
    )


def test_a_blank_line_inside_a_text_does_not_split_a_cue() -> None:
    entry = TranscriptEntry("s1", "candidate", "First point.\n\n  Second point.  \n", 5, 4)  # end before start too
    assert to_srt([entry]) == "1\n00:00:05,000 --> 00:00:05,000\nCandidate: First point.\nSecond point.\n"
    assert to_webvtt([entry]).endswith("00:00:05.000 --> 00:00:05.000\nCandidate: First point.\nSecond point.\n")
    assert to_txt([entry]) == "[00:05] Candidate: First point. Second point.\n"


def test_nothing_to_export() -> None:
    assert to_txt([]) == ""
    assert to_srt([]) == ""
    assert to_webvtt([]) == "WEBVTT\n"
    assert json.loads(to_json([], "url_shortener")) == {"problem": "url_shortener", "entries": []}


def test_json_round_trips_through_the_interchange_reader(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(to_json(ENTRIES, "url_shortener"), encoding="utf-8")
    transcript = read_transcript_file(path)
    assert transcript.problem == "url_shortener"
    assert [(e.speaker, e.text, e.start, e.end) for e in transcript.entries] == [
        (e.speaker, e.text, e.start, e.end) for e in ENTRIES
    ]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "00:00"), (59.9, "00:59"), (62.5, "01:02"), (3599, "59:59"), (3600, "1:00:00"), (-3, "00:00")],
)
def test_clock(seconds: float, shown: str) -> None:
    assert clock(seconds) == shown


def test_search_needs_every_word_in_any_case() -> None:
    assert search(ENTRIES, "") == ENTRIES
    assert search(ENTRIES, "   ") == ENTRIES
    assert search(ENTRIES, "LINKS") == ENTRIES
    assert search(ENTRIES, "hot links") == [ENTRIES[1]]
    assert search(ENTRIES, "links hot") == [ENTRIES[1]], "order does not matter"
    assert search(ENTRIES, "cach") == [ENTRIES[1]], "a word's beginning finds it"
    assert search(ENTRIES, "hot expire") == []
    assert search(iter(ENTRIES), "day") == [ENTRIES[0]]
