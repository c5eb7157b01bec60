"""Webhook log: Cal.com deliveries the server received (Incoming), and the signed webhooks it sends to other
systems such as an ATS or a CRM (Outgoing).

Incoming deliveries are stored before they are answered, so this page is also how to check that nothing
was lost: "Waiting" should be empty, and "Apply waiting events" catches up after a crash.

Outgoing: an admin subscribes a receiver's address to the events it wants; its signing secret is shown once,
right after it is made. Every delivery and each of its attempts is listed, and any delivery can be replayed
(the same webhook-id and body, so a receiver that has it already drops the repeat).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from components.calcom import webhook_secret_set
from components.local_time import short
from components.plain_text import plain
from components.resources import get_workspace
from components.signed_in import current_account
from core.errors import WorkspaceError
from core.models import DeliveryStatus, OutgoingEvent, WebhookDelivery, WebhookSubscription
from core.outgoing_webhooks import deliveries, subscriptions
from core.outgoing_webhooks.receiver_address import EXAMPLE
from core.permissions.actor import Actor
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
# worded apart from the incoming statuses above ("Failed", "Retrying"), which pages and tests look for
DELIVERY_STATUSES = {
    DeliveryStatus.QUEUED: "To send",
    DeliveryStatus.RETRYING: "Trying again",
    DeliveryStatus.DELIVERED: "Delivered",
    DeliveryStatus.FAILED: "Not delivered",
}
EVENT_HELP = {
    OutgoingEvent.BOOKING_CREATED: "an interview is booked (here, on Cal.com, or a request accepted)",
    OutgoingEvent.BOOKING_RESCHEDULED: "a booked interview moves to another time",
    OutgoingEvent.BOOKING_CANCELLED: "a booking is cancelled",
    OutgoingEvent.INTERVIEW_COMPLETED: "an interview ends",
    OutgoingEvent.EVALUATION_RELEASED: "the candidate may see the evaluation",
    OutgoingEvent.RECOMMENDATION_MADE: "a recommendation is computed or overridden",
}

ws = get_workspace()
st.title("Webhook log")
account = current_account()
if account is None or not allowed(account, Action.VIEW_WEBHOOKS):
    st.error("Only administrators read the webhook log.")
    st.stop()
ACTOR = Actor.person(account)
incoming, outgoing = st.tabs(["Incoming (Cal.com)", "Outgoing"])


def render_incoming() -> None:
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
        st.info(
            "No webhook deliveries yet. In Cal.com, add a webhook for this server's /webhooks/calcom with the secret."
        )
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


def render_outgoing() -> None:
    if not allowed(account, Action.MANAGE_WEBHOOKS):
        st.error("Only administrators manage outgoing webhooks.")
        return
    settings = ws.settings.outgoing_webhooks
    st.caption(
        "Other systems (an ATS, a CRM) get these events as JSON, signed per Standard Webhooks (`webhook-id`, "
        "`webhook-timestamp`, `webhook-signature`) with their subscription's secret. One not answered with 2xx "
        f"is tried again with growing waits for {settings.retry_hours:g} hours."
    )
    counts = deliveries.counts(ws, actor=ACTOR)
    for col, (status, label) in zip(st.columns(len(DELIVERY_STATUSES)), DELIVERY_STATUSES.items(), strict=True):
        col.metric(label, counts.get(status.value, 0))

    st.subheader("Subscriptions")
    render_new_subscription()
    listed = subscriptions.listing(ws, actor=ACTOR)
    if not listed:
        st.info("No subscriptions yet. Add the address of the system that should hear about interviews.")
    for subscription in listed:
        render_subscription(subscription)

    st.subheader("Deliveries")
    render_deliveries({s.id: s.url for s in listed})


def render_new_subscription() -> None:
    with st.form("new_subscription", clear_on_submit=True):
        url = st.text_input("Receiver address", placeholder=EXAMPLE, key="new_subscription_url")
        description = st.text_input("Description", placeholder="Our ATS", key="new_subscription_description")
        chosen = st.multiselect(
            "Events",
            [e.value for e in OutgoingEvent],
            default=[e.value for e in OutgoingEvent],
            key="new_subscription_events",
        )
        st.caption(" · ".join(f"`{event.value}`: {text}" for event, text in EVENT_HELP.items()))
        submitted = st.form_submit_button("Add subscription", icon=":material/add_link:")
    if not submitted:
        return
    try:
        made = subscriptions.subscribe(ws, url=url, events=chosen, description=description, actor=ACTOR)
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    # Shown in this run only: the next rerun lists the subscription without it.
    st.success(
        f"Subscribed {plain(made.url)}. Give the receiver this signing secret now: it is not shown again "
        "(delete the subscription and add it anew if it is lost).",
        icon=":material/key:",
    )
    st.code(made.secret, language=None)


def render_subscription(subscription: WebhookSubscription) -> None:
    with st.container(border=True, key=f"subscription_{subscription.id}"):
        text, actions = st.columns([4, 2], vertical_alignment="center")
        state = "Enabled" if subscription.enabled else "Disabled"
        text.markdown(f"**{plain(subscription.url)}** · {state}")
        described = f"{plain(subscription.description)} · " if subscription.description else ""
        text.caption(f"{described}{', '.join(subscription.events)} · added {short(subscription.created_at)}")
        toggle = "Disable" if subscription.enabled else "Enable"
        if actions.button(toggle, key=f"toggle_subscription_{subscription.id}"):
            act(lambda: subscriptions.set_enabled(ws, subscription.id, not subscription.enabled, actor=ACTOR))
        confirming = f"confirm_delete_{subscription.id}"
        if not st.session_state.get(confirming):
            if actions.button("Delete", key=f"delete_subscription_{subscription.id}"):
                st.session_state[confirming] = True
                st.rerun()
            return
        actions.caption("Its secret and its delivery log go with it.")
        if actions.button("Delete for good", key=f"really_delete_subscription_{subscription.id}", type="primary"):
            st.session_state.pop(confirming, None)
            act(lambda: subscriptions.unsubscribe(ws, subscription.id, actor=ACTOR))
        if actions.button("Keep it", key=f"keep_subscription_{subscription.id}"):
            st.session_state.pop(confirming, None)
            st.rerun()


def render_deliveries(urls: dict[str, str]) -> None:
    recent = deliveries.recent(ws, actor=ACTOR, limit=200)
    if not recent:
        st.caption("No deliveries yet. Bookings, ended interviews, released evaluations and recommendations send them.")
        return
    rows = [
        {
            "#": delivery.id,
            "Event": delivery.event,
            "To": urls.get(delivery.subscription_id, "—"),
            "Status": DELIVERY_STATUSES[delivery.status],
            "Tries": delivery.attempts,
            "Written": short(delivery.created_at),
            "Delivered": short(delivery.delivered_at) if delivery.delivered_at else "",
            "Last error": delivery.last_error,
        }
        for delivery in recent
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="deliveries_table")
    by_id = {d.id or 0: d for d in recent}
    chosen = st.selectbox(
        "Attempts of delivery",
        list(by_id),
        format_func=lambda i: label_of(by_id[i], urls),
        key="delivery_attempts_of",
    )
    if chosen is None:
        return
    log = deliveries.delivery_log(ws, chosen, actor=ACTOR)
    attempts = [
        {
            "When": short(a.attempted_at),
            "Answer": a.status_code if a.status_code is not None else "none",
            "Took (ms)": a.duration_ms,
            "Error": a.error,
            "Answer began": a.response_excerpt,
        }
        for a in log.attempts
    ]
    if attempts:
        st.dataframe(pd.DataFrame(attempts), hide_index=True, width="stretch", key="delivery_attempts_table")
    else:
        st.caption("Not tried yet: a worker sends it (`python -m core worker`).")
    st.caption(f"webhook-id `{log.delivery.message_id}` · tried until {short(log.delivery.retry_until)}")
    if st.button("Replay", key=f"replay_delivery_{chosen}", icon=":material/replay:"):
        act(lambda: deliveries.replay(ws, chosen, actor=ACTOR), done=f"Delivery #{chosen} is queued again.")


def label_of(delivery: WebhookDelivery, urls: dict[str, str]) -> str:
    where = urls.get(delivery.subscription_id, "—")
    return f"#{delivery.id} · {delivery.event} · {where} · {DELIVERY_STATUSES[delivery.status]}"


def act(change: Callable[[], object], *, done: str = "") -> None:
    """Run a change the person asked for: its refusal on the page, or a toast and a fresh run."""
    try:
        change()
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    if done:
        st.toast(done)
    st.rerun()


with incoming:
    render_incoming()
with outgoing:
    render_outgoing()
