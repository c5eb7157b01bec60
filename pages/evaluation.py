"""Evaluation: scores, feedback and an improvement plan for a completed interview."""

from __future__ import annotations

import math
import time

import pandas as pd
import streamlit as st

from components.current_session import current_session_id, set_current_session
from components.evaluation_report import render_evaluation
from components.llm_choice import FREE, session_choice
from components.local_time import short
from components.plain_text import plain
from components.resources import get_workspace
from components.session_media import render_session_media
from components.signed_in import current_account
from core.errors import WorkspaceError
from core.evaluation.release import approve, withdraw
from core.evaluation.report import EvaluationReport, TranscriptLine, clock, load_report
from core.evaluation.report_export import report_markdown, report_pdf
from core.evaluation.reviews import EffectiveScore, override_score
from core.history.session_export import session_zip, zip_name
from core.interview.reevaluation import (
    Reevaluation,
    earlier_evaluations,
    evaluate_again,
    reevaluation_job,
    start_reevaluation,
)
from core.interview.services import cache_text, get_interview, list_history, prompt_cache_text, usage_summary
from core.live.sessions import is_live
from core.llm.providers import PROVIDERS
from core.media.capture import list_media
from core.models import EarlierEvaluation, Job, JobStatus, SessionStatus
from core.permissions.access import permitted
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction, scope
from core.speech.transcript_formats import speaker_label

RERUN_JOB = "evaluation_rerun_job"  # id of the "Evaluate again" job this tab waits for
RERUN_NOTICE = "evaluation_rerun_notice"  # a re-run that kept the earlier evaluation says why, once
NO_WORKER_SECONDS = 30.0  # a re-run no worker has started by then gets a hint about starting one

ws = get_workspace()
st.title("Evaluation")

account = current_account()
session_id = current_session_id()
if session_id and not permitted(ws, account, SessionAction.VIEW_EVALUATION, session_id):
    if permitted(ws, account, SessionAction.VIEW, session_id):  # theirs, not released yet: their own view says so
        st.switch_page("pages/share.py", query_params={"session": session_id})
    st.error("There is no interview with that id that you can open.")
    set_current_session(None)
    session_id = None
view = None
if session_id:
    try:
        if is_live(ws, session_id):  # led by a person: scorecard and recommendation are on the Debrief page
            st.switch_page("pages/debrief.py", query_params={"session": session_id})
        view = get_interview(ws, session_id, actor=Actor.person(account))
    except WorkspaceError:
        set_current_session(None)

if view is None or view.evaluation is None:
    completed, _ = list_history(ws, limit=30, statuses=[SessionStatus.COMPLETED], scope=scope(account))
    completed = [s for s in completed if permitted(ws, account, SessionAction.VIEW_EVALUATION, s.id)]
    if view is not None and view.session.is_open:
        st.info("This interview is still going: end it on the Interview page to get its evaluation.")
        st.page_link("pages/interview.py", label="Back to the interview", icon=":material/forum:")
    if not completed:
        st.info("No completed interviews yet. Start one on the Setup page.")
        st.page_link("pages/setup.py", label="Go to Setup", icon=":material/tune:")
        st.stop()
    chosen = st.selectbox(
        "Show the evaluation of",
        [s.id for s in completed],
        format_func=lambda sid: next(
            f"{short(s.created_at)} · {s.problem_title} · {s.candidate_name or 'Candidate'}"
            for s in completed
            if s.id == sid
        ),
        index=None,
        placeholder="Choose a completed interview",
    )
    if chosen is None:
        st.stop()
    set_current_session(chosen)
    view = get_interview(ws, chosen, actor=Actor.person(account))

assert view.evaluation is not None
evaluated_id = view.session.id  # for adjust_form: the narrowing of `view` above does not reach into functions
reviews = permitted(ws, account, SessionAction.REVIEW, evaluated_id)  # approve, withdraw, adjust scores
if notice := st.session_state.pop("evaluation_notice", None):  # set by the Interview page when it ended
    st.warning(notice)
