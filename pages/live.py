"""Live session: the interviewer's cockpit for an interview led by a person.

Stages with a timer and open goals on the left; the guide, the copilot and live notes in the middle;
the transcript, the whiteboard and the session's facts on the right. Everything typed is saved as it
is typed, so a reload, a second tab or a server restart picks up where the interviewer was.
"""

from __future__ import annotations

from collections.abc import Sequence

import av
import streamlit as st

from components.current_session import current_session_id, set_current_session
from components.llm_choice import choice_for, key_source
from components.mic import render_mic
from components.note_capture import render_note_box
from components.resources import get_workspace
from components.transcript_panel import render_transcript_panel
from components.whiteboard import render_whiteboard
from core import live_transcription
from core.copilot import Suggestion, suggest
from core.errors import WorkspaceError
from core.interviews import open_sessions
from core.live_notes import commit_note, delete_note, filter_notes, save_draft, update_note
from core.live_sessions import (
    HUMAN,
    Cockpit,
    change_stage,
    cockpit,
    create_live_session,
    end_live,
    is_live,
    log_speech,
    mark_goal,
    pause_live,
    resume_live,
    set_fact,
    set_meeting_url,
    start_live,
)
from core.llm_copilot import llm_suggest
from core.models import LiveNote, SessionStatus
from core.providers import PROVIDERS, models_for
from core.stage_clock import format_duration, stage_plan
from core.templates import InterviewTemplate

ACTOR = "interviewer"  # accounts arrive later; services already take the acting person
NOTICE = "live_notice"
LLM_IDEAS = "live_llm_ideas"  # (session id, stage, suggestions, note) from the last "Ask" click
END_DIALOG = "live_end_dialog"

ws = get_workspace()


def _notice(message: str) -> None:
    st.session_state[NOTICE] = message


# --- no session open: pick one or start one ------------------------------------------------------


def _start_form() -> None:
    templates = ws.templates.all()
    if not templates:
        st.warning("No interview templates are installed (data/templates).")
        return
    template = st.selectbox(
        "Interview kind",
        templates,
        format_func=lambda t: f"{t.title} · {t.total_minutes} min",
        key="live_new_template",
    )
    st.caption(template.description)
    with st.form("live_new", border=False):
        name_col, email_col = st.columns(2)
        name = name_col.text_input("Name of the person you are interviewing", key="live_new_name")
        email = email_col.text_input("Their email (optional)", key="live_new_email")
        problem_id = None
        if template.uses_problem_bank:
            problems = ws.problems.all()
            problem = st.selectbox("Problem", problems, format_func=lambda p: p.title, key="live_new_problem")
            problem_id = problem.id if problem else None
        url = st.text_input(
            "Meeting link (optional)", key="live_new_url", placeholder="https://meet.google.com/… or a Zoom/Teams link"
        )
        if st.form_submit_button("Open the session", type="primary", icon=":material/play_circle:"):
            try:
                session = create_live_session(
                    ws,
                    template_id=template.id,
                    candidate_name=name,
                    candidate_email=email,
                    problem_id=problem_id,
                    meeting_url=url,
                    actor=ACTOR,
                )
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                set_current_session(session.id)
                st.rerun()


def _no_session() -> None:
    st.title("Live session")
    st.caption("Run an interview with a person: timed stages, open goals, a copilot and live notes.")
    resumable = [s for s in open_sessions(ws) if s.interviewer_provider == HUMAN]
    if resumable:
        st.subheader("Pick up a session")
        for summary in resumable[:8]:
            label = f"{summary.problem_title} · {summary.candidate_name or 'Unnamed'} · {summary.status.value}"
            if st.button(label, key=f"live_resume_{summary.id}", icon=":material/resume:"):
                set_current_session(summary.id)
                st.rerun()
    st.subheader("Start a session")
    _start_form()
    st.caption("Booked interviews open from the Schedule page.")
    st.stop()


session_id = current_session_id()
if session_id is None:
    _no_session()
try:
    view: Cockpit = cockpit(ws, session_id)
