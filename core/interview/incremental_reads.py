"""Reading a session's chat and transcript again without reading again what the reader already has.

An open interview page runs again after every answer, and a spoken interview's transcript panel every
second; an hour of chat and transcript read in full each time was most of a run. Messages and transcript
entries are only ever added (the accurate pass replaces the live lines at the end, which a count shows), so
a reader that keeps what it read (a browser tab's session state) asks only for what came after it. The
records it keeps are the ones it hands out: read-only, as every page treats them.
"""

from __future__ import annotations

from typing import Protocol

from core.models import Message, TranscriptEntry
from core.unit_of_work import UnitOfWork


class Reads(Protocol):
    """Where a reader keeps what it read, between its reads (st.session_state, for a page)."""

    def get(self, key: str, /) -> object: ...
    def __setitem__(self, key: str, value: object, /) -> None: ...


def messages(uow: UnitOfWork, session_id: str, reads: Reads | None) -> list[Message]:
    """The session's chat in seq order: what `reads` holds and what came after it, or all of it."""
    key = f"read_messages_{session_id}"
    known = reads.get(key) if reads is not None else None
    found: list[Message] | None = None
    if isinstance(known, list) and known:
        new = uow.messages.in_session(session_id, after_seq=known[-1].seq)
        if len(known) + len(new) == uow.messages.count_in_session(session_id):
            found = [*known, *new]
    if found is None:
        found = uow.messages.in_session(session_id)
    if reads is not None:
        reads[key] = list(found)
    return found


def transcript(uow: UnitOfWork, session_id: str, reads: Reads | None) -> list[TranscriptEntry]:
    """The session's transcript in speaking order: what `reads` holds and what was stored after it, or all of
    it when entries were also removed (the accurate pass) or nothing was read before."""
    key = f"read_transcript_{session_id}"
    known = reads.get(key) if reads is not None else None
    found: list[TranscriptEntry] | None = None
    if isinstance(known, list) and known:
        new = uow.transcripts.in_session(session_id, after_id=max(entry.id or 0 for entry in known))
        if len(known) + len(new) == uow.transcripts.count_in_session(session_id):
            found = sorted([*known, *new], key=lambda e: (e.start, e.id or 0)) if new else list(known)
    if found is None:
        found = uow.transcripts.in_session(session_id)
    if reads is not None:
        reads[key] = list(found)
    return found