who = view.candidate.name if view.candidate else "Candidate"
ended = short(view.session.ended_at)
elapsed = view.session.elapsed_seconds(ws.clock()) / 60
st.caption(f"{view.problem.title} · {who} · {ended} · {elapsed:.0f} min")
if flash := st.session_state.pop("evaluation_flash", None):
    st.success(flash)
if rerun_notice := st.session_state.pop(RERUN_NOTICE, None):
    st.warning(rerun_notice)
report = load_report(ws, view.session.id, actor=Actor.person(account))
rubric = ws.rubric(view.session.rubric_id)


def render_release(report: EvaluationReport) -> None:
    """Whether the candidate may see this evaluation yet, and the reviewer's approval that releases it."""
    release = report.release
    if release is None and not report.approval_required:
        st.caption("The candidate sees this evaluation as it is: approval before sharing is off.")
        return
    if release is not None:
        st.success(
            f"Released to the candidate on {short(release.approved_at)} by {plain(release.approved_by)}.",
            icon=":material/lock_open:",
        )
    else:
        st.warning(
            "Not released yet: the candidate sees this evaluation once a reviewer approves it.", icon=":material/lock:"
        )
    if not reviews:
        return
    label = "Withdraw the release" if release is not None else "Approve and release"
    icon = ":material/undo:" if release is not None else ":material/verified:"
    if st.button(label, type="secondary" if release is not None else "primary", icon=icon):
        try:
            if release is not None:
                withdraw(ws, report.session.id, actor=Actor.person(account))
            else:
                approve(ws, report.session.id, actor=Actor.person(account))
        except WorkspaceError as exc:
            st.error(str(exc))
        else:
            done = "withdrawn: the candidate sees it as being reviewed" if release else "released to the candidate"
            st.session_state["evaluation_flash"] = f"The evaluation is {done}."
            st.rerun()


def _said(outcome: Reevaluation | Job) -> None:
    """A finished re-run's sentence for the next run of the page: a success, or why the earlier one stays."""
    if isinstance(outcome, Reevaluation):
        replaced, note = outcome.replaced, outcome.note
    else:
        note = outcome.reason
        replaced = outcome.status is JobStatus.DONE and not note.startswith("The earlier evaluation stays")
    if outcome_failed := (isinstance(outcome, Job) and outcome.status is JobStatus.FAILED):
        note = f"Evaluating again did not finish: {note} The evaluation below is the earlier one."
    st.session_state["evaluation_flash" if replaced and not outcome_failed else RERUN_NOTICE] = note


def render_reevaluation(report: EvaluationReport) -> None:
    """ "Evaluate again": for the reviewers of the team (the policy's REEVALUATE); a worker runs it when the
    server's key pays (its progress here, found again after a reload), else it runs in this page."""
    session = report.session
    if not permitted(ws, account, SessionAction.REEVALUATE, session.id):
        return
    actor = Actor.person(account)
    watched = st.session_state.get(RERUN_JOB)
    job = reevaluation_job(ws, session.id, actor=actor, job_id=watched) if watched else None
    if job is None:  # a reload, or another tab's run: the re-run of the evaluation shown, if one was asked for
        job = reevaluation_job(ws, session.id, actor=actor)
    if job is not None and job.id is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        st.session_state[RERUN_JOB] = job.id
        rerun_progress(session.id, job.id)
        return
    if watched is not None and job is not None:  # the run this tab waited for has finished
        st.session_state.pop(RERUN_JOB, None)
        _said(job)
        st.rerun()
    overrides = sum(1 for row in report.scores.competencies if row.overridden)
    with st.popover("Evaluate again", icon=":material/refresh:"):
        st.markdown(
            "Runs this interview's evaluator again over the interview as it stands now. Model answers to an "
            "unchanged interview come from the cache: **it costs nothing**, and the usage below says so."
        )
        kept = ["The current evaluation is kept under *Earlier evaluations*."]
        if overrides:
            kept.append(f"The {overrides} score adjustment(s) by reviewers stay in force over the new scores.")
        if report.release is not None and report.approval_required:
            kept.append("It is released now: the new evaluation needs approving again before the candidate sees it.")
        st.caption(" ".join(kept))
        if st.button("Evaluate again now", type="primary", icon=":material/refresh:", key="reevaluate_now"):
            try:
                llm = session_choice(session)
                started = start_reevaluation(ws, session.id, actor=actor, llm=llm)
                if started is None:
                    with st.spinner("Evaluating again…"):
                        _said(evaluate_again(ws, session.id, actor=actor, llm=llm))
                else:
                    st.session_state[RERUN_JOB] = started.id
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.rerun()


