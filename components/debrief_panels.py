"""The Debrief page's panels: the scorecard, the customer-discovery synthesis and the recommendation.

Each panel reads and writes through core services (core.debrief.scorecards, core.debrief.recommendations) with the
Workspace; none opens a database session. Widget keys start with the session id, so two sessions
debriefed in one browser never share a slider or a draft. A problem a person can fix (a missing
justification, a score out of range) is shown as the service's sentence, never as a stack trace.
"""

from __future__ import annotations

from typing import Literal

import streamlit as st

from components.local_time import short
from components.person_names import person_name
from components.plain_text import plain
from components.session_facts import field_labels, render_session_facts
from components.signed_in import current_actor
from core.content.templates import InterviewTemplate
from core.debrief.recommendations import RecommendationView, override_recommendation, recommend, recommendation_view
from core.debrief.scorecards import (
    MAX_SCORE,
    MIN_SCORE,
    SCORE_STEP,
    Scorecard,
    ScoreRow,
    scorecard,
    set_score,
    synthesis_for,
)
from core.debrief.synthesis import DiscoverySynthesis, Finding
from core.errors import InvalidInput, WorkspaceError
from core.live.sessions import live_template
from core.models import AuditEntry, RecommendationRecord
from core.permissions.actor import Actor
from core.workspace import Workspace

SCORE_OPTIONS = [MIN_SCORE + SCORE_STEP * i for i in range(int((MAX_SCORE - MIN_SCORE) / SCORE_STEP) + 1)]
BadgeColour = Literal["green", "orange", "red"]  # the st.badge colours the agreement badges use
AGREEMENT_BADGES: dict[str, tuple[str, BadgeColour]] = {
    "agrees": ("Agrees with the suggestion", "green"),
    "close": ("Close to the suggestion", "orange"),
    "differs": ("Differs from the suggestion", "red"),
}
ACTION_TEXT = {
    "recommendation_computed": "computed the recommendation",
    "recommendation_overridden": "overrode the recommendation",
    "follow_ups_created": "follow-up tasks were created",
    "pipeline_moved": "the pipeline status moved",
}


def score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:g}"


def nearest_option(score: float | None, default: float = 3.0) -> float:
    """A score as one of the slider's half steps (an evaluator's 3.7 becomes 3.5)."""
    if score is None:
        return default
    return min(SCORE_OPTIONS, key=lambda option: (abs(option - score), option))


# --- scorecard ---------------------------------------------------------------------------------------


