"""History: find past interviews (filters, sort, pages) and open one; its id stays in the URL.

Only the shown page of rows is read (core.history.services.browse_history), so the page stays quick
with thousands of interviews. An open interview (`?session=…`) shows its chat, transcript,
whiteboard, evaluation and recordings, the candidate's trend, and a comparison with another
interview (`?compare=…`). Opening one here does not change the interview this tab is running.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pyarrow as pa
import streamlit as st

from components.calibration import render_calibration
from components.chat_panel import render_messages
from components.current_session import set_current_session
from components.evaluation_report import render_evaluation
from components.history_views import render_comparison, render_snapshots, render_trend, score_text
from components.local_time import local, short
from components.resources import get_workspace
from components.session_media import render_session_media
from components.signed_in import current_account
from components.transcript_panel import render_transcript_panel
from core.errors import AccessDenied, WorkspaceError
from core.evaluation.report import load_report
from core.history.calibration import evaluator_calibration
from core.history.services import (
    HistoryPage,
    InterviewerOption,
    SessionDetail,
    browse_history,
    candidate_trend,
    compare_sessions,
    session_detail,
)
from core.models import AccountRole, HistoryQuery, SessionStatus, SessionSummary, SortKey
from core.permissions.access import permitted, require
from core.permissions.actor import Actor
from core.permissions.policy import Action, SessionAction, allowed, scope
from core.workspace import Workspace

PAGE_SIZES = (25, 50, 100)
PAGE_KEY = "history_page_number"
TABLE_KEY = "history_table"
FULL_SCORE_RANGE = (0.0, 5.0)


def _first_page() -> None:
    """A changed filter or order starts again from page 1."""
    st.session_state[PAGE_KEY] = 1


def _open(session_id: str | None) -> None:
    if session_id:
        st.query_params["session"] = session_id
        st.query_params.pop("compare", None)


def _close() -> None:
    st.query_params.pop("session", None)
    st.query_params.pop("compare", None)


def _zone_start(day: date) -> datetime:
    """Midnight of `day` in the browser's timezone: a date range means the reader's days."""
    zone = local(datetime.now(UTC)).tzinfo
    return datetime.combine(day, time.min, tzinfo=zone)


def _filters(ws: Workspace, interviewers: list[InterviewerOption], *, disabled: bool = False) -> HistoryQuery:
    """The filter bar; `disabled` shows it, greyed, before there is anything to filter."""
    problems = {p.id: p.title for p in ws.problems.all()}
    with st.container(border=True):
        top = st.columns([2, 3, 2, 2])
        candidate = top[0].text_input(
            "Candidate", key="history_candidate", placeholder="Name or id", on_change=_first_page, disabled=disabled
        )
        problem_ids = top[1].multiselect(
            "Problem",
            list(problems),
            format_func=lambda pid: problems.get(pid, pid),
            key="history_problems",
            placeholder="Any problem",
            on_change=_first_page,
            disabled=disabled,
        )
        dates = top[2].date_input("Date range", value=[], key="history_dates", on_change=_first_page, disabled=disabled)
        interviewer = top[3].selectbox(
            "Interviewer",
            interviewers,
            format_func=lambda option: option.label,
            index=None,
            placeholder="Any interviewer",
            key="history_interviewer",
            on_change=_first_page,
            disabled=disabled,
        )
        bottom = st.columns([3, 3, 2, 2, 1])
        scores = bottom[0].slider(
            "Overall score",
            *FULL_SCORE_RANGE,
            value=FULL_SCORE_RANGE,
            step=0.5,
            key="history_scores",
            on_change=_first_page,
            disabled=disabled,
            help="Narrowing the range leaves out interviews without a score.",
        )
        statuses = bottom[1].multiselect(
            "Status",
            list(SessionStatus),
            format_func=lambda s: s.value,
            key="history_statuses",
            placeholder="Any status",
            on_change=_first_page,
            disabled=disabled,
        )
        sort_keys = list(SortKey)  # named: inline, mypy infers list[Never] and picks the empty-options overload
        sort = bottom[2].selectbox(
            "Sort by",
            sort_keys,
            format_func=lambda k: k.label,
            key="history_sort",
            on_change=_first_page,
            disabled=disabled,
        )
        order = bottom[3].selectbox(
            "Order", ["Descending", "Ascending"], key="history_order", on_change=_first_page, disabled=disabled
        )
        page_size = bottom[4].selectbox(
            "Per page", PAGE_SIZES, key="history_page_size", on_change=_first_page, disabled=disabled
        )
    low, high = scores
    chosen_dates = tuple(dates) if isinstance(dates, list | tuple) else (dates,)
    return HistoryQuery(
        candidate=candidate,
        problem_ids=tuple(problem_ids),
        created_from=_zone_start(chosen_dates[0]) if chosen_dates else None,
        created_to=_zone_start(chosen_dates[-1] + timedelta(days=1)) if chosen_dates else None,
        score_min=low if (low, high) != FULL_SCORE_RANGE else None,
        score_max=high if (low, high) != FULL_SCORE_RANGE else None,
        interviewer_provider=interviewer.provider if interviewer else None,
        interviewer_model=interviewer.model if interviewer else None,
        statuses=tuple(statuses),
        sort=sort,
        descending=order == "Descending",
        page=max(1, int(st.session_state.get(PAGE_KEY, 1))),
        page_size=page_size,
    )


# Typed up front: a page whose interviews have no score yet still has a number column for the progress bars.
_TABLE_FIELDS: list[pa.Field[Any]] = [
    pa.field("Date", pa.string()),
    pa.field("Candidate", pa.string()),
    pa.field("Problem", pa.string()),
    pa.field("Interviewer", pa.string()),
    pa.field("Status", pa.string()),
    pa.field("Duration (min)", pa.int64()),
    pa.field("Overall score", pa.float64()),
]
_TABLE_SCHEMA = pa.schema(_TABLE_FIELDS)


def _row(s: SessionSummary) -> dict[str, Any]:
    return {
        "Date": short(s.created_at),
        "Candidate": s.candidate_name or "—",
        "Problem": s.problem_title,
        "Interviewer": InterviewerOption(s.interviewer_provider, s.interviewer_model).label,
        "Status": s.status.value,
        "Duration (min)": round(s.duration_seconds / 60),
        "Overall score": s.overall_score,
    }


def _table(items: list[SessionSummary]) -> pa.Table:
    """An Arrow table goes to the browser as it is; a pandas frame was built and converted on every rerun."""
    return pa.Table.from_pylist([_row(s) for s in items], schema=_TABLE_SCHEMA)


def _label(s: SessionSummary) -> str:
    return f"{short(s.created_at)} · {s.problem_title} · {s.candidate_name or 'Candidate'} · " + (
        score_text(s.overall_score) if s.status is SessionStatus.COMPLETED else s.status.value
    )


def _query_for(interviewers: list[InterviewerOption]) -> HistoryQuery | None:
    """The filter bar, and the query it sets; greyed, and no query, while this person may see no interview."""
    if not interviewers:
        _close()  # an interview in the address is none this person may see
        _filters(ws, interviewers, disabled=True)  # the same page as with interviews: what History offers shows
        return None
    query = replace(_filters(ws, interviewers), scope=scope(account))  # only what this person may see
    if not staff:  # a score filter would tell a candidate the score of an evaluation not released yet
        query = replace(query, score_min=None, score_max=None)
    return query


def _render_list(result: HistoryPage) -> list[SessionSummary]:
    if not staff:
        result.items = [_without_unreleased_score(s) for s in result.items]
    st.session_state[PAGE_KEY] = result.page  # a page past the end (the list shrank) shows the last one
    if not result.items:
        st.info("No interview matches these filters.")
        return []
    ids = [s.id for s in result.items]

    def open_selected() -> None:
        rows = st.session_state[TABLE_KEY].selection.rows
        _open(ids[rows[0]] if rows else None)

    st.dataframe(
        _table(result.items),
        hide_index=True,
        key=TABLE_KEY,
        on_select=open_selected,
        selection_mode="single-row",
        column_config={"Overall score": st.column_config.ProgressColumn(min_value=0, max_value=5, format="%.1f")},
    )
    with st.container(horizontal=True, vertical_alignment="center", horizontal_alignment="distribute"):
        # No key: the widget follows PAGE_KEY (which a changed filter resets), not the other way round.
        chosen = st.pagination(num_pages=result.pages, default=result.page)
        first = result.first
        st.caption(
            f"Page {result.page} of {result.pages} · {first}–{first + len(result.items) - 1} "
            f"of {result.total:,} interviews",
            width="content",
        )
    if chosen != result.page:
        st.session_state[PAGE_KEY] = chosen
        st.rerun()
    labels = {s.id: _label(s) for s in result.items}
    opened = st.query_params.get("session")
    picked = st.selectbox(  # no key: its index follows the URL, whichever way the interview was opened
        "Open an interview",
        ids,
        format_func=labels.__getitem__,
        index=ids.index(opened) if opened in ids else None,
        placeholder="Choose one, or select a row in the table",
    )
    if picked and picked != opened:
        _open(picked)
        st.rerun()
    return result.items


def _without_unreleased_score(summary: SessionSummary) -> SessionSummary:
    if permitted(ws, account, SessionAction.VIEW_EVALUATION, summary.id):
        return summary
    return replace(summary, overall_score=None)


def _render_compare(ws: Workspace, detail: SessionDetail, candidates: dict[str, str]) -> None:
    others = {sid: label for sid, label in candidates.items() if sid != detail.session.id}
    current = st.query_params.get("compare")
    if current and current not in others:
        others[current] = current
    if not others:
        st.caption("Open another interview's page of History to compare with it.")
        return
    choice = st.selectbox(
        "Compare with",
        list(others),
        format_func=others.__getitem__,
        index=list(others).index(current) if current in others else None,
        placeholder="Choose another interview",
        key="history_compare_with",
    )
    if choice is None:
        st.query_params.pop("compare", None)
        return
    st.query_params["compare"] = choice
    try:
        require(ws, account, SessionAction.VIEW_EVALUATION, choice)
        comparison = compare_sessions(ws, detail.session.id, choice, actor=Actor.person(account))
    except WorkspaceError as exc:
        st.warning(f"That interview cannot be compared: {exc}")
        return
    render_comparison(comparison)


def _render_detail(ws: Workspace, detail: SessionDetail, listed: list[SessionSummary]) -> None:
    session = detail.session
    st.divider()
    with st.container(horizontal=True, vertical_alignment="center", horizontal_alignment="distribute"):
        st.subheader(detail.title, width="content")
        st.button("Close", icon=":material/close:", on_click=_close, key="history_close")
    who = detail.candidate.name if detail.candidate else "Candidate"
    interviewer = InterviewerOption(session.interviewer_provider, session.interviewer_model).label
    score = detail.evaluation.overall_score if detail.evaluation else None  # left out until this person may see it
    st.caption(
        f"{who} · {short(session.created_at)} · {session.level.value} · {interviewer} · "
        f"status: **{session.status.value}** · score: **{score_text(score)}**"
    )
    may_continue = session.is_open and permitted(ws, account, SessionAction.EDIT, session.id)
    if may_continue and st.button("Continue this interview", type="primary"):
        set_current_session(session.id)
        st.switch_page("pages/interview.py", query_params={"session": session.id})

    trend = candidate_trend(ws, detail.candidate.id, scope=scope(account)) if detail.candidate else None
    if trend is not None and not staff:
        trend.attempts = [
            a for a in trend.attempts if permitted(ws, account, SessionAction.VIEW_EVALUATION, a.session_id)
        ]
    tabs = st.tabs(["Chat", "Transcript", "Whiteboard", "Evaluation", "Recordings", "Trends", "Compare"])
    with tabs[0]:
        if detail.messages:
            render_messages(detail.messages, session)
        else:
            st.caption("No chat messages.")
    with tabs[1]:
        render_transcript_panel(
            detail.transcript_lines, problem_id=session.problem_id, session_id=session.id, height=420
        )
    with tabs[2]:
        render_snapshots(detail.snapshots, ws.files.absolute)
    with tabs[3]:
        if detail.evaluation_withheld:
            st.info("The evaluation of this interview is being reviewed; you can see it once a reviewer approves it.")
        elif detail.evaluation:
            render_evaluation(
                detail.evaluation, load_report(ws, session.id, actor=Actor.person(account))
            )  # with reviewers' adjustments
        else:
            st.info(f"This interview is {session.status.value}; it has no evaluation yet.")
    with tabs[4]:
        render_session_media(detail.media, ws.files.absolute)
    with tabs[5]:
        if trend is None:
            st.caption("This interview names no candidate, so there is no trend to show.")
        else:
            render_trend(trend)
    with tabs[6]:
        choices = {s.id: _label(s) for s in listed}
        if trend is not None:
            choices |= {
                a.session_id: f"{who} · attempt {a.number} · {a.problem_title} · {score_text(a.overall_score)}"
                for a in trend.attempts
            }
        _render_compare(ws, detail, choices)


ws = get_workspace()
account = current_account()
staff = any(account.has(role) for role in (AccountRole.INTERVIEWER, AccountRole.REVIEWER, AccountRole.ADMIN))
st.title("History")

_, page = browse_history(ws, _query_for, scope=scope(account))
if page is None:
    st.info("No interviews yet. Start one on the Setup page — they appear here as soon as they begin.")
    st.page_link("pages/setup.py", label="Go to Setup", icon=":material/tune:")
    st.stop()

listed = _render_list(page)

# Read only while open: it goes through every reviewed interview.
if allowed(account, Action.REVIEW):
    with st.expander("Calibration", icon=":material/balance:", key="history_calibration", on_change="rerun") as section:
        if section.open:
            render_calibration(evaluator_calibration(ws))

if opened := st.query_params.get("session"):
    try:
        require(ws, account, SessionAction.VIEW, opened)
        detail = session_detail(ws, opened, actor=Actor.person(account))
    except AccessDenied as exc:
        st.warning(str(exc))
        _close()
    except WorkspaceError:
        st.warning("The interview in the address is not in this workspace (any more).")
        _close()
    else:
        _render_detail(ws, detail, listed)