@st.fragment(run_every=1.0)
def rerun_progress(session_id: str, job_id: int) -> None:
    """The worker's progress, read from the job each second; the page runs again once it has finished."""
    job = reevaluation_job(ws, session_id, actor=Actor.person(account), job_id=job_id)
    if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        st.rerun(scope="app")
    assert job is not None
    done = job.progress or 0.0
    note = job.progress_note or ("Evaluating again" if job.status is JobStatus.RUNNING else "Waiting for a worker")
    st.progress(done, text=f"{note}… {done:.0%}")
    waited = time.time() - job.created_at.timestamp() if job.created_at else 0.0
    if job.status is JobStatus.QUEUED and job.attempts == 0 and waited > NO_WORKER_SECONDS:
        st.caption("No background worker has taken it yet (`python -m core worker` runs one; startup.sh starts it).")


def render_earlier(session_id: str) -> None:
    """What re-runs replaced, newest first: nothing a re-run replaces vanishes."""
    if not permitted(ws, account, SessionAction.REEVALUATE, session_id):
        return
    earlier = earlier_evaluations(ws, session_id, actor=Actor.person(account))
    if not earlier:
        return
    st.subheader("Earlier evaluations")
    for item in earlier:
        with st.expander(_earlier_label(item)):
            approval = (
                f"Released on {short(item.approved_at)} by {plain(item.approved_by or '')}."
                if item.approved_at
                else "Never released to the candidate."
            )
            st.caption(f"Replaced on {short(item.replaced_at)} by {plain(item.replaced_by)}. {approval}")
            st.dataframe(
                pd.DataFrame(
                    [
                        {"Competency": c.name, "Score": "not scored" if c.score is None else f"{c.score:.1f}"}
                        for c in item.evaluation.competencies
                    ]
                ),
                hide_index=True,
            )
            for note in item.evaluation.notes:
                st.caption(plain(note))


def _earlier_label(item: EarlierEvaluation) -> str:
    evaluation = item.evaluation
    score = "not scored" if evaluation.overall_score is None else f"overall {evaluation.overall_score:.1f}"
    by = f"{evaluation.engine} {evaluation.model}" if evaluation.model else evaluation.engine
    return f"{short(evaluation.created_at)} · {by} · {score}"


def adjust_form(row: EffectiveScore) -> None:
    """A reviewer's override of one competency: new score, reason and name; the original stays on record."""
    low, high = rubric.score_range(row.key)
    with st.popover("Adjust score", icon=":material/edit:"), st.form(f"adjust_{row.key}"):
        score = st.number_input(
            f"New {row.name} score",
            min_value=low,
            max_value=high,
            value=row.score if row.score is not None else low,
            step=0.5,
            key=f"adjust_score_{row.key}",
        )
        justification = st.text_area("Justification (required)", key=f"adjust_reason_{row.key}")
        if report.release is not None:
            st.caption("Already released: the candidate sees the new score, beside the evaluator's original.")
        if st.form_submit_button("Save adjustment"):
            try:
                override_score(ws, evaluated_id, row.key, float(score), justification, actor=Actor.person(account))
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.session_state["evaluation_flash"] = f"{row.name} set to {score:.1f}; the original is kept."
                st.rerun()


