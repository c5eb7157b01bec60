"""Background jobs: what the workers are doing, what they did, and what failed and why, with a retry.

A worker process (`python -m core worker`, which startup.sh starts beside the server) applies Cal.com
webhooks, runs the daily cleanup, improves transcripts when an interview ends and sends emails. Every job
is kept here with its outcome; a failed one says why and can be run again. The email outbox (under the
jobs) shows every email written, whether it went, and why not; the AI spend this month (last) shows the
workspace's and each person's spend against the budget (`llm_budget`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.ai_budget import render_spend_overview
from components.local_time import short
from components.plain_text import plain
from components.resources import get_workspace
from components.signed_in import current_account
from core.errors import WorkspaceError
from core.jobs import ledger
from core.models import Channel, Job, JobStatus, OutboxMessage, OutboxStatus
from core.notifications import outbox
from core.permissions.actor import Actor
from core.permissions.policy import Action, allowed

KINDS = {
    "calcom_webhook": "Cal.com webhook",
    "retention": "Daily cleanup",
    "accurate_transcript": "Accurate transcript",
    "send_email": "Email",
    "send_text": "Slack / SMS",
    "deliver_webhook": "Outgoing webhook",
}
STATUSES = {
    JobStatus.QUEUED: "Waiting",
    JobStatus.RUNNING: "Running",
    JobStatus.DONE: "Done",
    JobStatus.FAILED: "Failed",
}

ws = get_workspace()
st.title("Background jobs")
account = current_account()
if account is None or not allowed(account, Action.MANAGE_JOBS):
    st.error("Only administrators see the background jobs.")
    st.stop()
ACTOR = Actor.person(account)


def kind_of(job: Job) -> str:
    return KINDS.get(job.kind, job.kind)


counts = ledger.counts(ws, actor=ACTOR)
for col, (status, label) in zip(st.columns(len(STATUSES)), STATUSES.items(), strict=True):
    col.metric(label, counts.get(status.value, 0))
st.caption(
    "A worker process runs these (`python -m core worker`; startup.sh starts one). "
    "Jobs that stay waiting past their due time (a reminder is due at its time) mean no worker is running."
)

failed = ledger.recent(ws, actor=ACTOR, statuses=[JobStatus.FAILED], limit=50)
if failed:
    st.subheader("Failed")
    for job in failed:
        with st.container(border=True, key=f"failed_job_{job.id}"):
            text, action = st.columns([5, 1], vertical_alignment="center")
            text.markdown(f"**{kind_of(job)}** · #{job.id} · {job.attempts} tries · {short(job.finished_at)}")
            text.caption(job.reason)
            if action.button("Retry", key=f"retry_job_{job.id}", icon=":material/replay:"):
                try:
                    ledger.retry(ws, job.id or 0, actor=ACTOR)
                except WorkspaceError as exc:
                    st.error(str(exc))
                else:
                    st.toast(f"Job #{job.id} is queued again.")
                    st.rerun()

st.subheader("Recent")
recent = ledger.recent(ws, actor=ACTOR, limit=200)
if not recent:
    st.info("No background jobs yet. Webhook deliveries, the daily cleanup and spoken interviews add them.")
else:
    rows = [
        {
            "#": job.id,
            "Job": kind_of(job),
            "Status": STATUSES[job.status],
            "Tries": job.attempts,
            "Queued": short(job.created_at),
            "Due": short(job.run_after) if job.run_after and job.status is JobStatus.QUEUED else "",  # a reminder's
            "Updated": short(job.updated_at),
            "Progress": f"{job.progress:.0%}" if job.progress is not None and job.status is JobStatus.RUNNING else "",
            "Result": job.reason,
        }
        for job in recent
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


EMAIL_KINDS = {
    "booking_confirmation": "Booking confirmation",
    "booking_update": "Booking moved",
    "booking_cancellation": "Booking cancelled",
    "booking_reminder": "Reminder",
    "follow_up": "Follow-up",
}
EMAIL_STATUSES = {  # worded apart from the jobs' statuses above ("Failed", "Done"), which pages and tests look for
    OutboxStatus.QUEUED: "To send",
    OutboxStatus.WAITING: "Waiting for SMTP",
    OutboxStatus.SENT: "Sent",
    OutboxStatus.FAILED: "Not sent",
    OutboxStatus.WITHDRAWN: "Withdrawn",  # a reminder of an interview cancelled, moved or begun: never sent
}


CHANNELS = {Channel.EMAIL: "Email", Channel.SLACK: "Slack", Channel.SMS: "SMS"}


def email_kind(message: OutboxMessage) -> str:
    return EMAIL_KINDS.get(message.kind, message.kind)


emails = outbox.counts(ws, actor=ACTOR)
with st.expander(
    f"Notification outbox (email, Slack, SMS) · {sum(emails.values())}",
    expanded=bool(emails.get(OutboxStatus.FAILED.value)),
):
    for col, (email_status, label) in zip(st.columns(len(EMAIL_STATUSES)), EMAIL_STATUSES.items(), strict=True):
        col.metric(
            label if email_status is OutboxStatus.WAITING else f"Messages {label.lower()}",
            emails.get(email_status.value, 0),
        )
    if not ws.settings.notifications.smtp.configured:
        st.caption(
            "No SMTP server is configured here (notifications.smtp.host): emails wait in the outbox and are sent "
            "once a worker runs with one."
        )
    for message in outbox.recent(ws, actor=ACTOR, statuses=[OutboxStatus.FAILED], limit=50):
        with st.container(border=True, key=f"failed_email_{message.id}"):
            text, action = st.columns([5, 1], vertical_alignment="center")
            text.markdown(
                f"**{email_kind(message)}** · #{message.id} · {plain(message.recipient)} · {message.attempts} tries"
            )
            text.caption(plain(message.last_error))
            if action.button("Retry", key=f"retry_email_{message.id}", icon=":material/replay:"):
                try:
                    outbox.retry(ws, message.id or 0, actor=ACTOR)
                except WorkspaceError as exc:
                    st.error(str(exc))
                else:
                    st.toast(f"{outbox.named(message)} is queued again.")
                    st.rerun()
    messages = outbox.recent(ws, actor=ACTOR, limit=200)
    if not messages:
        st.caption(
            "No messages yet. Bookings (with their reminders), reschedules, cancellations and the debrief's Send "
            "write them here, for each person's channels (email, Slack, SMS)."
        )
    else:
        email_rows = [
            {
                "#": message.id,
                "Email": email_kind(message),
                "Channel": CHANNELS.get(message.channel, message.channel),
                "To": message.recipient,
                "Subject": message.subject,
                "Status": EMAIL_STATUSES[message.status],
                "Tries": message.attempts,
                "Written": short(message.created_at),
                "Due": short(message.send_after) if message.send_after else "",  # a reminder waits until then
                "Sent": short(message.sent_at) if message.sent_at else "",
                "Last error": message.last_error,
            }
            for message in messages
        ]
        st.dataframe(pd.DataFrame(email_rows), hide_index=True, width="stretch", key="outbox_table")

render_spend_overview(ws, ACTOR)