except WorkspaceError:
    try:
        led_by_ai = not is_live(ws, session_id)
    except WorkspaceError:  # no such session (any more)
        led_by_ai = False
    if led_by_ai:  # an AI-led interview: the Interview page runs those
        st.switch_page("pages/interview.py", query_params={"session": session_id})
    set_current_session(None)
    _no_session()

session, template, live = view.session, view.template, view.live
is_open = session.is_open
active = session.status is SessionStatus.ACTIVE
who = view.candidate.name if view.candidate else "Unnamed"


# --- header: who, the meeting link, the candidate view, the clocks -------------------------------


@st.fragment(run_every="1s")
def clocks(session_id: str) -> None:
    now = cockpit(ws, session_id)
    timer = now.timer
    session_col, stage_col = st.columns(2)
    planned = now.template.total_minutes * 60
    session_col.metric(
        "Session",
        format_duration(now.elapsed),
        delta=f"{format_duration(planned - now.elapsed)} {'left' if now.elapsed <= planned else 'over'}",
        delta_color="normal" if now.elapsed <= planned else "inverse",
        help=f"Planned: {now.template.total_minutes} min. Pauses do not count.",
    )
    stage_col.metric(
        timer.title,
        format_duration(timer.spent_seconds),
        delta=f"{format_duration(timer.remaining_seconds)} {'left' if timer.remaining_seconds >= 0 else 'over'}",
        delta_color="normal" if timer.state == "on_track" else ("off" if timer.state == "ending" else "inverse"),
    )
    if now.session.status is SessionStatus.ACTIVE and timer.state != "on_track":
        st.caption((":orange[" if timer.state == "over" else ":blue[") + timer.message + "]")
    elif now.session.status is SessionStatus.PAUSED:
        st.caption(":gray[Paused: the clocks stand still.]")


head, side = st.columns([3, 2], vertical_alignment="top")
with head:
    st.title(f"{template.title}")
    details = [f"**{who}**", f"status: **{session.status.value}**"]
    if view.problem is not None:
        details.append(view.problem.title)
    st.markdown(" · ".join(details))
    actions = st.container(horizontal=True)
    if view.meeting is not None:
        actions.link_button(
            f"Join on {view.meeting.provider_label}" if view.meeting.is_known else "Join the meeting",
            view.meeting.url,
            icon=":material/video_call:",
            type="primary",
        )
    actions.link_button(
        "Candidate view",
        f"share?session={session.id}",
        icon=":material/present_to_all:",
        help="Opens what the candidate may see (problem and whiteboard) in a new tab, for screen sharing.",
    )
    if view.meeting is None and is_open:
        with actions.popover("Add meeting link", icon=":material/link:"):
            url = st.text_input("Meeting link", key=f"live_url_{session.id}", placeholder="https://…")
            if st.button("Save link", key=f"live_url_save_{session.id}"):
                try:
                    set_meeting_url(ws, session.id, url, actor=ACTOR)
                    st.rerun()
                except WorkspaceError as exc:
                    st.error(str(exc))
with side:
    # Nothing else goes in this column: a fragment rerunning every second can clear its neighbours.
    clocks(session.id)

if notice := st.session_state.pop(NOTICE, None):
    st.warning(notice)


# --- controls ------------------------------------------------------------------------------------


def _close_end_dialog() -> None:
    st.session_state.pop(END_DIALOG, None)


@st.dialog("End the session?", on_dismiss=_close_end_dialog)
def confirm_end(session_id: str) -> None:
    st.write("The clocks stop and the debrief opens: scorecard, synthesis and recommendation. Notes stay editable.")
    yes, no = st.columns(2)
    if yes.button("Yes, end it", type="primary", key="live_end_yes"):
        _close_end_dialog()
        live_transcription.stop(session_id)
        end_live(ws, session_id, actor=ACTOR)
        st.switch_page("pages/debrief.py", query_params={"session": session_id})
    if no.button("Keep going", key="live_end_no"):
        _close_end_dialog()
        st.rerun()


