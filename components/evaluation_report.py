"""The evaluation: overall score, per-competency chart, feedback, plan, evidence and communication.

Given the full report (core.evaluation.report), it shows the scores in force (a reviewer's override next to
the evaluator's original, with the justification), evidence quotes timed and linked into the
transcript, the whiteboard evidence and the modes used. The page passes `adjust` to draw its
reviewer form inside each competency; this component never touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.plain_text import plain
from core.evaluation.agreement import LLM_SAMPLES, samples_text
from core.evaluation.report import EvaluationReport, clock, communication_rows, score_text
from core.evaluation.reviews import EffectiveScore
from core.models import Evaluation

EVALUATION_PAGE_URL = "evaluation"  # relative: works from any page of the app, under any base path


def score_chart(names: list[str], scores: list[float | None]) -> go.Figure:
    names, scores = names[::-1], scores[::-1]
    values = [s or 0.0 for s in scores]
    colours = ["#9e9e9e" if s is None else "#2e7d32" if s >= 4 else "#f9a825" if s >= 3 else "#c62828" for s in scores]
    figure = go.Figure(
        go.Bar(x=values, y=names, orientation="h", marker_color=colours, text=[score_text(s) for s in scores])
    )
    figure.update_layout(
        xaxis={"range": [0, 5], "title": "score (1–5)", "dtick": 1},
        height=60 + 38 * len(names),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
    )
    return figure


def transcript_link(session_id: str, at_seconds: float) -> str:
    """The Evaluation page of this interview, opened on the transcript around this moment."""
    query = urlencode({"session": session_id, "at": int(at_seconds)})
    return f"{EVALUATION_PAGE_URL}?{query}#transcript"


def render_evaluation(
    evaluation: Evaluation,
    report: EvaluationReport | None = None,
    *,
    adjust: Callable[[EffectiveScore], None] | None = None,
) -> None:
    """Without a report (History's compact view) the evaluator's own scores are shown."""
    rows = report.scores.competencies if report else None
    overall = report.scores.overall if report else evaluation.overall_score
    top = st.columns([1, 3])
    with top[0]:
        st.metric("Overall score", f"{overall:.1f} / 5" if overall is not None else "Not scored")
        if report and report.scores.overridden:
            st.caption(f"Evaluator's original: {score_text(report.scores.original_overall)} · adjusted by a reviewer")
        made_by = evaluation.engine + (
            f" · {evaluation.model} · prompt {evaluation.prompt_version}" if evaluation.model else ""
        )
        st.caption(f"Evaluator: {made_by} · rubric {evaluation.rubric_id} v{evaluation.rubric_version}")
        if evaluation.overall_score is None:
            st.warning(evaluation.notes[0] if evaluation.notes else "Not enough to judge.")
        for note in evaluation.notes[1 if evaluation.overall_score is None else 0 :]:
            st.info(note)
    with top[1]:
        names = [c.name for c in evaluation.competencies]
        scores = [r.score for r in rows] if rows else [c.score for c in evaluation.competencies]
        if any(score is not None for score in scores):
            st.plotly_chart(score_chart(names, scores), config={"displayModeBar": False})
        else:  # an empty chart reads as zeros; say what happened instead
            st.caption("No competency was scored: " + ", ".join(names) + ".")

    columns = st.columns(3)
    for column, title, items in zip(
        columns,
        (
            ":material/check_circle: Went well",
            ":material/remove_circle: Went okay",
            ":material/build: Needs improvement",
        ),
        (evaluation.went_well, evaluation.went_okay, evaluation.needs_improvement),
        strict=True,
    ):
        with column:
            st.subheader(title)
            for item in items or ["—"]:
                st.markdown(f"- {plain(item)}")

    st.subheader("Improvement plan")
    for number, step in enumerate(evaluation.improvement_plan, start=1):
        st.markdown(f"**{number}. {plain(step.title)}** — {plain(step.detail)}")
        for resource in step.resources:
            st.markdown(f"  - {resource}")

    st.subheader("Competencies")
    sampled = LLM_SAMPLES in evaluation.communication  # an LLM asked several times: the median and its spread
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Competency": c.name,
                    "Score": score_text(rows[i].score) if rows else score_text(c.score),
                    "Evaluator's score": score_text(c.score),
                    "Confidence": f"{c.confidence:.0%}",
                    **({"Samples": samples_text(evaluation, c.key) or "—"} if sampled else {}),
                    "Why": c.rationale,
                }
                for i, c in enumerate(evaluation.competencies)
            ]
        ),
        hide_index=True,
    )
    for i, competency in enumerate(evaluation.competencies):
        row = rows[i] if rows else None
        board = report.whiteboard_evidence.get(competency.key, []) if report else []
        if not (competency.evidence or board or row is not None):
            continue
        label = f"{competency.name} — {score_text(row.score if row else competency.score)}"
        if spread := samples_text(evaluation, competency.key):
            label += f" ({spread})"
        if row and row.overridden:
            label += f" (evaluator: {score_text(row.original)})"
        with st.expander(label):
            for evidence in competency.evidence:
                if evidence.source == "whiteboard":
                    st.markdown(f"- :material/draw: {plain(evidence.quote)}")
                elif evidence.at_seconds is not None and report is not None:
                    link = transcript_link(report.session.id, evidence.at_seconds)
                    st.markdown(
                        f"> {plain(evidence.quote)}\n\n[{clock(evidence.at_seconds)}]({link}) in the transcript"
                    )
                else:
                    st.markdown(f"> {plain(evidence.quote)}")
            for item in board:
                st.markdown(f"- :material/draw: Whiteboard: {plain(item)}")
            for o in row.history if row else []:
                when = f"{o.created_at:%Y-%m-%d %H:%M} UTC" if o.created_at else ""
                st.markdown(
                    f"- :material/rate_review: **{plain(o.reviewer)}** {when}: {score_text(o.original_score)} → "
                    f"**{o.new_score:.1f}** — {plain(o.justification)}"
                )
            if adjust is not None and row is not None:
                adjust(row)

    if report is not None:
        st.subheader("Communication analysis")
        st.dataframe(
            pd.DataFrame(communication_rows(report), columns=["Measure", "Value"]),
            hide_index=True,
        )
        render_whiteboard_reading(report)
    elif evaluation.communication:
        with st.expander("Communication analysis"):
            st.json(evaluation.communication)


def render_whiteboard_reading(report: EvaluationReport) -> None:
    """The latest drawing read offline (shapes and labels) and, beside it, a vision model's reading of its picture."""
    reading = report.whiteboard_reading
    if not (report.whiteboard_summary or reading):
        return
    st.subheader("Whiteboard")
    offline, seen = st.columns(2) if reading else (st.container(), None)
    with offline:
        st.markdown("**Read from the drawing** (shapes, labels and lines)")
        for line in report.whiteboard_summary or ["Nothing was drawn."]:
            st.markdown(f"- {line}")
    if seen is not None and reading is not None:
        with seen:
            st.markdown(f"**The model's reading of the picture** ({reading.model})")
            for line in reading.lines():
                st.markdown(f"- {line}")
