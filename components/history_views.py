"""History's pieces: the whiteboard's latest snapshot (earlier ones on demand), a candidate's trend, two
interviews compared.

They render what they are given (core.history.services's SessionDetail, CandidateTrend, Comparison);
the page loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.local_time import short
from components.plain_text import plain
from core.history.services import CandidateTrend, Comparison, CompetencyDelta, SessionDetail
from core.models import WhiteboardSnapshot
from core.whiteboard.analysis import drawn_objects


def score_text(score: float | None) -> str:
    """Scores read "3.8"; an interview without one reads "not scored"."""
    return "not scored" if score is None else f"{score:.1f}"


def render_snapshots(snapshots: Sequence[WhiteboardSnapshot], locate: Callable[[str], Path]) -> None:
    """The drawing as it was last saved; the earlier autosaves, newest first, on demand (an expander that
    draws its pictures only once opened). Each with its time, and its picture when its PNG is there."""
    if not snapshots:
        st.caption("No whiteboard snapshots were kept for this interview.")
        return
    *earlier, latest = snapshots  # oldest first
    st.caption("The latest drawing." if not earlier else f"The latest drawing, of {len(snapshots)} saved versions.")
    _render_snapshot(latest, "Latest", locate)
    if not earlier:
        return
    with st.expander(
        f"Earlier versions ({len(earlier)})",
        key=f"history_earlier_snapshots_{latest.session_id}",
        on_change="rerun",
    ) as section:
        if section.open:
            for number in range(len(earlier), 0, -1):
                _render_snapshot(earlier[number - 1], f"{number}.", locate)


def _render_snapshot(snapshot: WhiteboardSnapshot, title: str, locate: Callable[[str], Path]) -> None:
    """`**Latest** · 03 Mar 2025 23:05 · 3 shapes`, then the picture (or why it is missing)."""
    shapes = len(drawn_objects(snapshot.fabric_json))  # as drawn: the arrow heads the board added are no shapes
    st.markdown(f"**{title}** {short(snapshot.created_at)} · {shapes} shape{'s' if shapes != 1 else ''}")
    path = locate(snapshot.png_path) if snapshot.png_path else None
    if path is not None and path.is_file():
        st.image(str(path))
    elif snapshot.png_path:
        st.caption(f"The picture {Path(snapshot.png_path).name} is listed but its file is missing.")


def trend_chart(trend: CandidateTrend) -> go.Figure:
    """One line per competency (and the overall score) over the candidate's attempts."""
    figure = go.Figure()
    hover = [f"{short(a.created_at)} · {a.problem_title}" for a in trend.attempts]
    numbers = [a.number for a in trend.attempts]
    for key, name in trend.competencies.items():
        figure.add_trace(
            go.Scatter(
                x=numbers,
                y=[a.scores.get(key) for a in trend.attempts],
                name=name,
                mode="lines+markers",
                text=hover,
                hovertemplate="%{text}<br>" + name + ": %{y:.1f}<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=numbers,
            y=[a.overall_score for a in trend.attempts],
            name="Overall",
            mode="lines+markers",
            line={"width": 4, "color": "#222"},
            text=hover,
            hovertemplate="%{text}<br>Overall: %{y:.1f}<extra></extra>",
        )
    )
    figure.update_layout(
        xaxis={"title": "attempt", "dtick": 1},
        yaxis={"title": "score (1–5)", "range": [0, 5.2], "dtick": 1},
        height=380,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


def render_trend(trend: CandidateTrend) -> None:
    if not trend.attempts:
        st.caption(f"{plain(trend.candidate.name)} has no evaluated interviews yet.")
        return
    count = len(trend.attempts)
    st.markdown(f"**{plain(trend.candidate.name)}** · {count} evaluated interview{'s' if count != 1 else ''}")
    st.plotly_chart(trend_chart(trend), config={"displayModeBar": False}, key="history_trend_chart")
    table = pd.DataFrame(
        [
            {"Attempt": a.number, "Date": short(a.created_at), "Problem": a.problem_title, "Overall": a.overall_score}
            | {name: a.scores.get(key) for key, name in trend.competencies.items()}
            for a in trend.attempts
        ]
    )
    st.dataframe(table, hide_index=True, key="history_trend_table")


def _delta_text(row: CompetencyDelta) -> str:
    if row.delta is None:
        return "—"
    return f"{row.delta:+.1f}"


def comparison_table(comparison: Comparison) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"Competency": row.name, "A": row.a, "B": row.b, "Change (B − A)": _delta_text(row)}
            for row in [comparison.overall, *comparison.competencies]
        ]
    )


def _describe(detail: SessionDetail) -> str:
    who = detail.candidate.name if detail.candidate else "Candidate"
    return f"{detail.title} · {who} · {short(detail.session.created_at)} · {detail.session.status.value}"


def render_comparison(comparison: Comparison) -> None:
    """Both interviews' headlines side by side, then every competency's scores and the change."""
    left, right = st.columns(2)
    for column, letter, detail, score in (
        (left, "A", comparison.a, comparison.overall.a),
        (right, "B", comparison.b, comparison.overall.b),
    ):
        with column, st.container(border=True):
            st.markdown(f"**{letter}** · {_describe(detail)}")
            st.metric(f"Overall score {letter}", score_text(score))
    if not comparison.competencies:
        st.caption("Neither interview has an evaluation to compare yet.")
        return
    st.dataframe(
        comparison_table(comparison),
        hide_index=True,
        key="history_compare_table",
        column_config={letter: st.column_config.NumberColumn(format="%.1f") for letter in ("A", "B")},
    )
    names = [row.name for row in comparison.competencies]
    figure = go.Figure(
        [
            go.Bar(name="A", x=names, y=[row.a for row in comparison.competencies]),
            go.Bar(name="B", x=names, y=[row.b for row in comparison.competencies]),
        ]
    )
    figure.update_layout(
        barmode="group",
        yaxis={"range": [0, 5], "dtick": 1, "title": "score (1–5)"},
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
    )
    st.plotly_chart(figure, config={"displayModeBar": False}, key="history_compare_chart")
