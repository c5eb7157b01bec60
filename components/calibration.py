"""Calibration for reviewers: where the evaluator runs high or low against reviewers' adjusted scores.

It renders a core.history.calibration.Calibration (the page loads it): the verdicts worth acting on,
a chart of each competency's mean difference around zero, and every figure in a table.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.history.calibration import IN_LINE_WITHIN, MIN_PAIRS, Calibration, CompetencyCalibration, Tendency

COLOURS = {Tendency.HIGH: "#d9534f", Tendency.LOW: "#2e7dbf", Tendency.IN_LINE: "#8a8f98", Tendency.TOO_FEW: "#b9bec7"}
EMPTY = (
    "No reviewed sessions yet. Calibration compares the evaluator's scores with reviewers' adjusted ones: "
    "adjust a score on an interview's Evaluation page and it counts here."
)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def calibration_chart(calibration: Calibration) -> go.Figure:
    """One bar per competency: right of zero the evaluator scores higher than reviewers, left lower.

    The shaded band is "in line"; faded bars have too few reviewed sessions to judge.
    """
    rows = calibration.competencies
    figure = go.Figure(
        go.Bar(
            x=[c.mean_difference for c in rows],
            y=[c.name for c in rows],
            orientation="h",
            marker={
                "color": [COLOURS[c.tendency] for c in rows],
                "opacity": [0.45 if c.tendency is Tendency.TOO_FEW else 1.0 for c in rows],
            },
            # formatted in the browser, so the labels round exactly as the table below does
            texttemplate="%{x:+.2f} · n=%{customdata[3]}",
            textposition="outside",
            customdata=[
                [c.mean_evaluator, c.mean_reviewer, _rho_text(c), c.count, c.adjusted, c.tendency.value] for c in rows
            ],
            hovertemplate=(
                "<b>%{y}</b><br>evaluator %{customdata[0]:.2f} · reviewer %{customdata[1]:.2f}"
                "<br>difference %{x:+.2f} · ρ %{customdata[2]}"
                "<br>%{customdata[3]} reviewed, %{customdata[4]} adjusted · %{customdata[5]}<extra></extra>"
            ),
        )
    )
    reach = max([abs(c.mean_difference) for c in rows] + [0.5]) + 0.6
    figure.add_vrect(
        x0=-IN_LINE_WITHIN, x1=IN_LINE_WITHIN, fillcolor="#8a8f98", opacity=0.15, line_width=0, layer="below"
    )
    figure.add_vline(x=0, line_color="#555", line_width=1)
    figure.update_layout(
        xaxis={"title": "mean difference, evaluator − reviewer (right: runs high)", "range": [-reach, reach]},
        yaxis={"autorange": "reversed"},
        height=90 + 46 * len(rows),
        margin={"l": 10, "r": 10, "t": 10, "b": 50},
        showlegend=False,
    )
    return figure


# Short headers keep the table inside the section; each column's help says what it holds.
COLUMNS = {
    "Sessions": "Reviewed interviews in which the evaluator scored this competency (the pairs).",
    "Adjusted": "Of those, how many a reviewer adjusted; in the others the evaluator's score was left standing.",
    "Evaluator": "The evaluator's mean score.",
    "Reviewer": "The reviewers' mean score (adjusted where they adjusted it).",
    "E − R": "Mean difference, evaluator − reviewer: positive, the evaluator runs high.",
    "ρ": "Spearman's rank correlation; empty when a side never varies or there is one pair.",
}


def calibration_table(calibration: Calibration) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Competency": c.name,
                "Sessions": c.count,
                "Adjusted": c.adjusted,
                "Evaluator": c.mean_evaluator,
                "Reviewer": c.mean_reviewer,
                "E − R": c.mean_difference,
                "ρ": c.correlation,
                "Verdict": c.tendency.value,
            }
            for c in calibration.competencies
        ]
    )


def _rho_text(row: CompetencyCalibration) -> str:
    return "—" if row.correlation is None else f"{row.correlation:.2f}"


def render_calibration(calibration: Calibration) -> None:
    if not calibration.competencies:
        st.info(EMPTY)
        return
    st.caption(
        f"{_plural(calibration.sessions, 'reviewed interview')} · {_plural(calibration.pairs, 'score pair')}. "
        "An interview counts once a reviewer has adjusted one of its scores; the scores they left standing "
        f"count as theirs too. Difference = evaluator − reviewer; within ±{IN_LINE_WITHIN:g} is in line. "
        "ρ = Spearman's rank correlation."
    )
    judged = [c for c in calibration.competencies if c.tendency in (Tendency.HIGH, Tendency.LOW)]
    for row in judged:
        st.markdown(f"- {row.verdict}")
    too_few = [c for c in calibration.competencies if c.tendency is Tendency.TOO_FEW]
    if not judged and len(too_few) < len(calibration.competencies):
        st.markdown("- The evaluator is in line with reviewers wherever there are enough reviews to judge.")
    if too_few:
        names = ", ".join(f"{c.name} ({c.count})" for c in too_few)
        st.caption(f"Too few to judge (under {MIN_PAIRS} reviewed sessions): {names}. Their figures are shown.")
    st.plotly_chart(calibration_chart(calibration), config={"displayModeBar": False}, key="history_calibration_chart")
    st.dataframe(
        calibration_table(calibration),
        hide_index=True,
        key="history_calibration_table",
        column_config={
            name: st.column_config.NumberColumn(
                help=text, format="%d" if name in ("Sessions", "Adjusted") else "%+.2f" if name == "E − R" else "%.2f"
            )
            for name, text in COLUMNS.items()
        },
    )
