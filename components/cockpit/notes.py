"""Live notes in the cockpit: the quick note box with its sticky tag / job type / importance and extra
fields, the form for a longer note, and the list of notes with search, filters and edit-in-place.

The quick box saves a draft as the interviewer types (a closed tab loses nothing) and adds the note on
Enter; the sticky choices apply to every note until changed, so tagging costs no clicks per note.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from components.cockpit.notice import post_notice
from components.note_capture import render_note_box
from components.plain_text import plain
from core.content.templates import InterviewTemplate
from core.errors import WorkspaceError
from core.live.notes import commit_note, delete_note, filter_notes, save_draft, update_note
from core.live.sessions import Cockpit
from core.live.stage_clock import format_duration
from core.models import LiveNote
from core.permissions.actor import Actor
from core.workspace import Workspace


def _tag_labels(template: InterviewTemplate) -> dict[str, str]:
    return {c.key: c.label for c in template.notes.tags} if template.notes else {}


def _type_labels(template: InterviewTemplate) -> dict[str, str]:
    return {c.key: c.label for c in template.notes.jtbd_types} if template.notes else {}


def _sticky_key(session_id: str, name: str) -> str | None:
    """The sticky tag or job type: the key picked in its pills (options are the template's keys), or None."""
    return st.session_state.get(f"live_sticky_{name}_{session_id}")


def _sticky_importance(session_id: str) -> int | None:
    """The sticky importance: the number picked in its pills (options are the scale's ints), or None."""
    return st.session_state.get(f"live_sticky_importance_{session_id}")


def _note_fields(template: InterviewTemplate, session_id: str) -> dict[str, str]:
    fields = {}
    for field in template.notes.fields if template.notes else []:
        if field.scope == "note":
            value = st.session_state.get(f"live_field_{field.key}_{session_id}")
            fields[field.key] = "" if value is None else str(value)
    return fields


def _clear_note_fields(template: InterviewTemplate, session_id: str) -> None:
    for field in template.notes.fields if template.notes else []:
        st.session_state.pop(f"live_field_{field.key}_{session_id}", None)


def _draft_typed(ws: Workspace, session_id: str, actor: Actor) -> None:
    state = st.session_state.get(f"live_note_box_{session_id}")
    text = getattr(state, "draft", None) if state is not None else None
    if text is not None:
        save_draft(ws, session_id, text=str(text), actor=actor)


def _note_submitted(ws: Workspace, session_id: str, template: InterviewTemplate, actor: Actor) -> None:
    state = st.session_state.get(f"live_note_box_{session_id}")
    text = getattr(state, "submit", None) if state is not None else None
    if not text:
        return
    try:
        save_draft(ws, session_id, text=str(text), actor=actor)
        commit_note(
            ws,
            session_id,
            template,
            tag=_sticky_key(session_id, "tag"),
            jtbd_type=_sticky_key(session_id, "type"),
            importance=_sticky_importance(session_id),
            fields=_note_fields(template, session_id),
            actor=actor,
        )
        _clear_note_fields(template, session_id)
    except WorkspaceError as exc:
        post_notice(str(exc))


def render_capture(ws: Workspace, view: Cockpit, *, actor: Actor) -> None:
    """The quick note box, the sticky choices for the next note, its extra fields and the note form."""
    session, template = view.session, view.template
    schema = template.notes
    tags, types = _tag_labels(template), _type_labels(template)
    shorthand = []
    if tags:
        shorthand.append(" ".join(f"#{k}" for k in tags))
    if types:
        shorthand.append(" ".join(f"#{k}" for k in types))
    if schema is not None:
        shorthand.append(f"!{schema.importance.min}–!{schema.importance.max}")
    draft = view.draft
    stamp = f"Draft saved, stamped {format_duration(draft.at_seconds)}." if draft else ""
    render_note_box(
        key=f"live_note_box_{session.id}",
        text=draft.text if draft else "",
        placeholder="Type a note and press Enter (Shift+Enter: new line; press n anywhere to come here)",
        hint="Shorthand: " + " · ".join(shorthand) if shorthand else "",
        on_draft=partial(_draft_typed, ws, session.id, actor),
        on_submit=partial(_note_submitted, ws, session.id, template, actor),
    )
    if stamp:
        st.caption(stamp)
    if schema is None:
        return
    with st.container(horizontal=True, gap="medium"):
        st.pills("Tag", list(tags), format_func=tags.__getitem__, key=f"live_sticky_tag_{session.id}")
        if types:
            st.pills("Job type", list(types), format_func=types.__getitem__, key=f"live_sticky_type_{session.id}")
        scale = schema.importance
        st.pills(
            "Importance",
            list(range(scale.min, scale.max + 1)),
            key=f"live_sticky_importance_{session.id}",
            help=" · ".join(f"{k}: {v}" for k, v in sorted(scale.labels.items())) or None,
        )
    note_fields = [f for f in schema.fields if f.scope == "note"]
    if note_fields:
        with st.expander("More fields for the next note"):
            for field in note_fields:
                key = f"live_field_{field.key}_{session.id}"
                if field.kind == "choice":
                    st.selectbox(field.label, field.options, index=None, key=key, help=field.help or None)
                else:
                    st.text_input(field.label, key=key, help=field.help or None)
    with (
        st.expander("Write a note with the form"),
        st.form(f"live_note_form_{session.id}", clear_on_submit=True, border=False),
    ):
        text = st.text_area("Note", key=f"live_form_text_{session.id}", height=80)
        if st.form_submit_button("Add note", icon=":material/note_add:"):
            try:
                commit_note(
                    ws,
                    session.id,
                    template,
                    text=text,
                    tag=_sticky_key(session.id, "tag"),
                    jtbd_type=_sticky_key(session.id, "type"),
                    importance=_sticky_importance(session.id),
                    fields=_note_fields(template, session.id),
                    actor=actor,
                )
                _clear_note_fields(template, session.id)
                st.rerun()
            except WorkspaceError as exc:
                st.error(str(exc))


def _note_line(note: LiveNote, template: InterviewTemplate, transcript_by_id: dict[int, str]) -> str:
    tags, types = _tag_labels(template), _type_labels(template)
    parts = [f":gray[{format_duration(note.at_seconds)}]"]
    if note.tag:
        parts.append(f":blue-badge[{plain(tags.get(note.tag, note.tag))}]")
    if note.jtbd_type:
        parts.append(f":violet-badge[{plain(types.get(note.jtbd_type, note.jtbd_type))}]")
    if note.importance:
        parts.append(f":orange-badge[{'●' * note.importance}]")
    line = " ".join(parts) + f"  \n{plain(note.text)}"  # what the interviewer typed, shown as typed
    if quote := note.fields.get("quote"):
        line += f"  \n> “{plain(str(quote))}”"
    extra = [f"{plain(k.replace('_', ' '))}: {plain(str(v))}" for k, v in note.fields.items() if k != "quote"]
    if extra:
        line += "  \n:gray[" + " · ".join(extra) + "]"
    if note.transcript_entry_id in transcript_by_id:
        line += f"  \n:gray[While: “{plain(transcript_by_id[note.transcript_entry_id][:80])}”]"
    return line


def _edit_note(ws: Workspace, note: LiveNote, template: InterviewTemplate, actor: Actor) -> None:
    schema = template.notes
    tags, types = _tag_labels(template), _type_labels(template)
    note_id = note.id
    assert note_id is not None  # listed notes are read back from the database, so they have an id
    with st.form(f"live_edit_{note.id}", border=False):
        text = st.text_area("Note", value=note.text, key=f"live_edit_text_{note.id}")
        tag = note.tag
        jtbd = note.jtbd_type
        importance = note.importance
        fields = dict(note.fields)
        if schema is not None:
            tag = st.selectbox(
                "Tag", [None, *tags], index=[None, *tags].index(note.tag) if note.tag in tags else 0,
                format_func=lambda k: "—" if k is None else tags[k], key=f"live_edit_tag_{note.id}",
            )  # fmt: skip
            if types:
                jtbd = st.selectbox(
                    "Job type", [None, *types],
                    index=[None, *types].index(note.jtbd_type) if note.jtbd_type in types else 0,
                    format_func=lambda k: "—" if k is None else types[k], key=f"live_edit_type_{note.id}",
                )  # fmt: skip
            levels = [None, *range(schema.importance.min, schema.importance.max + 1)]
            importance = st.selectbox(
                "Importance", levels, index=levels.index(note.importance) if note.importance in levels else 0,
                format_func=lambda k: "—" if k is None else str(k), key=f"live_edit_importance_{note.id}",
            )  # fmt: skip
            for field in schema.fields:
                if field.scope != "note":
                    continue
                current = note.fields.get(field.key, "")
                if field.kind == "choice":
                    options = ["", *field.options]
                    fields[field.key] = st.selectbox(
                        field.label, options, index=options.index(current) if current in options else 0,
                        key=f"live_edit_{field.key}_{note.id}",
                    )  # fmt: skip
                else:
                    fields[field.key] = st.text_input(
                        field.label, value=current, key=f"live_edit_{field.key}_{note.id}"
                    )
        save, remove = st.columns(2)
        if save.form_submit_button("Save", type="primary"):
            try:
                update_note(
                    ws, note_id, template, text=text, tag=tag, jtbd_type=jtbd, importance=importance,
                    fields=fields, actor=actor,
                )  # fmt: skip
                st.rerun()
            except WorkspaceError as exc:
                st.error(str(exc))
        if remove.form_submit_button("Delete note"):
            delete_note(ws, note_id, actor=actor)
            st.rerun()


def render_notes(ws: Workspace, view: Cockpit, *, actor: Actor) -> None:
    """The session's notes, newest first, with search and tag / job-type filters; each can be edited."""
    session, template, notes = view.session, view.template, view.notes
    tags, types = _tag_labels(template), _type_labels(template)
    search_col, tag_col, type_col = st.columns([3, 2, 2])
    query = search_col.text_input(
        "Search notes", key=f"live_note_search_{session.id}", placeholder="Search notes", icon=":material/search:"
    )
    chosen_tags = tag_col.multiselect(
        "Tags", list(tags), format_func=tags.__getitem__, key=f"live_note_tags_{session.id}"
    )
    chosen_types = (
        type_col.multiselect(
            "Job types", list(types), format_func=types.__getitem__, key=f"live_note_types_{session.id}"
        )
        if types
        else []
    )
    shown = filter_notes(notes, query=query, tags=chosen_tags, jtbd_types=chosen_types)
    plural = "" if len(notes) == 1 else "s"
    st.caption(
        f"{len(shown)} of {len(notes)} note{plural}" if len(shown) != len(notes) else f"{len(notes)} note{plural}"
    )
    spoken = {e.id: e.text for e in view.transcript if e.id is not None}
    with st.container(height=420 if len(shown) > 4 else "content", border=True):
        if not notes:
            st.caption("No notes yet. Type in the box above and press Enter.")
        for note in reversed(shown):  # newest first: the one just taken is where the eye is
            text_col, edit_col = st.columns([12, 1], vertical_alignment="top")
            text_col.markdown(_note_line(note, template, spoken))
            with edit_col.popover("Edit", icon=":material/edit:", help="Edit or delete this note"):
                _edit_note(ws, note, template, actor)
