"""What each kind of job does: the core service a worker calls for it.

Every handler is idempotent. A webhook event already applied is left as it is (core.scheduling
checks its status in the same transaction that applies it); a retention run deletes only what has
expired, so a second run finds nothing more; an accurate pass replaces the live lines wholesale; an
interview already evaluated is not evaluated again, nor an evaluation its re-run already replaced; an email
the mail server accepted is marked sent and never sent again; a webhook a receiver accepted is marked
delivered and never sent again.
"""

from __future__ import annotations

from core.interview.queued_evaluation import EVALUATE, evaluate_on_worker
from core.interview.reevaluation import REEVALUATE, reevaluate_on_worker
from core.jobs.runner import Failed, Handler, Progress, TryAgain
from core.llm.providers import LLMChoice, resolve_api_key
from core.models import Job
from core.notifications import text_delivery
from core.notifications.delivery import deliver
from core.notifications.outbox import SEND_EMAIL, SEND_TEXT
from core.outgoing_webhooks import sending as webhook_sending
from core.outgoing_webhooks.deliveries import DELIVER_WEBHOOK
from core.permissions.actor import Actor
from core.privacy.retention import apply_retention
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.speech.session_audio import ACCURATE_PASS, refine_transcript
from core.workspace import Workspace
from entry.streamlit_secrets import streamlit_secrets

RETENTION = "retention"

SYSTEM = Actor.workspace("system")


def apply_calcom_event(ws: Workspace, job: Job, progress: Progress) -> str:
    event = calcom_webhooks.process(ws, int(job.payload["event_id"]))
    if event.status == "retry":
        wait = (event.next_attempt_at - ws.clock()).total_seconds() if event.next_attempt_at else None
        raise TryAgain(event.outcome, after=max(wait, 0.0) if wait is not None else None)
    if event.status == "failed":
        raise Failed(f"Webhook #{event.id} could not be applied; the webhook log says why.")
    # Not the event's outcome: it may name the booker, and a job's record outlives an erasure
    return f"Webhook #{event.id} ({event.trigger or 'unknown'}): {event.status}; the webhook log has the details."


def clean_up(ws: Workspace, job: Job, progress: Progress) -> str:
    progress(0.0, "Deleting what the retention settings say has expired")
    report = apply_retention(ws, actor=SYSTEM)
    removed = ", ".join(f"{count} {kind}" for kind, count in report.counts().items() if count) or "nothing"
    return f"Retention cleanup removed {removed}."


def improve_transcript(ws: Workspace, job: Job, progress: Progress) -> str:
    """The accurate pass when an interview ends: it replaces the live lines wholesale, so a rerun is harmless."""
    result = refine_transcript(
        ws, str(job.payload["session_id"]), progress=lambda done: progress(done, "Improving the transcript")
    )
    if result is None:
        return "Nothing was recorded; the transcript is as it was."
    return (
        f"Re-transcribed {result.recordings} recording(s) with {result.model}: "
        f"{result.added} lines in place of {result.replaced} live ones."
    )


def evaluate_interview(ws: Workspace, job: Job, progress: Progress) -> str:
    """An LLM evaluation paid by the server's key, found here as the pages find it (secrets, then environment)."""
    name = str(job.payload["provider"])
    key = resolve_api_key(name, secrets=streamlit_secrets())
    llm = LLMChoice(name, str(job.payload["model"]), key, server_key=True)
    return evaluate_on_worker(ws, job, llm, progress)


def reevaluate_interview(ws: Workspace, job: Job, progress: Progress) -> str:
    """A reviewer's "Evaluate again" paid by the server's key (found as for the first evaluation)."""
    name = str(job.payload["provider"])
    key = resolve_api_key(name, secrets=streamlit_secrets())
    llm = LLMChoice(name, str(job.payload["model"]), key, server_key=True)
    return reevaluate_on_worker(ws, job, llm, progress)


def send_email(ws: Workspace, job: Job, progress: Progress) -> str:
    """One outbox message to the mail server; its last try gives up with the reason in the outbox."""
    message_id = int(job.payload["message_id"])
    return deliver(ws, message_id, attempt=job.attempts, last_attempt=job.attempts >= job.max_attempts)


def send_text(ws: Workspace, job: Job, progress: Progress) -> str:
    """One Slack post or text message of the outbox; its last try gives up with the reason in the outbox."""
    message_id = int(job.payload["message_id"])
    return text_delivery.deliver(ws, message_id, attempt=job.attempts, last_attempt=job.attempts >= job.max_attempts)


def deliver_webhook(ws: Workspace, job: Job, progress: Progress) -> str:
    """One outgoing webhook to its receiver; the delivery's own retry schedule decides when to try again."""
    return webhook_sending.deliver(ws, int(job.payload["delivery_id"]), attempt=job.attempts)


HANDLERS: dict[str, Handler] = {
    calcom_webhooks.APPLY_EVENT: apply_calcom_event,
    RETENTION: clean_up,
    ACCURATE_PASS: improve_transcript,
    EVALUATE: evaluate_interview,
    REEVALUATE: reevaluate_interview,
    SEND_EMAIL: send_email,
    SEND_TEXT: send_text,
    DELIVER_WEBHOOK: deliver_webhook,
}