def transcript_lines(lines: list[TranscriptLine], highlight: float | None = None) -> str:
    marked = min(lines, key=lambda line: abs(line.start - highlight)) if highlight is not None and lines else None
    out = []
    for line in lines:
        text = plain(" ".join(line.text.split()))
        entry = f"`{clock(line.start)}` **{speaker_label(line.speaker)}:** {text}"
        out.append(f":orange-background[{entry}]" if line is marked else entry)
    return "\n\n".join(out)


def requested_moment(report: EvaluationReport, lines: list[TranscriptLine]) -> float | None:
    """`?at=` (seconds into the interview, from an evidence link), or None — the whole transcript — for a value
    that is no moment of this session: not a number, nan, inf, -1e400, negative or past its end."""
    try:
        at = float(st.query_params.get("at", ""))
    except ValueError:
        return None
    length = max([report.session.elapsed_seconds(ws.clock()), *(line.start for line in lines)])
    return at if math.isfinite(at) and 0 <= at <= length else None


def render_transcript(report: EvaluationReport) -> None:
    """Evidence links open this section on the quote's moment (?at=seconds#transcript)."""
    st.subheader("Transcript", anchor="transcript")
    lines = report.lines()
    at = requested_moment(report, lines)
    if not lines:
        st.caption("Nothing was said or typed in this interview.")
    elif at is not None:
        st.caption(f"Around {clock(at)} — a minute either side of the quote.")
        st.markdown(transcript_lines(report.lines_near(at), at) or "Nothing was said around that time.")
        if st.button("Show the whole transcript"):
            st.query_params.pop("at", None)
            st.rerun()
    else:
        with st.expander(f"The whole transcript ({len(lines)} lines)"):
            st.markdown(transcript_lines(lines))


def render_exports(report: EvaluationReport) -> None:
    st.subheader("Export")
    stem = f"evaluation-{report.session.problem_id}-{report.session.id[:8]}"
    columns = st.columns(3)
    columns[0].download_button(
        "Report (Markdown)",
        data=report_markdown(report),
        file_name=f"{stem}.md",
        mime="text/markdown",
        icon=":material/description:",
        on_click="ignore",
    )
    columns[1].download_button(
        "Report (PDF)",
        data=lambda: report_pdf(report),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
    )
    columns[2].download_button(
        "Whole session (zip)",
        data=lambda: session_zip(ws, report.session.id, actor=Actor.person(account)),
        file_name=zip_name(ws, report.session.id, actor=Actor.person(account)),
        mime="application/zip",
        icon=":material/folder_zip:",
        on_click="ignore",
    )


render_release(report)
render_reevaluation(report)
render_evaluation(view.evaluation, report, adjust=adjust_form if reviews else None)
render_earlier(view.session.id)
render_transcript(report)
render_exports(report)

usage = usage_summary(ws, view.session.id, actor=Actor.person(account))
if usage.calls:
    st.subheader("Model usage")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Operation": operation.replace("_", " "),
                    "Calls": int(row["calls"]),
                    "Input tokens": int(row["input_tokens"]),
                    "Output tokens": int(row["output_tokens"]),
                    "Cost (USD)": round(row["cost_usd"], 4),
                    "Prompt cache": prompt_cache_text(row["input_tokens"], row["cache_read_tokens"]) or "—",
                    "From the cache": cache_text(row["answers"], row["cached_answers"]) or "—",
                }
                for operation, row in usage.by_operation.items()
            ]
        ),
        hide_index=True,
    )
    total = f"Total: {usage.input_tokens + usage.output_tokens:,} tokens · ${usage.cost_usd:.4f}"
    if usage.unpriced_models:
        total += f" (no price in config for {', '.join(usage.unpriced_models)})"
    for cached in (usage.prompt_cache_text(), usage.cache_text()):
        if cached:
            total += f" · {cached}"
    st.caption(total)
elif not PROVIDERS[view.session.interviewer_provider].is_llm:
    st.subheader("Model usage")
    st.caption(f"The offline engine ran this interview and its evaluation on this machine — {FREE}.")

if media := list_media(ws, view.session.id, actor=Actor.person(account)):
    st.subheader("Recordings")
    render_session_media(media, ws.files.absolute)
