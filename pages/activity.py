"""Activity: what happened — bookings, emails sent and not sent, Cal.com webhooks, evaluations, overrides,
sign-ins and the rest of the audit log — filtered by person, kind and dates, a page at a time, and downloaded
as CSV or JSON.

Admins see everyone's activity; anyone else sees what they did themselves (core.permissions.policy decides,
core.activity applies it). Only the shown page is read; a download is written when its button is pressed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from components.local_time import local, short
from components.person_names import person_name
from components.resources import get_workspace
from components.signed_in import current_account
from core.activity.export import EXPORT_LIMIT, as_csv, as_json, export_activity
from core.activity.kinds import Kind
from core.activity.listing import ActivityFilter, ActivityRow, list_activity, people
from core.errors import WorkspaceError
from core.models import OutboxStatus
from core.notifications import outbox
from core.permissions.actor import Actor
from core.permissions.policy import Action, allowed

PAGE_KEY = "activity_page_number"
EVERYONE = ""

ws = get_workspace()
account = current_account()
ACTOR = Actor.person(account)
everyone = allowed(account, Action.VIEW_ALL_ACTIVITY)

st.title("Activity")
retention = ws.settings.activity.retention_days
if everyone:
    st.caption(
        "Everything that happened in the workspace, newest first: bookings, emails, Cal.com webhooks, evaluations, "
        f"overrides, sign-ins and more. Entries are kept {retention} days."
    )
else:
    st.caption(f"What you did in the workspace, newest first. Entries are kept {retention} days.")
if allowed(account, Action.MANAGE_OUTBOX):  # what is not sent yet is not in the log: say where it waits
    owed = outbox.counts(ws, actor=ACTOR)
    waiting, failed = owed.get(OutboxStatus.WAITING.value, 0), owed.get(OutboxStatus.FAILED.value, 0)
    if waiting or failed:
        why = "" if ws.settings.notifications.smtp.configured else " (no SMTP server is configured)"
        st.info(
            f"{waiting} message(s) wait in the outbox{why} and {failed} could not be sent; "
            "they are listed, and can be sent again, in the outbox on the Jobs page.",
            icon=":material/outbox:",
        )
        st.page_link("pages/jobs.py", label="Open the outbox", icon=":material/work_history:")


def _first_page() -> None:
    """A changed filter starts again from page 1."""
    st.session_state[PAGE_KEY] = 1


def _zone_start(day: date) -> datetime:
    """Midnight of `day` in the browser's timezone: a date range means the reader's days."""
    return datetime.combine(day, time.min, tzinfo=local(datetime.now(UTC)).tzinfo)


def _filters() -> ActivityFilter:
    with st.container(border=True):
        columns = st.columns([3, 2, 3] if everyone else [2, 3])
        person: str | None = None
        if everyone:
            accounts = {a.id: f"{a.name} ({a.email})" for a in people(ws, actor=ACTOR)}
            chosen = columns[0].selectbox(
                "Person",
                [EVERYONE, *accounts],
                format_func=lambda key: accounts.get(key, "Everyone"),
                key="activity_person",
                on_change=_first_page,
            )
            person = chosen or None
        kinds: list[Kind | None] = [None, *Kind]
        kind = columns[-2].selectbox(
            "Kind",
            kinds,
            format_func=lambda k: k.label if k else "All kinds",
            key="activity_kind",
            on_change=_first_page,
        )
        dates = columns[-1].date_input("Dates", value=[], key="activity_dates", on_change=_first_page)
    chosen_dates = [d for d in (dates if isinstance(dates, tuple | list) else [dates]) if isinstance(d, date)]
    return ActivityFilter(
        person=person,
        kind=kind,
        since=_zone_start(chosen_dates[0]) if chosen_dates else None,
        until=_zone_start(chosen_dates[-1] + timedelta(days=1)) if chosen_dates else None,
    )


def _details(detail: dict[str, Any]) -> str:
    """ "competency: estimation · to: 3.5"; an account named by id reads as the person's name."""
    shown = []
    for key, value in detail.items():
        if value is None or value == "":
            continue
        if key == "account" and isinstance(value, str):
            value = person_name(ws, f"account:{value}")
        shown.append(f"{key}: {value}")
    return " · ".join(shown)


def _row(row: ActivityRow) -> dict[str, Any]:
    return {
        "When": short(row.at),
        "Who": row.actor_name,
        "Kind": row.kind.label,
        "What": row.action_label,
        "Interview": row.session_id[:8] if row.session_id else "",
        "Details": _details(row.detail),
    }


wanted = _filters()
try:
    result = list_activity(ws, wanted, actor=ACTOR, page=max(1, int(st.session_state.get(PAGE_KEY, 1))))
except WorkspaceError as exc:
    st.error(str(exc))
    st.stop()
st.session_state[PAGE_KEY] = result.page  # a page past the end (the log shrank) shows the last one

if not result.rows:
    if wanted == ActivityFilter():
        st.info("Nothing has happened yet. Interviews, bookings, emails and sign-ins appear here as they happen.")
    else:
        st.info("No activity matches these filters.")
    st.stop()

st.dataframe(
    pd.DataFrame([_row(row) for row in result.rows]),
    hide_index=True,
    width="stretch",
    height=min(len(result.rows), 20) * 35 + 38,  # twenty rows in view, the rest of the page a scroll away
    key="activity_table",
    column_config={"Details": st.column_config.TextColumn(width="large")},
)
with st.container(horizontal=True, vertical_alignment="center", horizontal_alignment="distribute"):
    # No key: the widget follows PAGE_KEY (which a changed filter resets), not the other way round.
    chosen_page = st.pagination(num_pages=result.pages, default=result.page)
    first = (result.page - 1) * result.page_size + 1
    st.caption(
        f"Page {result.page} of {result.pages} · {first}–{first + len(result.rows) - 1} of {result.total:,} entries",
        width="content",
    )
if chosen_page != result.page:
    st.session_state[PAGE_KEY] = chosen_page
    st.rerun()


def _csv() -> str:
    return as_csv(export_activity(ws, wanted, actor=ACTOR))


def _json() -> str:
    return as_json(export_activity(ws, wanted, actor=ACTOR))


with st.container(horizontal=True, vertical_alignment="center"):
    stamp = f"{ws.clock():%Y-%m-%d}"
    # callables: the file is written when the button is pressed, not on every run of the page
    st.download_button(
        "Download CSV",
        data=_csv,
        file_name=f"activity-{stamp}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    st.download_button(
        "Download JSON",
        data=_json,
        file_name=f"activity-{stamp}.json",
        mime="application/json",
        icon=":material/download:",
        on_click="ignore",
    )
    if result.total > EXPORT_LIMIT:
        st.caption(
            f"A download holds the newest {EXPORT_LIMIT:,} of these {result.total:,} entries: narrow the dates for "
            "the rest.",
            width="content",
        )
