"""The interview's transcript as people read it: spoken lines and the chat's messages together, on one clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.evaluation.utterances import seconds_in, transcript_lines, utterances_of
from core.models import Message, Role, Session, TranscriptEntry

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def session() -> Session:
    return Session(id="s1", problem_id="url_shortener", started_at=START)


def message(role: Role, text: str, seconds: float, **meta: str) -> Message:
    return Message("s1", role, text, meta=dict(meta), created_at=START + timedelta(seconds=seconds))


def test_a_messages_time_counts_from_the_interview_start() -> None:
    assert seconds_in(session(), START + timedelta(minutes=2, seconds=5)) == 125.0
    assert seconds_in(session(), START - timedelta(seconds=3)) == 0.0  # never before the start
    assert seconds_in(session(), None) is None
    assert seconds_in(Session(id="s2", problem_id="p"), START) is None  # not started
    (opening,) = utterances_of(session(), [message(Role.INTERVIEWER, "Hi", 2.0)])
    assert opening.start == 2.0, "the evaluation's evidence uses the same clock"


def test_typed_and_spoken_lines_in_time_order_without_the_spoken_answers_chat_copy() -> None:
    messages = [
        message(Role.INTERVIEWER, "How many links a day?", 0.0),
        message(Role.CANDIDATE, "About 100 million new links a day.", 30.0),
        message(Role.INTERVIEWER, "And reads?", 31.0),
        message(Role.CANDIDATE, "we cache hot links", 70.0, source="mic"),  # spoken: the live tier's words
        message(Role.SYSTEM, "The interviewer paused.", 71.0),
        message(Role.INTERVIEWER, "Where does the cache sit?", 72.0),
    ]
    spoken = [TranscriptEntry("s1", "candidate", "We cache hot links in Redis.", 62.0, 68.5, source="mic")]
    lines = transcript_lines(session(), messages, spoken)
    assert [(line.speaker, line.text, line.start, line.source) for line in lines] == [
        ("interviewer", "How many links a day?", 0.0, "typed"),
        ("candidate", "About 100 million new links a day.", 30.0, "typed"),
        ("interviewer", "And reads?", 31.0, "typed"),
        ("candidate", "We cache hot links in Redis.", 62.0, "mic"),
        ("interviewer", "Where does the cache sit?", 72.0, "typed"),
    ]
    # a typed line lasts about as long as reading it, never into the next line; spoken lines keep their times
    assert [line.end for line in lines] == [2.0, 31.0, 33.0, 68.5, pytest.approx(74.0)]
    assert lines[3] is spoken[0] and spoken[0].end == 68.5
    assert all(line.id is None for line in lines if line.source == "typed")


def test_blank_spoken_lines_are_left_out_and_stored_lines_are_not_changed() -> None:
    blank = TranscriptEntry("s1", "candidate", "  ", 5.0, 6.0, source="mic")
    assert transcript_lines(session(), [], [blank]) == []
    noted = TranscriptEntry("s1", "interviewer", "Tell me about the cache.", 5.0, 5.0, source="typed")  # a live note
    assert transcript_lines(session(), [], [noted]) == [noted] and noted.end == 5.0
