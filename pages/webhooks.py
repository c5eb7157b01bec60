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
from components.signed_in import current_account
from core.permissions.policy import Action, allowed
from core.scheduling.calcom import webhooks as calcom_webhooks
from entry.webhook_routes import PATH

STATUSES = {
    "processed": "Applied",
    "ignored": "Ignored",
    "duplicate": "Duplicate",
    "rejected": "Refused",
    "failed": "Failed",
    "received": "Waiting",
    "retry": "Retrying",
}

ws = get_workspace()
st.title("Webhook log")
if not allowed(current_account(), Action.VIEW_WEBHOOKS):
    st.error("Only administrators read the webhook log.")
    st.stop()
secret = "set" if webhook_secret_set() else "not set — every delivery is refused until CALCOM_WEBHOOK_SECRET is set"
st.caption(f"Cal.com posts to `{PATH}` on this server. Signing secret: {secret}.")

counts = calcom_webhooks.event_counts(ws)
refused_total = calcom_webhooks.refusal_total(ws)
counts["rejected"] = counts.get("rejected", 0) + refused_total  # signed but unreadable, plus counted refusals
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

# Unsigned, forged and oversized requests are counted per reason and hour rather than listed one by one,
# so a flood of them never hides real deliveries above.
st.subheader("Refused requests")
refusals = calcom_webhooks.recent_refusals(ws, limit=200)
st.caption(
    f"{refused_total} requests without a valid signature (or too big) in the last "
    f"{calcom_webhooks.REFUSALS_KEPT.days} days, counted per reason and hour."
)
if refusals:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Hour (UTC)": refusal.hour.replace("T", " ") + ":00",
                    "HTTP": refusal.status_code,
                    "Reason": refusal.reason,
                    "Count": refusal.count,
                    "Last": short(refusal.last_at),
                }
                for refusal in refusals
            ]
        ),
        hide_index=True,
        width="stretch",
    )