def render_scorecard(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    """Every competency: its descriptors, the suggestion beside the interviewer's score and evidence."""
    try:
        card = scorecard(ws, session_id, actor=actor)
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    _summary(card)
    for row in card.rows:
        with st.container(border=True):
            _competency(ws, session_id, row, actor)


def _summary(card: Scorecard) -> None:
    names = {r.key: r.name for r in card.rows}
    columns = st.columns(1 + len(card.groups))
    columns[0].metric(
        "Overall",
        f"{card.overall:.2f} / 5" if card.overall is not None else "Not scored",
        help="The mean of the scores given so far, weighted by the rubric.",
    )
    for column, group in zip(columns[1:], card.groups, strict=True):
        weights = " · ".join(f"{names.get(k, k)} {w:g}" for k, w in group.weights.items())
        column.metric(
            group.title,
            f"{group.score:.2f} / 5" if group.score is not None else "Not scored",
            help=f"{group.description} Weights: {weights}.".strip(),
        )
        column.caption(f"{group.scored} of {group.total} scored")
    agreement = f" · {card.agreement_rate:.0%} agree with the suggestions" if card.agreement_rate is not None else ""
    st.caption(f"{card.scored} of {len(card.rows)} competencies scored{agreement}.")


def _competency(ws: Workspace, session_id: str, row: ScoreRow, actor: Actor) -> None:
    levels = "\n\n".join(f"**{level}** — {text}" for level, text in sorted(row.descriptors.items()))
    group = f" · {row.group_title}" if row.group_title else ""
    st.markdown(f"**{row.name}**{group} · weight {row.weight:g}", help=f"{row.description}\n\n{levels}".strip())
    left, right = st.columns([2, 3])
    with left:
        if row.suggested_score is None:
            st.caption("No suggestion: there was too little to judge from.")
        else:
            st.markdown(f"Suggested: **{score_text(row.suggested_score)}**")
            st.caption(plain(row.suggestion_rationale))
            for quote in row.suggestion_evidence:
                st.caption(f"“{plain(quote)}”")
        if row.score is not None:
            when = short(row.set_at) if row.set_at else ""
            st.markdown(
                f"Final: **{score_text(row.score)}** · set by {plain(person_name(ws, row.set_by))} {when}".rstrip()
            )
            if row.agreement in AGREEMENT_BADGES:
                label, colour = AGREEMENT_BADGES[row.agreement]
                st.badge(label, color=colour)
    with right, st.form(f"{session_id}_score_{row.key}", border=False):
        score = st.select_slider(
            "Score",
            options=SCORE_OPTIONS,
            value=nearest_option(row.score if row.score is not None else row.suggested_score),
            format_func=lambda s: f"{s:g}",
            key=f"{session_id}_score_{row.key}_value",
        )
        evidence = st.text_area(
            "Evidence",
            value=row.evidence,
            placeholder="What they said or did that justifies the score",
            key=f"{session_id}_score_{row.key}_evidence",
            height=80,
        )
        if st.form_submit_button("Save score", icon=":material/save:"):
            try:
                set_score(ws, session_id, competency=row.key, score=score, evidence=evidence, actor=actor)
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.rerun()
    if len(row.history) > 1:
        with st.expander(f"Earlier scores ({len(row.history) - 1})"):
            for entry in row.history[1:]:
                when = short(entry.created_at) if entry.created_at else ""
                who = plain(person_name(ws, entry.set_by))
                st.markdown(f"- **{score_text(entry.score)}** by {who} {when}: {plain(entry.evidence)}")


# --- synthesis ---------------------------------------------------------------------------------------


def render_synthesis(ws: Workspace, session_id: str) -> None:
    """Jobs by type, top pains and outcomes, requests, objections, conflicts, gaps and the fit scores."""
    try:
        found = synthesis_for(ws, session_id, actor=current_actor())
        card = scorecard(ws, session_id, actor=current_actor())
        template = live_template(ws, session_id)
    except InvalidInput as exc:  # not a customer-discovery session: nothing to synthesise, nothing wrong
        st.info(str(exc))
        return
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    _fit_scores(card)
    _jobs(found, template)
    pains, outcomes = st.columns(2)
    with pains:
        st.subheader("Top pains")
        _findings(found.top_pains, "No pains were noted.")
    with outcomes:
        st.subheader("Top desired outcomes")
        _findings(found.top_outcomes, "No desired outcomes were noted.")
    features, objections = st.columns(2)
    with features:
        st.subheader("Feature requests")
        _findings(found.features, "No feature requests were noted.")
    with objections:
        st.subheader("Objections")
        _findings(found.objections, "No objections were noted.")
    _conflicts(found)
    _facts(found, template)
    _gaps(found, template)


def _fit_scores(card: Scorecard) -> None:
    names = {r.key: r.name for r in card.rows}
    columns = st.columns(max(1, len(card.groups)))
    for column, group in zip(columns, card.groups, strict=False):
        with column:
            value = f"{group.score:.2f} / 5" if group.score is not None else "Not scored"
            st.metric(group.title, value, help=group.description or None)
            total = sum(group.weights.values()) or 1.0
            for key, weight in group.weights.items():
                row = card.row(key)
                st.caption(f"{names.get(key, key)} · weight {weight / total:.0%} · score {score_text(row.score)}")


def _jobs(found: DiscoverySynthesis, template: InterviewTemplate) -> None:
    st.subheader("Jobs to be done")
    labels = {c.key: c.label for c in template.notes.jtbd_types} if template.notes else {}
    if not found.jobs:
        st.caption("This template does not classify jobs.")
        return
    columns = st.columns(len(found.jobs))
    for column, (kind, jobs) in zip(columns, found.jobs.items(), strict=True):
        with column:
            st.markdown(f"**{labels.get(kind, kind.capitalize())}** ({len(jobs)})")
            _findings(jobs, "None noted.")


def _findings(findings: list[Finding], empty: str) -> None:
    if not findings:
        st.caption(empty)
        return
    for finding in findings:
        extra = [f"importance {finding.importance}/5" if finding.importance else "", finding.frequency or ""]
        meta = " · ".join(e for e in extra if e)
        st.markdown(f"- {plain(finding.text)}" + (f" — *{plain(meta)}*" if meta else ""))
        for quote in finding.quotes:
            st.caption(f"“{plain(quote)}”")
        if finding.workaround:
            st.caption(f"Today: {plain(finding.workaround)}")
        if finding.fact_keys:
            st.caption("Also states: " + ", ".join(k.replace("_", " ") for k in finding.fact_keys))


def _conflicts(found: DiscoverySynthesis) -> None:
    st.subheader("Conflicts between jobs")
    if not found.conflicts:
        st.caption("No notes pull against each other.")
        return
    for conflict in found.conflicts:
        st.markdown(
            f"**{conflict.label}**: “{conflict.side_a.text}” ({conflict.phrase_a}) "
            f"vs “{conflict.side_b.text}” ({conflict.phrase_b})"
        )


def _facts(found: DiscoverySynthesis, template: InterviewTemplate) -> None:
    st.subheader("Session facts")
    st.caption("From the facts tab, the notes and the transcript; each shows where it was stated.")
    render_session_facts(template, found.found_facts)
    if found.fact_notes:
        labels = field_labels(template)
        tags = {c.key: c.label.lower() for c in template.notes.tags} if template.notes else {}
        for note in found.fact_notes:
            kinds = ", ".join(labels.get(k, k).lower() for k in note.fact_keys)
            tag = f", not as {tags.get(note.tag, note.tag)}" if note.tag else ""
            st.caption(f"Filed as facts ({kinds}){tag}: “{plain(note.text)}”")


def _gaps(found: DiscoverySynthesis, template: InterviewTemplate) -> None:
    st.subheader("Gaps")
    if not found.gaps:
        st.caption("Every session fact is recorded and every goal was covered.")
        return
    if found.missing_facts:
        st.markdown("Not recorded: " + ", ".join(g.label for g in found.missing_facts) + ".")
    titles = {s.key: s.title for s in template.stages}
    for gap in found.open_goals:
        st.markdown(f"- *{titles.get(gap.stage, gap.stage)}*: {gap.label}")


# --- recommendation ----------------------------------------------------------------------------------


def render_recommendation(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    """The standing recommendation, what the scorecard suggests and why, an override form and the history."""
    try:
        view = recommendation_view(ws, session_id, actor=actor)
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    _current(ws, view)
    _computed(ws, session_id, view, actor)
    _override(ws, session_id, view, actor)
    _history(ws, view)


def _current(ws: Workspace, view: RecommendationView) -> None:
    record = view.current
    if record is None:
        st.info("No recommendation yet. Score the competencies, then compute one.")
        return
    st.subheader(view.label)
    if view.description:
        st.caption(view.description)
    st.markdown(_record_line(ws, view, record))
    if record.justification:
        st.markdown(f"> {plain(record.justification)}")


def _computed(ws: Workspace, session_id: str, view: RecommendationView, actor: Actor) -> None:
    with st.container(border=True):
        computed = view.computed
        if computed is None:
            st.caption("Nothing is scored yet, so the scorecard suggests no recommendation.")
        else:
            st.markdown(f"The scorecard suggests **{computed.label}** · confidence **{computed.confidence:.0%}**")
            for reason in computed.reasons:
                st.markdown(f"- {reason}")
        if st.button(
            "Compute recommendation",
            key=f"{session_id}_recommend",
            icon=":material/calculate:",
            disabled=computed is None,
            type="primary" if view.current is None else "secondary",
        ):
            try:
                recommend(ws, session_id, actor=actor)
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.rerun()


def _override(ws: Workspace, session_id: str, view: RecommendationView, actor: Actor) -> None:
    keys = [key for key, _ in view.choices]
    current = keys.index(view.current.key) if view.current and view.current.key in keys else 0
    with st.expander("Override the recommendation"), st.form(f"{session_id}_override", clear_on_submit=False):
        key = st.selectbox(
            "Recommendation",
            keys,
            index=current,
            format_func=view.label_of,
            key=f"{session_id}_override_key",
        )
        justification = st.text_area(
            "Justification (required)",
            placeholder="Why this recommendation rather than the computed one",
            key=f"{session_id}_override_justification",
        )
        if st.form_submit_button("Override", icon=":material/edit_note:"):
            try:
                override_recommendation(ws, session_id, key=key, justification=justification, actor=actor)
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.rerun()


def _history(ws: Workspace, view: RecommendationView) -> None:
    if not view.history and not view.audit:
        return
    with st.expander(f"History ({len(view.history)})"):
        for record in view.history:
            line = f"**{view.label_of(record.key)}** · {_record_line(ws, view, record)}"
            st.markdown(f"- {line}" + (f" — {record.justification}" if record.justification else ""))
        if view.audit:
            st.markdown("**Audit trail**")
            for entry in view.audit:
                st.caption(_audit_line(ws, view, entry))


def _record_line(ws: Workspace, view: RecommendationView, record: RecommendationRecord) -> str:
    when = short(record.created_at) if record.created_at else ""
    if record.source == "override":
        previous = record.basis.get("from")
        was = f" (was {view.label_of(previous)})" if previous else ""
        return f"overridden by {plain(person_name(ws, record.actor))} {when}{was}".rstrip()
    return f"computed by {plain(person_name(ws, record.actor))} {when} · confidence {record.confidence:.0%}"


def _audit_line(ws: Workspace, view: RecommendationView, entry: AuditEntry) -> str:
    when = short(entry.created_at) if entry.created_at else ""
    what = ACTION_TEXT.get(entry.action, entry.action.replace("_", " "))
    detail = entry.detail
    if entry.action == "recommendation_overridden":
        what += f": {view.label_of(detail.get('from') or '') or 'none'} → {view.label_of(detail.get('to', ''))}"
    elif entry.action == "recommendation_computed":
        what += f": {view.label_of(detail.get('key', ''))}"
    elif entry.action == "pipeline_moved":
        what += f" to {detail.get('to', '')}"
    elif entry.action == "follow_ups_created":
        what += f" ({len(detail.get('tasks', []))})"
    return (
        f"{when} · {plain(person_name(ws, entry.actor))} {what}"
        if entry.action.startswith("recommendation")
        else f"{when} · {what}"
    )
