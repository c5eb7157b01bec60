"""My notifications: which booking events the signed-in person is told about and how (email, the workspace's
Slack channel, a text message to their phone), their time zone and their quiet hours. Slack and SMS can only be
chosen where the workspace has them configured; the secrets behind them are never shown here."""

from __future__ import annotations

import streamlit as st

from components.resources import get_workspace
from components.signed_in import current_account
from core.errors import WorkspaceError
from core.models import Channel
from core.notifications import preferences
from core.permissions.actor import Actor

ws = get_workspace()
actor = Actor.person(current_account())
settings = ws.settings.notifications
offered = {
    Channel.EMAIL: True,
    Channel.SLACK: settings.slack.configured,
    Channel.SMS: settings.sms.configured,
}
LABELS = {Channel.EMAIL: "Email", Channel.SLACK: "Slack", Channel.SMS: "SMS"}

st.title("My notifications")
st.caption(
    "What you are told about your interviews, and how. Email is on for everything unless you turn it off; "
    "a reminder an hour before an interview comes even in your quiet hours."
)
missing = [LABELS[c] for c, on in offered.items() if not on]
if missing:
    st.caption(f"Not configured on this workspace: {', '.join(missing)} (ask an administrator).")

choices = preferences.mine(ws, actor=actor)
with st.form("notification_preferences"):
    picked: dict[str, list[str]] = {}
    for kind, label in preferences.EVENTS.items():
        st.markdown(f"**{label}**")
        columns = st.columns(len(Channel))
        picked[kind] = [
            channel.value
            for column, channel in zip(columns, Channel, strict=True)
            if column.checkbox(
                LABELS[channel],
                value=channel in choices.channels[kind],
                key=f"notify_{kind}_{channel.value}",
                disabled=not offered[channel],
            )
            and offered[channel]
        ]
    phone = st.text_input("Phone number for SMS", value=choices.phone, placeholder="+44 7700 900123")
    timezone = st.text_input(
        "Your time zone", value=choices.timezone, placeholder="e.g. Europe/Rome (empty: your team's or the booking's)"
    )
    quiet = st.text_input("Quiet hours", value=choices.quiet_hours, placeholder="e.g. 21:00-08:00 (empty: none)")
    submitted = st.form_submit_button("Save", type="primary")

if submitted:
    try:
        preferences.save(ws, actor=actor, channels=picked, phone=phone, timezone=timezone, quiet=quiet)
    except WorkspaceError as exc:
        st.error(str(exc))
    else:
        st.success("Saved. New messages follow these choices.")
