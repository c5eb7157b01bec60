"""After the recommendation: the session's follow-up tasks, the email draft and the person's pipeline status.

Everything is read and written through core services with the Workspace; widget keys start with the
session id, so two sessions open in one browser never share a checkbox or a draft. Problems a person
can fix (a blank title, an unknown merge tag, a move without a reason) are shown as sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from components.local_time import short
from components.person_names import person_name
from components.plain_text import plain
from core.debrief.email_templates import EmailDraft, RenderedEmail, email_draft, render_text, to_eml
from core.debrief.follow_up_email import send_follow_up, sent_follow_ups
from core.debrief.follow_ups import CANCELLED, DONE, OPEN, add_task, due_date, set_task_status, tasks_for
from core.debrief.pipeline import CandidatePipeline, for_session, set_status, status_label, statuses
from core.errors import WorkspaceError
from core.models import FollowUpTask, OutboxMessage, OutboxStatus
from core.permissions.actor import Actor
from core.workspace import Workspace

DEFAULT_DUE_IN_DAYS = 2


def render_follow_ups(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    """Tasks, email draft and pipeline of one session; each part survives the others failing."""
    st.subheader("Follow-up tasks")
    _guarded(_tasks, ws, session_id, actor)
    st.subheader("Email draft")
    _guarded(_email, ws, session_id, actor)
    st.subheader("Pipeline")
    _guarded(_pipeline, ws, session_id, actor)


def _guarded(part: Callable[..., None], ws: Workspace, session_id: str, *args: Actor) -> None:
    try:
        part(ws, session_id, *args)
    except WorkspaceError as exc:
        st.error(str(exc))


# --- tasks -------------------------------------------------------------------------------------------


def _error_key(session_id: str) -> str:
    return f"{session_id}_follow_ups_error"


def _toggle(ws: Workspace, session_id: str, task_id: str, key: str, actor: Actor) -> None:
    """Checkbox callback: runs only when the person ticks, so another tab's change is never undone here."""
    status = DONE if st.session_state[key] else OPEN
    try:
        set_task_status(ws, task_id, status=status, actor=actor)
    except WorkspaceError as exc:
        st.session_state[_error_key(session_id)] = str(exc)


def _due_text(task: FollowUpTask, today: date) -> str:
    text = f"due {task.due_on:%a %d %b %Y}"
    if task.status == OPEN and task.due_on < today:
        return f":red[{text} · overdue]"
    return text


def _tasks(ws: Workspace, session_id: str, actor: Actor) -> None:
    if message := st.session_state.pop(_error_key(session_id), None):
        st.error(message)
    today = ws.clock().date()
    tasks = tasks_for(ws, session_id, actor=actor)
    if not tasks:
        st.caption("No tasks yet: a recommendation creates them, or add one below.")
    for task in tasks:
        key = f"{session_id}_task_{task.id}"
        cancelled = task.status == CANCELLED
        title = f":gray[~~{plain(task.title)}~~]" if cancelled else plain(task.title)
        columns = st.columns([6, 2, 3], vertical_alignment="center")
        columns[0].checkbox(
            title,
            value=task.status == DONE,
            key=key,
            disabled=cancelled,
            on_change=_toggle,
            args=(ws, session_id, task.id, key, actor),
            help="Cancelled: a later recommendation replaced it." if cancelled else None,
        )
        origin = "by hand" if task.source == "manual" else "from the recommendation"
        owner = plain(person_name(ws, task.owner))
        columns[1].caption(f":gray[{owner}]" if cancelled else owner)
        columns[2].caption(":gray[cancelled]" if cancelled else f"{_due_text(task, today)} · {origin}")
    with st.form(f"{session_id}_add_task", clear_on_submit=True):
        st.markdown("**Add a task**")
        columns = st.columns([5, 3, 2])
        title = columns[0].text_input("Task", key=f"{session_id}_new_task_title", placeholder="What has to be done")
        owner = columns[1].text_input(
            "Owner", key=f"{session_id}_new_task_owner", placeholder=person_name(ws, actor.name)
        )
        due_on = columns[2].date_input(
            "Due", value=due_date(today, DEFAULT_DUE_IN_DAYS), key=f"{session_id}_new_task_due", format="YYYY-MM-DD"
        )
        if st.form_submit_button("Add task"):
            try:
                add_task(ws, session_id, title=title, owner=owner, due_on=due_on or today, actor=actor)
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.rerun()


# --- email ------------------------------------------------------------------------------------------