controls = st.container(horizontal=True)
if session.status is SessionStatus.READY:
    if controls.button("Start the session", type="primary", icon=":material/play_arrow:", key="live_start"):
        start_live(ws, session.id, actor=ACTOR)
        st.rerun()
    controls.caption("The clocks start when you start the session; you can take notes before.")
elif active:
    if controls.button("Pause", icon=":material/pause:", key="live_pause"):
        live_transcription.stop(session.id)
        pause_live(ws, session.id, actor=ACTOR)
        st.rerun()
elif session.status is SessionStatus.PAUSED and controls.button(
    "Resume", type="primary", icon=":material/play_arrow:", key="live_resume"
):
    resume_live(ws, session.id, actor=ACTOR)
    st.rerun()
if is_open and session.status is not SessionStatus.READY:
    if controls.button("End session", icon=":material/stop:", key="live_end"):
        st.session_state[END_DIALOG] = session.id
    if st.session_state.get(END_DIALOG) == session.id:
        confirm_end(session.id)
if not is_open:
    st.success("This session has ended.")
    if controls.button("Open the debrief", type="primary", icon=":material/fact_check:", key="live_debrief"):
        st.switch_page("pages/debrief.py", query_params={"session": session.id})


# --- left: stages, timer, goals ----------------------------------------------------------------


def _go_to(stage: str) -> None:
    try:
        change_stage(ws, session.id, stage, actor=ACTOR)
    except WorkspaceError as exc:
        _notice(str(exc))


def _goal_changed(goal: str, key: str) -> None:
    mark_goal(ws, session.id, goal, bool(st.session_state[key]), actor=ACTOR)


def render_stages(view: Cockpit) -> None:
    plan = stage_plan(template, live, view.elapsed)
    current_index = template.stage_keys().index(live.stage)
    st.progress((current_index + 1) / len(plan), text=f"Stage {current_index + 1} of {len(plan)}")
    for slot in plan:
        covered = sum(1 for g in view.coverage.values() if g.stage == slot.key and g.covered)
        total = sum(1 for g in view.coverage.values() if g.stage == slot.key)
        icon = {"done": ":material/check_circle:", "current": ":material/radio_button_checked:"}.get(
            slot.status, ":material/radio_button_unchecked:"
        )
        spent = f" · {format_duration(slot.spent_seconds)}" if slot.spent_seconds >= 1 else ""
        label = f"{slot.title} · {slot.planned_minutes} min{spent} · {covered}/{total}"
        st.button(
            label,
            key=f"live_stage_{slot.key}",
            icon=icon,
            type="primary" if slot.status == "current" else "tertiary",
            disabled=not is_open,
            on_click=_go_to,
            args=(slot.key,),
            width="stretch",
        )
    following = template.next_stage(live.stage)
    if following is not None and is_open:
        st.button(
            f"Next: {following.title}",
            icon=":material/arrow_forward:",
            key="live_next_stage",
            on_click=_go_to,
            args=(following.key,),
        )


def render_goals(view: Cockpit) -> None:
    stage = view.stage
    st.markdown(f"**Goals of {stage.title}**")
    for goal in stage.goals:
        status = view.coverage[goal.key]
        key = f"live_goal_{session.id}_{goal.key}_{status.covered}_{status.how}"
        tick, text = st.columns([1, 9], gap="small")
        tick.checkbox(
            goal.text,
            value=status.covered,
            key=key,
            on_change=_goal_changed,
            args=(goal.key, key),
            disabled=not is_open,
            label_visibility="collapsed",
        )
        text.markdown(f"~~{goal.text}~~" if status.covered else goal.text)
        if status.how in ("said", "noted"):
            text.caption(f":green[{'Heard' if status.how == 'said' else 'Noted'}:] “{status.evidence[:90]}”")
        elif status.how == "ticked":
            text.caption(":green[Ticked by you.]")
    earlier = [
        g
        for g in view.coverage.values()
        if not g.covered and g.stage in template.stage_keys()[: template.stage_keys().index(live.stage)]
    ]
    if earlier:
        with st.expander(f"{len(earlier)} goal(s) still open in earlier stages"):
            for goal in earlier:
                st.markdown(f"- {template.stage(goal.stage).title}: {goal.text}")


