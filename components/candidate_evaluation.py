"""The evaluation as its candidate sees it: scores in force, feedback, plan and the report to keep.

Only what the candidate may read: no evaluator internals, no links into reviewer pages. The page
decides whether the evaluation is released (core.evaluation.release) and hands over the report, or
says it is being reviewed with `render_awaiting`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.plain_text import plain
from core.evaluation.report import EvaluationReport, score_text
from core.evaluation.report_export import report_pdf

AWAITING = (
    "Your evaluation is being reviewed. A reviewer checks every AI evaluation before it is shared; "
    "it appears here as soon as they approve it."
)


def render_awaiting() -> None:
    st.info(AWAITING, icon=":material/hourglass_top:")


def render_candidate_evaluation(report: EvaluationReport) -> None:
    scores = report.scores
    st.subheader("Your evaluation")
    overall = scores.overall
    st.metric("Overall score", f"{overall:.1f} / 5" if overall is not None else "Not scored")
    if scores.overridden:
        st.caption(f"Adjusted by a reviewer; the evaluator's original: {score_text(scores.original_overall)}")
    if not report.scored:
        st.warning(report.evaluation.notes[0] if report.evaluation.notes else "Not enough to judge.")
    st.dataframe(
        pd.DataFrame(
            [
                {"Competency": c.name, "Score": score_text(c.score), "Why": original.rationale}
                for c, original in zip(scores.competencies, report.evaluation.competencies, strict=True)
            ]
        ),
        hide_index=True,
    )
    evaluation = report.evaluation
    for title, items in (
        ("Went well", evaluation.went_well),
        ("Went okay", evaluation.went_okay),
        ("Needs improvement", evaluation.needs_improvement),
    ):
        st.markdown(f"**{title}**")
        for item in items or ["—"]:
            st.markdown(f"- {plain(item)}")
    st.markdown("**Improvement plan**")
    for number, step in enumerate(evaluation.improvement_plan, start=1):
        st.markdown(f"{number}. **{plain(step.title)}** — {plain(step.detail)}")
        for resource in step.resources:  # from the rubric, not from the interview
            st.markdown(f"   - {resource}")
    st.download_button(
        "Download the report (PDF)",
        data=lambda: report_pdf(report),
        file_name=f"evaluation-{report.session.problem_id}-{report.session.id[:8]}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
    )
