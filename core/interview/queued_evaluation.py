"""An LLM evaluation on a worker: the interview page waits for it with progress, and a reload finds it again.

A model may take minutes to evaluate a long interview. When the server's own key pays for it, the
evaluation runs as a job: a closed tab or a restarted web server loses nothing, and a second replica
sees the same progress. A key typed by the person lives only in their tab's memory, so their
evaluation runs in their page as before (it is never written down for a worker to find).
"""

from __future__ import annotations

from core.errors import IllegalTransition
from core.interview.services import end_interview
from core.jobs import ledger
from core.jobs.runner import Progress, heartbeat
from core.llm.providers import LLMChoice, provider
from core.models import Job, SessionStatus
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.workspace import Workspace

EVALUATE = "llm_evaluation"


def runs_on_worker(session_provider: str, llm: LLMChoice | None) -> bool:
    """Only an LLM evaluation paid by the server's key: a worker can find that key, never a person's."""
    return llm is not None and llm.server_key and llm.provider == session_provider and provider(llm.provider).is_llm


def start_evaluation(ws: Workspace, session_id: str, *, actor: Actor, llm: LLMChoice | None) -> Job | None:
    """Hand the evaluation to a worker; None when it must run in the page (offline, or the person's own key).

    One job per session: asking again (a reload while it runs) returns the same job.
    """
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
    if not runs_on_worker(session.interviewer_provider, llm):
        return None
    assert llm is not None
    return ledger.submit(
        ws,
        EVALUATE,
        f"{EVALUATE}:{session_id}",
        actor=actor,
        payload={"session_id": session_id, "provider": llm.provider, "model": llm.model},
        session_id=session_id,
    )


def evaluation_job(ws: Workspace, session_id: str, *, actor: Actor) -> Job | None:
    """The interview's evaluation job as it stands (progress, done or failed), if it runs on a worker."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return uow.jobs.by_key(f"{EVALUATE}:{session_id}")


def evaluate_on_worker(ws: Workspace, job: Job, llm: LLMChoice, progress: Progress) -> str:
    """The job's work: evaluate and complete the interview for the person who ended it (the page checked they
    may). Idempotent: an interview already evaluated (by an earlier attempt, or by a page that stopped waiting
    for a worker) is left as it is."""
    session_id = str(job.payload["session_id"])
    with ws.uow_factory() as uow:
        status = uow.sessions.get(session_id).status
    if status is SessionStatus.COMPLETED:
        return "The interview was evaluated already."
    acting = Actor.workspace(job.actor or "system")  # the audit names whoever ended the interview
    try:  # a model may say nothing for minutes: the heartbeat keeps the job this worker's meanwhile
        with heartbeat(progress, ws.settings.jobs.lease_seconds / 3, "Evaluating") as report:
            evaluation = end_interview(ws, session_id, actor=acting, llm=llm, progress=report)
    except IllegalTransition:
        with ws.uow_factory() as uow:
            if uow.sessions.get(session_id).status is SessionStatus.COMPLETED:
                return "The interview was evaluated already."
        raise
    score = "not scored" if evaluation.overall_score is None else f"overall {evaluation.overall_score:.1f}/5"
    return f"Evaluated ({evaluation.engine}): {score}."
