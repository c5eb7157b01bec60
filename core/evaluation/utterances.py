"""What the evaluator reads of an interview: who said what, and when, from the chat and the transcript."""

from __future__ import annotations

from core.models import Message, Role, Session, TranscriptEntry, Utterance


def utterances_of(session: Session, messages: list[Message]) -> list[Utterance]:
    """Chat messages as the evaluator reads them, timed from the interview start."""
    utterances = []
    for m in messages:
        if m.role is Role.SYSTEM:
            continue
        start = None
        if session.started_at and m.created_at:
            start = max(0.0, (m.created_at - session.started_at).total_seconds())
        utterances.append(Utterance(speaker=m.role.value, text=m.content, start=start, seq=m.seq))
    return utterances


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