# --- middle: guide, copilot, notes -----------------------------------------------------------------


def _llm_providers() -> list[str]:
    """LLM providers this tab has a key for (entered on Setup, in secrets or in the environment)."""
    found = []
    for key, info in PROVIDERS.items():
        if info.is_llm and key_source(key) is not None and models_for(ws.settings, key):
            found.append(key)
    return found


def _ask_llm(provider: str, model: str) -> None:
    choice = choice_for(provider, model)
    if choice is None:
        return
    now = cockpit(ws, session.id)
    with st.spinner(f"Asking {PROVIDERS[provider].label}…"):
        answer = llm_suggest(
            ws, session.id, template=now.template, stage=now.live.stage, transcript=now.transcript,
            notes=now.notes, coverage=now.coverage, choice=choice,
        )  # fmt: skip
    st.session_state[LLM_IDEAS] = (session.id, now.live.stage, answer.suggestions, answer.note)


def _ideas_markdown(ideas: Sequence[Suggestion]) -> str:
    return "\n".join(f"- {idea.text}  \n  :gray[{idea.why}]" for idea in ideas)


@st.fragment(run_every="4s")
def copilot_panel(session_id: str) -> None:
    now = cockpit(ws, session_id)
    ideas = suggest(
        now.template, stage=now.live.stage, transcript=now.transcript, notes=now.notes, coverage=now.coverage
    )
    with st.container(border=True):
        st.markdown(":material/lightbulb: **Copilot** — for you, not to be read out")
        if not ideas:
            st.caption("Every goal of this stage looks covered. Move on when you are ready.")
        st.markdown(_ideas_markdown(ideas))
        asked = st.session_state.get(LLM_IDEAS)
        if asked and asked[0] == session_id and asked[1] == now.live.stage:
            _sid, _stage, llm_ideas, note = asked
            if note:
                st.caption(f":orange[{note}]")
            st.markdown(_ideas_markdown(llm_ideas))


def _tag_labels(template: InterviewTemplate) -> dict[str, str]:
    return {c.key: c.label for c in template.notes.tags} if template.notes else {}


def _type_labels(template: InterviewTemplate) -> dict[str, str]:
    return {c.key: c.label for c in template.notes.jtbd_types} if template.notes else {}


def _sticky(name: str) -> object:
    return st.session_state.get(f"live_sticky_{name}_{session.id}")


def _note_fields() -> dict[str, str]:
    fields = {}
    for field in template.notes.fields if template.notes else []:
        if field.scope == "note":
            value = st.session_state.get(f"live_field_{field.key}_{session.id}")
            fields[field.key] = "" if value is None else str(value)
    return fields


def _clear_note_fields() -> None:
    for field in template.notes.fields if template.notes else []:
        st.session_state.pop(f"live_field_{field.key}_{session.id}", None)


def _draft_typed() -> None:
    state = st.session_state.get(f"live_note_box_{session.id}")
    text = getattr(state, "draft", None) if state is not None else None
    if text is not None:
        save_draft(ws, session.id, text=str(text), author=ACTOR)


def _note_submitted() -> None:
    state = st.session_state.get(f"live_note_box_{session.id}")
    text = getattr(state, "submit", None) if state is not None else None
    if not text:
        return
    try:
        save_draft(ws, session.id, text=str(text), author=ACTOR)
        commit_note(
            ws,
            session.id,
            template,
            tag=_sticky("tag"),  # type: ignore[arg-type]
            jtbd_type=_sticky("type"),  # type: ignore[arg-type]
            importance=_sticky("importance"),  # type: ignore[arg-type]
            fields=_note_fields(),
            author=ACTOR,
        )
        _clear_note_fields()
    except WorkspaceError as exc:
        _notice(str(exc))


