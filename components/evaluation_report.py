"""The evaluation: overall score, per-competency chart, feedback, plan and evidence."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.models import Evaluation


def score_chart(evaluation: Evaluation) -> go.Figure:
    names = [c.name for c in evaluation.competencies][::-1]
    scores = [c.score for c in evaluation.competencies][::-1]
    colours = ["#2e7d32" if s >= 4 else "#f9a825" if s >= 3 else "#c62828" for s in scores]
    figure = go.Figure(
        go.Bar(x=scores, y=names, orientation="h", marker_color=colours, text=[f"{s:.1f}" for s in scores])
    )
    figure.update_layout(
        xaxis={"range": [0, 5], "title": "score (1–5)", "dtick": 1},
        height=60 + 38 * len(names),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
    )
    return figure


def render_evaluation(evaluation: Evaluation) -> None:
    top = st.columns([1, 3])
    with top[0]:
        st.metric("Overall score", f"{evaluation.overall_score:.1f} / 5")
        made_by = evaluation.engine + (
            f" · {evaluation.model} · prompt {evaluation.prompt_version}" if evaluation.model else ""
        )
        st.caption(f"Evaluator: {made_by} · rubric {evaluation.rubric_id} v{evaluation.rubric_version}")
        for note in evaluation.notes:
            st.info(note)
    with top[1]:
        st.plotly_chart(score_chart(evaluation), config={"displayModeBar": False})

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
                st.markdown(f"- {item}")

    st.subheader("Improvement plan")
    for number, step in enumerate(evaluation.improvement_plan, start=1):
        st.markdown(f"**{number}. {step.title}** — {step.detail}")
        for resource in step.resources:
            st.markdown(f"  - {resource}")

    st.subheader("Competencies")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Competency": c.name,
                    "Score": c.score,
                    "Confidence": f"{c.confidence:.0%}",
                    "Why": c.rationale,
                }
                for c in evaluation.competencies
            ]
        ),
        hide_index=True,
    )
    for competency in evaluation.competencies:
        if competency.evidence:
            with st.expander(f"Evidence — {competency.name}"):
                for evidence in competency.evidence:
                    st.markdown(f"> {evidence.quote}")

    if evaluation.communication:
        with st.expander("Communication analysis"):
            st.json(evaluation.communication)
