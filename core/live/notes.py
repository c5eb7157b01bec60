"""Live notes: typed during the session, saved on every pause in typing, stamped with the session
time at which typing began and linked to the transcript line being spoken then.

The note being typed is a draft row (one per author and session), so a reload, a closed tab or a
restart loses nothing; Enter turns it into a note. Shorthand in the text sets its metadata without
reaching for the mouse: "#pain", "#outcome", "#functional", "!4" (importance).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from core import audit
from core.content.templates import InterviewTemplate
from core.errors import InvalidInput, NotFound
from core.live.goal_coverage import note_text
from core.models import LiveNote, TranscriptEntry
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

MAX_NOTE_CHARS = 4000
_HASHTAG = re.compile(r"(?<!\S)#([a-z][a-z0-9_]*)\b", re.IGNORECASE)
_IMPORTANCE = re.compile(r"(?<!\S)!([0-9])\b")


@dataclass(frozen=True)
class Shorthand:
    text: str
    tag: str | None = None
    jtbd_type: str | None = None
    importance: int | None = None


def parse_shorthand(text: str, template: InterviewTemplate) -> Shorthand:
    """Take "#tag", "#type" and "!n" out of the text when the template knows them; leave other words alone."""
    schema = template.notes
    if schema is None:
        return Shorthand(text.strip())
    tags = {c.key: c.key for c in schema.tags} | {c.label.lower(): c.key for c in schema.tags}
    types = {c.key: c.key for c in schema.jtbd_types} | {c.label.lower(): c.key for c in schema.jtbd_types}
    named: dict[str, str] = {}  # "tag" / "jtbd_type" → key: the first of each wins
    rated: dict[str, int] = {}  # "importance" → the first valid "!n"

    def take(match: re.Match[str]) -> str:
        word = match.group(1).lower()
        if word in tags and "tag" not in named:
            named["tag"] = tags[word]
            return ""
        if word in types and "jtbd_type" not in named:
            named["jtbd_type"] = types[word]
            return ""
        return match.group(0)

    def importance(match: re.Match[str]) -> str:
        value = int(match.group(1))
        if schema.importance.min <= value <= schema.importance.max and "importance" not in rated:
            rated["importance"] = value
            return ""
        return match.group(0)

    cleaned = _IMPORTANCE.sub(importance, _HASHTAG.sub(take, text))
    return Shorthand(
        text=re.sub(r"\s{2,}", " ", cleaned).strip(),
        tag=named.get("tag"),
        jtbd_type=named.get("jtbd_type"),
        importance=rated.get("importance"),
    )


def transcript_at(entries: Sequence[TranscriptEntry], at_seconds: float) -> TranscriptEntry | None:
    """The line being spoken at that moment, else the last one begun before it (entries in start order)."""
    starts = [e.start for e in entries]
    index = bisect_right(starts, at_seconds) - 1
    return entries[index] if index >= 0 else None


def filter_notes(
    notes: Iterable[LiveNote], *, query: str = "", tags: Iterable[str] = (), jtbd_types: Iterable[str] = ()
) -> list[LiveNote]:
    """Notes matching every word of the query (text, quote and fields) and any of the chosen tags and types."""
    words = query.lower().split()
    wanted_tags, wanted_types = set(tags), set(jtbd_types)
    found = []
    for note in notes:
        haystack = " ".join([note_text(note), *note.fields.values()]).lower()
        if words and not all(w in haystack for w in words):
            continue
        if wanted_tags and note.tag not in wanted_tags:
            continue
        if wanted_types and note.jtbd_type not in wanted_types:
            continue
        found.append(note)
    return found


def check_metadata(
    template: InterviewTemplate,
    *,
    tag: str | None,
    jtbd_type: str | None,
    importance: int | None,
    fields: Mapping[str, str],
) -> dict[str, str]:
    """Refuse what the template does not know; returns the note fields without blanks."""
    schema = template.notes
    if schema is None:
        if tag or jtbd_type or importance is not None or any(v.strip() for v in fields.values()):
            raise InvalidInput(f"{template.title} takes plain notes without tags or fields.")
        return {}
    if tag is not None and tag not in [c.key for c in schema.tags]:
        raise InvalidInput(f"Unknown tag {tag!r}; the tags are {', '.join(c.label for c in schema.tags)}.")
    if jtbd_type is not None and jtbd_type not in [c.key for c in schema.jtbd_types]:
        known = ", ".join(c.label for c in schema.jtbd_types) or "none for this interview"
        raise InvalidInput(f"Unknown job type {jtbd_type!r}; the types are {known}.")
    if importance is not None and not schema.importance.min <= importance <= schema.importance.max:
        raise InvalidInput(f"Importance runs from {schema.importance.min} to {schema.importance.max}.")
    note_fields = {f.key: f for f in schema.fields if f.scope == "note"}
    cleaned = {}
    for key, value in fields.items():
        if key not in note_fields:
            raise InvalidInput(f"Notes have no field {key!r}; their fields are {', '.join(note_fields) or 'none'}.")
        value = value.strip()
        field = note_fields[key]
        if value and field.kind == "choice" and value not in field.options:
            raise InvalidInput(f"{field.label} must be one of {', '.join(field.options)}.")
        if value:
            cleaned[key] = value
    return cleaned


def save_draft(ws: Workspace, session_id: str, *, text: str, actor: Actor) -> LiveNote | None:
    """Save what is being typed. The first save stamps the moment; clearing the box drops the draft."""
    text = text[:MAX_NOTE_CHARS]
    author = actor.name
    with ws.uow_factory() as uow:
        _may_edit(uow, ws, actor, session_id)
        draft = uow.notes.draft_for(session_id, author)
        if not text.strip():
            if draft is not None and draft.id is not None:
                uow.notes.delete(draft.id)
                uow.commit()
            return None
        if draft is None:
            draft = uow.notes.add(_stamped(uow, ws, session_id, text=text, author=author, draft=True))
        elif draft.text != text:
            draft.text = text
            draft = uow.notes.update(draft)
        uow.commit()
        return draft


def commit_note(
    ws: Workspace,
    session_id: str,
    template: InterviewTemplate,
    *,
    text: str | None = None,
    tag: str | None = None,
    jtbd_type: str | None = None,
    importance: int | None = None,
    fields: Mapping[str, str] | None = None,
    actor: Actor,
) -> LiveNote:
    """Turn the draft into a note, or add `text` as a new note (leaving the draft alone).

    Shorthand in the text wins over the arguments.
    """
    author = actor.name
    with ws.uow_factory() as uow:
        _may_edit(uow, ws, actor, session_id)
        draft = uow.notes.draft_for(session_id, author) if text is None else None
        raw = text if text is not None else (draft.text if draft else "")
        short = parse_shorthand(raw[:MAX_NOTE_CHARS], template)
        if not short.text:
            raise InvalidInput("Type the note first; an empty note is not saved.")
        clean_fields = check_metadata(
            template,
            tag=short.tag or tag,
            jtbd_type=short.jtbd_type or jtbd_type,
            importance=short.importance or importance,
            fields=fields or {},
        )
        note = draft or _stamped(uow, ws, session_id, text=short.text, author=author, draft=False)
        note.text, note.draft, note.fields = short.text, False, clean_fields
        note.tag, note.jtbd_type = short.tag or tag, short.jtbd_type or jtbd_type
        note.importance = short.importance or importance
        note = uow.notes.update(note) if note.id is not None else uow.notes.add(note)
        uow.commit()
        return note


def update_note(
    ws: Workspace,
    note_id: int,
    template: InterviewTemplate,
    *,
    text: str,
    tag: str | None,
    jtbd_type: str | None,
    importance: int | None,
    fields: Mapping[str, str],
    actor: Actor,
) -> LiveNote:
    """Quick edit: the stamp and the transcript link stay; the change is audited."""
    if not text.strip():
        raise InvalidInput("A note cannot be empty; delete it instead.")
    clean_fields = check_metadata(template, tag=tag, jtbd_type=jtbd_type, importance=importance, fields=fields)
    with ws.uow_factory() as uow:
        note = uow.notes.get(note_id)
        _may_edit(uow, ws, actor, note.session_id)
        before = {"text": note.text, "tag": note.tag, "jtbd_type": note.jtbd_type, "importance": note.importance}
        note.text, note.tag, note.jtbd_type = text.strip()[:MAX_NOTE_CHARS], tag, jtbd_type
        note.importance, note.fields = importance, clean_fields
        note = uow.notes.update(note)
        audit.record(
            uow, "note_edited", actor=actor.name, session_id=note.session_id, detail={"note": note_id, **before}
        )
        uow.commit()
        return note


def delete_note(ws: Workspace, note_id: int, *, actor: Actor) -> None:
    with ws.uow_factory() as uow:
        try:
            note = uow.notes.get(note_id)
        except NotFound:
            return  # already gone (a second tab deleted it)
        _may_edit(uow, ws, actor, note.session_id)
        uow.notes.delete(note_id)
        audit.record(
            uow,
            "note_deleted",
            actor=actor.name,
            session_id=note.session_id,
            detail={"note": note_id, "text": note.text},
        )
        uow.commit()


def notes_for(ws: Workspace, session_id: str, *, actor: Actor) -> list[LiveNote]:
    """The session's notes (drafts left out), for someone who may see the session."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return uow.notes.in_session(session_id)


def _may_edit(uow: UnitOfWork, ws: Workspace, actor: Actor, session_id: str) -> None:
    authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))


def _stamped(uow: UnitOfWork, ws: Workspace, session_id: str, *, text: str, author: str, draft: bool) -> LiveNote:
    session = uow.sessions.get(session_id)
    live = uow.live_sessions.for_session(session_id)
    at = session.elapsed_seconds(ws.clock())
    spoken = transcript_at(uow.transcripts.in_session(session_id), at)
    return LiveNote(
        session_id=session_id,
        text=text,
        at_seconds=round(at, 2),
        stage=live.stage if live else "",
        transcript_entry_id=spoken.id if spoken else None,
        author=author,
        draft=draft,
    )