def render_capture(view: Cockpit) -> None:
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
        on_draft=_draft_typed,
        on_submit=_note_submitted,
    )
    if stamp:
        st.caption(stamp)
    if schema is None:
        return
    with st.container(horizontal=True, gap="medium"):
        st.pills("Tag", list(tags), format_func=tags.get, key=f"live_sticky_tag_{session.id}")
        if types:
            st.pills("Job type", list(types), format_func=types.get, key=f"live_sticky_type_{session.id}")
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
                    tag=_sticky("tag"),  # type: ignore[arg-type]
                    jtbd_type=_sticky("type"),  # type: ignore[arg-type]
                    importance=_sticky("importance"),  # type: ignore[arg-type]
                    fields=_note_fields(),
                    author=ACTOR,
                )
                _clear_note_fields()
                st.rerun()
            except WorkspaceError as exc:
                st.error(str(exc))


def _note_line(note: LiveNote, transcript_by_id: dict[int, str]) -> str:
    tags, types = _tag_labels(template), _type_labels(template)
    parts = [f":gray[{format_duration(note.at_seconds)}]"]
    if note.tag:
        parts.append(f":blue-badge[{tags.get(note.tag, note.tag)}]")
    if note.jtbd_type:
        parts.append(f":violet-badge[{types.get(note.jtbd_type, note.jtbd_type)}]")
    if note.importance:
        parts.append(f":orange-badge[{'●' * note.importance}]")
    line = " ".join(parts) + f"  \n{note.text}"
    if quote := note.fields.get("quote"):
        line += f"  \n> “{quote}”"
    extra = [f"{k.replace('_', ' ')}: {v}" for k, v in note.fields.items() if k != "quote"]
    if extra:
        line += "  \n:gray[" + " · ".join(extra) + "]"
    if note.transcript_entry_id in transcript_by_id:
        line += f"  \n:gray[While: “{transcript_by_id[note.transcript_entry_id][:80]}”]"  # type: ignore[index]
    return line


def _edit_note(note: LiveNote) -> None:
    schema = template.notes
    tags, types = _tag_labels(template), _type_labels(template)
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
                    ws, note.id, template, text=text, tag=tag, jtbd_type=jtbd, importance=importance,  # type: ignore[arg-type]
                    fields=fields, actor=ACTOR,
                )  # fmt: skip
                st.rerun()
            except WorkspaceError as exc:
                st.error(str(exc))
        if remove.form_submit_button("Delete note"):
            delete_note(ws, note.id, actor=ACTOR)  # type: ignore[arg-type]
            st.rerun()


