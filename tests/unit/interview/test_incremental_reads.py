"""A page that keeps what it read asks only for what came after it, and still ends up with exactly what a full
read gives: after new messages and lines, and after the accurate pass replaced the live lines."""

from __future__ import annotations

from core.interview import incremental_reads
from core.models import Message, Role, Session, TranscriptEntry
from tests.fakes import FakeUnitOfWork


def setup() -> tuple[FakeUnitOfWork, str]:
    uow = FakeUnitOfWork()
    session = Session(id="s1", problem_id="url_shortener", problem_title="URL shortener")
    with uow:
        uow.sessions.add(session)
        for text in ("Hi", "Hello", "Numbers?"):
            uow.messages.add(Message(session_id="s1", role=Role.CANDIDATE, content=text))
        for start in (4.0, 1.0):
            uow.transcripts.add(TranscriptEntry("s1", "candidate", f"said at {start}", start, start + 1, "mic"))
        uow.commit()
    return uow, "s1"


def test_the_chat_read_again_is_what_was_kept_plus_what_came_after() -> None:
    uow, sid = setup()
    reads: dict[str, object] = {}
    with uow:
        first = [m.content for m in incremental_reads.messages(uow, sid, reads)]
        kept = reads[f"read_messages_{sid}"]
        assert isinstance(kept, list)
        kept[0].content = "as this tab read it"  # a marker: a full read would not carry it
        uow.messages.add(Message(session_id=sid, role=Role.INTERVIEWER, content="About 100 million a day."))
        again = incremental_reads.messages(uow, sid, reads)
        full = uow.messages.in_session(sid)
    assert first == ["Hi", "Hello", "Numbers?"]
    assert [m.content for m in again] == ["as this tab read it", "Hello", "Numbers?", "About 100 million a day."]
    assert [m.seq for m in again] == [m.seq for m in full]


def test_the_transcript_read_again_keeps_speaking_order_and_notices_removed_lines() -> None:
    uow, sid = setup()
    reads: dict[str, object] = {}
    with uow:
        assert [e.start for e in incremental_reads.transcript(uow, sid, reads)] == [1.0, 4.0]
        uow.transcripts.add(TranscriptEntry(sid, "interviewer", "in between", 2.0, 3.0, "mic"))
        assert [e.start for e in incremental_reads.transcript(uow, sid, reads)] == [1.0, 2.0, 4.0]
        uow.transcripts.remove_source(sid, "mic")  # the accurate pass replaces the live lines
        uow.transcripts.add(TranscriptEntry(sid, "candidate", "accurate", 1.0, 5.0, "accurate"))
        uow.transcripts.add(TranscriptEntry(sid, "candidate", "accurate too", 6.0, 7.0, "accurate"))
        again = incremental_reads.transcript(uow, sid, reads)
    assert [e.text for e in again] == ["accurate", "accurate too"]


def test_without_a_place_to_keep_reads_everything_is_read() -> None:
    uow, sid = setup()
    with uow:
        assert incremental_reads.messages(uow, sid, None) == uow.messages.in_session(sid)
        assert incremental_reads.transcript(uow, sid, None) == uow.transcripts.in_session(sid)
