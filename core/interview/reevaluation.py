"""Evaluate again: a reviewer re-runs a finished interview's evaluation, and the earlier one is kept.

A reviewer wants a second look after a prompt, rubric or model changed, or after the transcript was improved.
The run is the interview's own evaluator (the model it was started with, or the offline engine) over the
interview as it stands. Model answers are kept by the SHA-256 of what was asked (core.llm.answer_cache), so an
unchanged interview costs nothing and the page says so: "6 of 6 model answers from the cache".

What happens to what was there:
- the evaluation it replaces is kept among the earlier evaluations, whole, with its approval and who replaced
  it when (the Evaluation page lists them); nothing vanishes;
- reviewers' score overrides stay in force: they are the reviewers' audited judgement, stored beside the
  evaluation, and the page shows the new evaluator's score beside each one;
- the new evaluation needs its own approval where approval is on (core.evaluation.release): the candidate sees
  "being reviewed" until a reviewer releases it again, and the page warns before the run;
- a model that does not answer (or the month's AI budget spent) gives the offline evaluator's result with a
  note: that never replaces a model's evaluation. The earlier one stays, and the run says why.

Paid by the server's key, the run is a job (the same queue as the evaluation when an interview ends): the page
shows its progress and a reload finds it again. A key typed by the reviewer stays in their tab, so their run
happens in their page. Every run is audited with the person who asked for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from core import audit
from core.errors import InvalidInput, NotFound
from core.evaluation.release import announce_release, approval_required
from core.evaluation.utterances import evaluation_utterances
from core.interview.queued_evaluation import runs_on_worker
from core.interview.services import cache_text, evaluation_outcome, usage_record
from core.jobs import ledger
from core.jobs.runner import Progress, heartbeat
from core.llm.chat_models import ChatError, Usage
from core.llm.providers import LLMChoice, chat_model_for, provider
from core.logs import session_context
from core.models import EarlierEvaluation, Evaluation, Job, JobStatus, SessionStatus
from core.outgoing_webhooks import deliveries
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.whiteboard.analysis import read_board
from core.whiteboard.snapshots import picture_path
from core.workspace import Workspace

log = logging.getLogger(__name__)

REEVALUATE = "llm_reevaluation"
OPERATION = "re_evaluation"  # the token usage of a re-run, apart from the first evaluation's


class NotReevaluable(InvalidInput):
    """The interview cannot be evaluated again as asked (still going, never evaluated, no key for its model)."""


@dataclass(frozen=True)
class Reevaluation:
    """How a re-run went, for the page (and a job's result) to say."""

    evaluation: Evaluation  # the evaluation in force afterwards
    replaced: bool  # False: the run fell back to the offline evaluator and the model's earlier evaluation stays
    note: str  # one sentence: what happened, what it cost, how much the answer cache gave


def _key(session_id: str, generation: int) -> str:
    """One job per evaluation it replaces, counted by how many the session's re-runs replaced before (an id
    could come back: SQLite hands a deleted row's id out again): asking twice while it runs (a double click, a
    reload) finds the first; once it is done the session has one more earlier evaluation, and a new run a new
    key."""
    return f"{REEVALUATE}:{session_id}:{generation}"


@dataclass(frozen=True)
class _Current:
    evaluation: Evaluation
    provider: str  # the session's
    generation: int  # how many evaluations re-runs replaced before this one


def _current(ws: Workspace, session_id: str, actor: Actor) -> _Current:
    """The evaluation to replace, after checking `actor` may and the run makes sense."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.REEVALUATE, session)
        evaluation = uow.evaluations.for_session(session_id)
        generation = len(uow.evaluations.earlier(session_id))
    if session.status is not SessionStatus.COMPLETED or evaluation is None:
        raise NotReevaluable("Only a finished interview with an evaluation can be evaluated again.")
    return _Current(evaluation, session.interviewer_provider, generation)


def check_model(ws: Workspace, session_provider: str, llm: LLMChoice | None) -> None:
    """Refuse a run that could only fall back to the offline evaluator for want of a key: it would replace
    nothing and spend a reviewer's wait. The model's own failures are found out by running."""
    info = provider(session_provider)
    if not info.is_llm:
        return
    if llm is None or llm.provider != info.key:
        raise NotReevaluable(
            f"This interview was evaluated by {info.label}, and this tab has no {info.label} key: enter one on "
            "the Setup page to evaluate it again."
        )
    try:
        chat_model_for(ws.settings, llm).close()
    except ChatError as exc:
        raise NotReevaluable(f"{info.label} cannot be used to evaluate it again: {exc}") from None


def start_reevaluation(ws: Workspace, session_id: str, *, actor: Actor, llm: LLMChoice | None) -> Job | None:
    """Hand the re-run to a worker; None when it must run in the page (offline, or the reviewer's own key)."""
    current = _current(ws, session_id, actor)
    check_model(ws, current.provider, llm)
    if not runs_on_worker(current.provider, llm):
        return None
    assert llm is not None
    key = _key(session_id, current.generation)
    payload = {"session_id": session_id, "provider": llm.provider, "model": llm.model, "generation": current.generation}
    with ws.uow_factory() as uow:
        earlier = uow.jobs.by_key(key)
        if earlier is not None and earlier.status in (JobStatus.DONE, JobStatus.FAILED):
            # asked again after a run that failed, or that kept this evaluation (the model did not answer)
            earlier.payload, earlier.actor = payload, actor.name
            again = ledger.reopen(uow, ws, earlier, reason=f"Asked again by {actor.name}.")
            uow.commit()
            ledger.send(ws, again)
            return again
    return ledger.submit(ws, REEVALUATE, key, actor=actor, payload=payload, session_id=session_id)


def earlier_evaluations(ws: Workspace, session_id: str, *, actor: Actor) -> list[EarlierEvaluation]:
    """The evaluations re-runs replaced, newest first, for those who may re-run (they were never all released)."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.REEVALUATE, uow.sessions.get(session_id))
        return uow.evaluations.earlier(session_id)


def reevaluation_job(ws: Workspace, session_id: str, *, actor: Actor, job_id: int | None = None) -> Job | None:
    """The re-run of the session's current evaluation, if one was asked for (queued, running, or failed); with
    `job_id`, that re-run as it stands (also once done, when the evaluation it replaced is gone)."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW_EVALUATION, uow.sessions.get(session_id))
        if job_id is not None:
            try:
                job = uow.jobs.get(job_id)
            except NotFound:
                return None
            return job if job.kind == REEVALUATE and job.session_id == session_id else None
        return uow.jobs.by_key(_key(session_id, len(uow.evaluations.earlier(session_id))))


def evaluate_again(
    ws: Workspace,
    session_id: str,
    *,
    actor: Actor,
    llm: LLMChoice | None,
    progress: Callable[[float, str], None] | None = None,
) -> Reevaluation:
    """Run the evaluation again and store it in place of the current one (kept among the earlier ones), with
    its usage and an audit entry naming `actor`, in one commit. See the module's docstring for what stays."""
    step = progress or (lambda done, note: None)
    step(0.02, "Reading the interview")
    current = _current(ws, session_id, actor)
    previous, session_provider = current.evaluation, current.provider
    check_model(ws, session_provider, llm)
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        utterances = evaluation_utterances(
            session, uow.messages.in_session(session_id), uow.transcripts.in_session(session_id)
        )
        drawing = uow.whiteboards.latest(session_id)
        picture = picture_path(uow, session_id)
    board = read_board(drawing.fabric_json) if drawing else None
    info = provider(session_provider)
    step(0.05, f"Evaluating again with {info.label}")
    outcome = evaluation_outcome(
        ws, session, utterances, llm, board, picture, progress=lambda done, note: step(0.05 + 0.9 * done, note)
    )
    fresh = outcome.evaluation
    fell_back = info.is_llm and fresh.engine != info.key
    replaced = not (fell_back and previous.engine == info.key)
    step(0.96, "Saving the evaluation")
    with session_context(session_id), ws.uow_factory() as uow:
        if len(uow.evaluations.earlier(session_id)) != current.generation:  # another run finished first
            raise NotReevaluable("Someone else evaluated this interview again meanwhile; the page shows theirs.")
        released = uow.evaluations.release_of(session_id) is not None
        kept = uow.evaluations.replace(fresh, replaced_at=ws.clock(), replaced_by=actor.name) if replaced else previous
        usage = Usage()
        if outcome.usage is not None and llm is not None:
            usage = outcome.usage
            entry = usage_record(ws, session_id, llm, OPERATION, outcome.usage, outcome.duration_ms)
            entry.answers, entry.cached_answers = outcome.answers, outcome.cached_answers
            uow.token_usage.add(entry)
        if outcome.picture_usage is not None and llm is not None:
            entry = usage_record(ws, session_id, llm, "whiteboard_analysis", outcome.picture_usage, outcome.picture_ms)
            entry.answers, entry.cached_answers = 1, int(outcome.picture_cached)
            uow.token_usage.add(entry)
            usage.add(outcome.picture_usage)
        overrides = len(uow.score_overrides.in_session(session_id))
        audit.record(
            uow,
            "evaluation_rerun",
            actor=actor.name,
            session_id=session_id,
            detail={
                "replaced": replaced,
                "previous_evaluation_id": previous.id,
                "previous_score": previous.overall_score,
                "evaluation_id": kept.id,
                "overall_score": fresh.overall_score,
                "engine": fresh.engine,
                "answers": outcome.answers,
                "cached_answers": outcome.cached_answers,
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "overrides_kept": overrides,
                "release_withdrawn": replaced and released and approval_required(ws),
            },
            logger=log,
        )
        hooks: list[Job] = []
        if replaced and not approval_required(ws):  # the candidate sees it at once, as after the interview
            hooks = announce_release(ws, uow, session_id, kept, released_at=ws.clock(), actor=actor)
        uow.commit()
    deliveries.wake(ws, hooks)
    note = _note(info.label, outcome.answers, outcome.cached_answers, usage, replaced=replaced, fresh=fresh)
    return Reevaluation(kept, replaced, note)


def _note(label: str, answers: int, cached: int, usage: Usage, *, replaced: bool, fresh: Evaluation) -> str:
    """ "Evaluated again: 6 of 6 model answers from the cache, nothing sent — it cost nothing." and the like."""
    if not replaced:
        why = fresh.notes[0] if fresh.notes else "the model gave no usable evaluation."
        return f"The earlier evaluation stays: {why}"
    score = "not scored" if fresh.overall_score is None else f"overall {fresh.overall_score:.1f}/5"
    if not answers:
        return f"Evaluated again by the offline evaluator on this machine ({score}); it costs nothing."
    from_cache = cache_text(answers, cached) or ""
    if cached == answers and not usage.input_tokens:
        return f"Evaluated again ({score}): {from_cache}, nothing sent to {label} — it cost nothing."
    spent = f"{usage.input_tokens + usage.output_tokens:,} tokens"
    if usage.cache_read_tokens:
        spent += f", {usage.cache_read_tokens / usage.input_tokens:.0%} of the input read from {label}'s prompt cache"
    return f"Evaluated again ({score}): {from_cache}; {spent}."


def reevaluate_on_worker(ws: Workspace, job: Job, llm: LLMChoice, progress: Progress) -> str:
    """The job's work, for the reviewer who asked (the page checked they may). Idempotent: an evaluation
    already replaced since the job was asked for (an earlier attempt finished) is left as it is."""
    session_id = str(job.payload["session_id"])
    with ws.uow_factory() as uow:
        generation = len(uow.evaluations.earlier(session_id))
    if generation != job.payload.get("generation"):
        return "The interview was evaluated again already."
    acting = Actor.workspace(job.actor or "system")  # the audit names the reviewer who asked
    # a model may say nothing for minutes: the heartbeat keeps the job this worker's meanwhile; a refusal
    # (NotReevaluable, a WorkspaceError) fails the job with its reason, for the page to show
    with heartbeat(progress, ws.settings.jobs.lease_seconds / 3, "Evaluating again") as report:
        return evaluate_again(ws, session_id, actor=acting, llm=llm, progress=report).note
