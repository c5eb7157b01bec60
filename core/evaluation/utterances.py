"""Who said what, and when, from the chat and the transcript: what the evaluator reads, and the
transcript people read and export."""

from __future__ import annotations

from datetime import datetime

from core.models import Message, Role, Session, TranscriptEntry, Utterance

# A typed line's cue in a subtitle export lasts about as long as reading it takes (no longer than the
# gap to the next line): words at this rate, within these bounds.
_READING_WORDS_PER_SECOND = 3.0
_CUE_SECONDS = (2.0, 12.0)


def seconds_in(session: Session, moment: datetime | None) -> float | None:
    """Seconds from the interview's start to `moment` (never negative): the `mm:ss` the chat and the
    evaluation's evidence show for a message. None when either time is unknown."""
    if session.started_at is None or moment is None:
        return None
    return max(0.0, (moment - session.started_at).total_seconds())


def utterances_of(session: Session, messages: list[Message]) -> list[Utterance]:
    """Chat messages as the evaluator reads them, timed from the interview start."""
    return [
        Utterance(speaker=m.role.value, text=m.content, start=seconds_in(session, m.created_at), seq=m.seq)
        for m in messages
        if m.role is not Role.SYSTEM
    ]


def transcript_lines(
    session: Session, messages: list[Message], transcript: list[TranscriptEntry]
) -> list[TranscriptEntry]:
    """The interview's transcript as people read and export it: every spoken line, and each chat message
    (the interviewer's and the typed answers) as a line with source "typed", in time order.

    A spoken answer is also in the chat (meta source "mic"); only its transcript line is kept. A typed
    line starts when it was sent and lasts as long as reading it takes, up to the next line.
    """
    typed = []
    for m in messages:
        if m.role is Role.SYSTEM or m.meta.get("source") == "mic":
            continue
        start = seconds_in(session, m.created_at) or 0.0
        line = TranscriptEntry(session.id, m.role.value, m.content, start, start, source="typed")
        line.created_at = m.created_at  # no id: it is a chat message, not a row of the transcript
        typed.append(line)
    spoken = [e for e in transcript if e.text.strip()]
    lines = sorted(typed + spoken, key=lambda e: e.start)
    made_here = {id(line) for line in typed}  # the transcript's own entries keep their times
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        if id(line) in made_here:
            low, high = _CUE_SECONDS
            reading = min(max(len(line.text.split()) / _READING_WORDS_PER_SECOND, low), high)
            gap = following.start - line.start if following is not None and following.start > line.start else None
            line.end = line.start + (min(reading, gap) if gap is not None else reading)
    return lines


def evaluation_utterances(
    session: Session, messages: list[Message], transcript: list[TranscriptEntry]
) -> list[Utterance]:
    """What the evaluator reads: the chat, and the transcript for what was said aloud.

    A spoken answer is in both (the live tier's words in the chat, the accurate pass's in the
    transcript); the transcript's text is kept and the chat copy left out.
    """
    chat = [m for m in messages if m.meta.get("source") != "mic"]
    spoken = [Utterance(speaker=e.speaker, text=e.text, start=e.start, end=e.end) for e in transcript if e.text.strip()]
    if not spoken:
        return utterances_of(session, chat)
    return sorted(utterances_of(session, chat) + spoken, key=lambda u: u.start or 0.0)