def render_notes(notes: Sequence[LiveNote], view: Cockpit) -> None:
    tags, types = _tag_labels(template), _type_labels(template)
    search_col, tag_col, type_col = st.columns([3, 2, 2])
    query = search_col.text_input(
        "Search notes", key=f"live_note_search_{session.id}", placeholder="Search notes", icon=":material/search:"
    )
    chosen_tags = tag_col.multiselect("Tags", list(tags), format_func=tags.get, key=f"live_note_tags_{session.id}")
    chosen_types = (
        type_col.multiselect("Job types", list(types), format_func=types.get, key=f"live_note_types_{session.id}")
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
            text_col.markdown(_note_line(note, spoken))
            with edit_col.popover("Edit", icon=":material/edit:", help="Edit or delete this note"):
                _edit_note(note)


# --- right: transcript, whiteboard, facts ----------------------------------------------------------


@st.fragment(run_every="2s")
def live_transcript(session_id: str, problem_id: str) -> None:
    render_transcript_panel(
        cockpit(ws, session_id).transcript,
        problem_id=problem_id or "interview",
        session_id=session_id,
        height=360,
        empty="Nothing transcribed yet. Add what was just said above, or transcribe the microphone.",
    )


def _hear(session_id: str, frame: av.AudioFrame) -> None:
    transcriber = live_transcription.get_or_create(ws, session_id, submit_answers=False)
    if transcriber is not None:
        transcriber.feed(frame)


def _fact_changed(key: str, state_key: str) -> None:
    try:
        set_fact(ws, session.id, key, str(st.session_state.get(state_key) or ""), actor=ACTOR)
    except WorkspaceError as exc:
        _notice(str(exc))


def render_facts() -> None:
    fields = [f for f in (template.notes.fields if template.notes else []) if f.scope == "session"]
    if not fields:
        st.caption("This interview kind has no session fields.")
        return
    st.caption("Saved as you leave each field.")
    for field in fields:
        key = f"live_fact_{field.key}_{session.id}"
        if key not in st.session_state:
            st.session_state[key] = live.facts.get(field.key, "")
        st.text_area(
            field.label, key=key, help=field.help or None, height=68, on_change=_fact_changed, args=(field.key, key)
        )


# --- layout --------------------------------------------------------------------------------------

left, middle, right = st.columns([3, 5, 4], gap="medium")
with left:
    st.subheader("Stages")
    render_stages(view)
    st.divider()
    render_goals(view)

with middle:
    stage = view.stage
    st.subheader(stage.title)
    if stage.purpose:
        st.caption(stage.purpose)
    if view.problem is not None:
        with st.expander("The problem", icon=":material/description:"):
            st.markdown(view.problem.statement)
    guide_col, questions_col = st.columns(2)
    with guide_col.expander("Guidance", icon=":material/explore:", expanded=False):
        for prompt in stage.prompts:
            st.markdown(f"- {prompt}")
    with questions_col.expander("Suggested questions", icon=":material/help:", expanded=False):
        for question in stage.questions:
            st.markdown(f"- {question.text}")
    copilot_container = st.container()
    providers = _llm_providers()
    if providers and is_open:
        with st.popover("Ask an LLM for follow-ups", icon=":material/auto_awesome:"):
            provider = st.selectbox(
                "Provider", providers, format_func=lambda k: PROVIDERS[k].label, key=f"live_llm_provider_{session.id}"
            )
            model = st.selectbox("Model", models_for(ws.settings, provider), key=f"live_llm_model_{session.id}")
            st.caption("Sends the stage, its open goals, the last transcript lines and recent notes to the provider.")
            st.button("Ask", key=f"live_llm_ask_{session.id}", on_click=_ask_llm, args=(provider, model))
    st.markdown("**Notes**")
    render_capture(view)
    render_notes(view.notes, view)

with right:
    tabs = st.tabs(["Transcript", "Whiteboard", "Session facts"])
    with tabs[0]:
        if active:
            with st.form(f"live_said_{session.id}", clear_on_submit=True, border=False):
                said_col, who_col = st.columns([4, 2], vertical_alignment="bottom")
                said = said_col.text_input("What was just said", key=f"live_said_text_{session.id}")
                speaker = who_col.selectbox(
                    "Speaker",
                    ["candidate", "interviewer"],
                    format_func=str.capitalize,
                    key=f"live_said_who_{session.id}",
                )
                if st.form_submit_button("Add to transcript", icon=":material/add_comment:"):
                    try:
                        log_speech(ws, session.id, text=said, speaker=speaker)
                    except WorkspaceError as exc:
                        st.error(str(exc))
                    else:
                        st.rerun()  # the goals and the copilot above were drawn before this line existed
            if st.toggle(
                "Transcribe the microphone",
                key=f"live_mic_{session.id}",
                help="This computer's microphone is transcribed live and recorded with the session: "
                "for an interview in the room, or with the call's audio routed to it.",
            ):
                live_transcription.listen(session.id)
                render_mic(
                    session.id,
                    on_frame=lambda frame, sid=session.id: _hear(sid, frame),
                    on_stop=lambda sid=session.id: live_transcription.stop_in_background(sid),
                )
            elif live_transcription.is_listening(session.id):
                live_transcription.stop(session.id)
        transcript_box = st.container()
    with tabs[1]:
        reference = view.problem.reference_components if view.problem else ()
        render_whiteboard(ws, session.id, reference_components=reference, editable=is_open)
    with tabs[2]:
        render_facts()

# Timed fragments last, each alone in its container: a fragment rerunning can clear its neighbours.
with copilot_container:
    copilot_panel(session.id)
with transcript_box:
    live_transcript(session.id, session.problem_id)
