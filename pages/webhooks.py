"""Webhook log: every Cal.com delivery the server received, refused or collapsed, and what it did.

Deliveries are stored before they are answered, so this page is also how to check that nothing
was lost: "Waiting" should be empty, and "Apply waiting events" catches up after a crash.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.calcom import webhook_secret_set
from components.local_time import short
from components.resources import get_workspace
from core.scheduling.calcom import webhooks as calcom_webhooks
from entry.webhook_routes import PATH

STATUSES = {
    "processed": "Applied",
    "ignored": "Ignored",
    "duplicate": "Duplicate",
    "rejected": "Refused",
    "failed": "Failed",
    "received": "Waiting",
}

ws = get_workspace()
st.title("Webhook log")
secret = "set" if webhook_secret_set() else "not set — every delivery is refused until CALCOM_WEBHOOK_SECRET is set"
st.caption(f"Cal.com posts to `{PATH}` on this server. Signing secret: {secret}.")

counts = calcom_webhooks.event_counts(ws)
cols = st.columns(len(STATUSES))
for col, (status, label) in zip(cols, STATUSES.items(), strict=True):
    col.metric(label, counts.get(status, 0))

if counts.get("received") and st.button("Apply waiting events", icon=":material/sync:"):
    with st.spinner("Applying…"):
        done = calcom_webhooks.process_waiting(ws)
    st.toast(f"Applied {done} waiting events.")
    st.rerun()

chosen = st.multiselect(
    "Show", list(STATUSES), default=list(STATUSES), format_func=STATUSES.__getitem__, key="webhook_statuses"
)
events = calcom_webhooks.recent_events(ws, limit=500, statuses=chosen or None)
if not events:
    st.info("No webhook deliveries yet. In Cal.com, add a webhook for this server's /webhooks/calcom with the secret.")
else:
    rows = [
        {
            "#": event.id,
            "Received": short(event.received_at),
            "Event": event.trigger or "—",
            "Booking": event.booking_uid or "—",
            "Result": STATUSES.get(event.status, event.status),
            "What happened": event.outcome,
        }
        for event in events
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