def _email(ws: Workspace, session_id: str, actor: Actor) -> None:
    timezone = st.context.timezone or "UTC"
    draft = email_draft(ws, session_id, timezone=timezone)
    if draft is None:
        st.caption("The email draft appears once the session has a recommendation that comes with an email.")
        return
    st.caption(f"For the recommendation **{plain(draft.recommendation_label)}** · to {plain(draft.to or 'no address')}")
    prefix = f"{session_id}_email_{draft.recommendation}"  # a new recommendation starts a fresh draft
    subject = st.text_input("Subject", value=draft.spec.subject, key=f"{prefix}_subject")
    body = st.text_area(
        "Body (merge tags like {{candidate.first_name}} are filled in below)",
        value=draft.spec.body,
        key=f"{prefix}_body",
        height=260,
    )
    with st.expander("Merge tags you can use"):
        st.markdown(" ".join(f"`{{{{{tag}}}}}`" for tag in draft.tags))
    rendered = _preview(draft, subject, body)
    eml = to_eml(rendered, to=draft.to, sender=draft.sender, date=ws.clock()) if rendered else b""
    send, download = st.columns(2)
    sent = sent_follow_ups(ws, session_id, actor=actor)
    if st.session_state.pop(f"{prefix}_just_sent", False):
        st.toast("The email is in the outbox; a worker sends it.")
    if send.button(
        "Send again" if sent else "Send to the candidate",
        key=f"{prefix}_send",
        disabled=rendered is None or not draft.to,
        icon=":material/send:",
        help=None if draft.to else "The candidate has no email address; download the draft instead.",
    ):
        try:
            send_follow_up(ws, session_id, subject=subject, body=body, actor=actor, timezone=timezone)
        except WorkspaceError as exc:
            st.error(str(exc))
        else:
            st.session_state[f"{prefix}_just_sent"] = True
            st.rerun()
    download.download_button(
        "Download draft (.eml)",
        data=eml,
        file_name=f"{draft.recommendation}-{session_id[:8]}.eml",
        mime="message/rfc822",
        key=f"{prefix}_download",
        disabled=rendered is None,
        icon=":material/download:",
    )
    for message in reversed(sent[-3:]):
        st.caption(f"{plain(message.subject)} · to {plain(message.recipient)} · {_delivery(message)}")


_DELIVERY = {
    OutboxStatus.QUEUED: "in the outbox, being sent",
    OutboxStatus.WAITING: "in the outbox, waiting for SMTP to be configured",
    OutboxStatus.FAILED: "not sent",
}


def _delivery(message: OutboxMessage) -> str:
    """What became of a sent follow-up, in words."""
    if message.status is OutboxStatus.SENT:
        return f"sent {short(message.sent_at)}"
    state = _DELIVERY[message.status]
    if message.status is OutboxStatus.FAILED and message.last_error:
        return f"{state}: {plain(message.last_error)}"
    return f"{state} (queued {short(message.created_at)})"


def _preview(draft: EmailDraft, subject: str, body: str) -> RenderedEmail | None:
    """The draft as the candidate will read it, or None (with the reason shown) when it cannot be filled in."""
    if not subject.strip() or not body.strip():
        st.error("The email needs a subject and a body.")
        return None
    try:
        rendered = RenderedEmail(
            subject=" ".join(render_text(subject, draft.context).split()), body=render_text(body, draft.context)
        )
    except WorkspaceError as exc:
        st.error(str(exc))
        return None
    with st.container(border=True):
        st.markdown(f"**{plain(rendered.subject)}**")
        st.text(rendered.body)
    return rendered


# --- pipeline ---------------------------------------------------------------------------------------


def _pipeline(ws: Workspace, session_id: str, actor: Actor) -> None:
    pipeline = for_session(ws, session_id, actor=actor)
    if pipeline is None:
        st.caption("This session has no candidate, so there is no pipeline status to show.")
        return
    name = plain(pipeline.candidate.name)
    if pipeline.current is None:
        st.markdown(f"**{name}** has no pipeline status yet.")
    else:
        st.markdown(f"**{name}** · {status_label(pipeline.current.status)}")
    _history(ws, pipeline)
    _override(ws, session_id, pipeline, actor)


def _history(ws: Workspace, pipeline: CandidatePipeline) -> None:
    if not pipeline.history:
        return
    with st.expander(f"History ({len(pipeline.history)})"):
        for change in reversed(pipeline.history):
            how = (
                "by recommendation"
                if change.source == "recommendation"
                else f"set by {plain(person_name(ws, change.actor))}"
            )
            reason = f" — {plain(change.reason)}" if change.reason else ""
            st.markdown(f"- **{status_label(change.status)}** · {how} · {short(change.created_at)}{reason}")


def _override(ws: Workspace, session_id: str, pipeline: CandidatePipeline, actor: Actor) -> None:
    known = statuses(ws.templates)
    current = pipeline.current.status if pipeline.current else None
    with st.form(f"{session_id}_pipeline_override", clear_on_submit=True):
        st.markdown("**Change the status by hand**")
        status = st.selectbox(
            "Status",
            known,
            index=known.index(current) if current in known else 0,
            format_func=status_label,
            key=f"{session_id}_pipeline_status",
        )
        reason = st.text_input("Reason (required)", key=f"{session_id}_pipeline_reason")
        if st.form_submit_button("Change status"):
            try:
                set_status(ws, pipeline.candidate.id, status=status, reason=reason, actor=actor, session_id=session_id)
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.rerun()
