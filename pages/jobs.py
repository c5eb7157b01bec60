"""Background jobs: what the workers are doing, what they did, and what failed and why, with a retry.

A worker process (`python -m core worker`, which startup.sh starts beside the server) applies Cal.com
webhooks, runs the daily cleanup and improves transcripts when an interview ends. Every job is kept
here with its outcome; a failed one says why and can be run again.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.local_time import short
from components.resources import get_workspace
from components.signed_in import current_account
from core.errors import WorkspaceError
from core.jobs import ledger
from core.models import Job, JobStatus
from core.permissions.actor import Actor
from core.permissions.policy import Action, allowed

KINDS = {
    "calcom_webhook": "Cal.com webhook",
    "retention": "Daily cleanup",
    "accurate_transcript": "Accurate transcript",
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
    "Jobs that stay waiting mean no worker is running."
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
            "Updated": short(job.updated_at),
            "Progress": f"{job.progress:.0%}" if job.progress is not None and job.status is JobStatus.RUNNING else "",
            "Result": job.reason,
        }
        for job in recent
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
