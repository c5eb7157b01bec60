"""What each kind of job does: the core service a worker calls for it.

Every handler is idempotent. A webhook event already applied is left as it is (core.scheduling
checks its status in the same transaction that applies it); a retention run deletes only what has
expired, so a second run finds nothing more.
"""

from __future__ import annotations

from core.jobs.runner import Failed, Handler, Progress, TryAgain
from core.models import Job
from core.permissions.actor import Actor
from core.privacy.retention import apply_retention
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.workspace import Workspace

CALCOM_WEBHOOK = "calcom_webhook"
RETENTION = "retention"

SYSTEM = Actor.workspace("system")
CALCOM = Actor.workspace("calcom")


def apply_calcom_event(ws: Workspace, job: Job, progress: Progress) -> str:
    event = calcom_webhooks.process(ws, int(job.payload["event_id"]))
    if event.status == "retry":
        wait = (event.next_attempt_at - ws.clock()).total_seconds() if event.next_attempt_at else None
        raise TryAgain(event.outcome, after=max(wait, 0.0) if wait is not None else None)
    if event.status == "failed":
        raise Failed(event.outcome)  # the event itself cannot be applied
    return f"Webhook #{event.id} ({event.trigger or 'unknown'}): {event.status}. {event.outcome}".strip()


def clean_up(ws: Workspace, job: Job, progress: Progress) -> str:
    progress(0.0, "Deleting what the retention settings say has expired")
    report = apply_retention(ws, actor=SYSTEM)
    removed = ", ".join(f"{count} {kind}" for kind, count in report.counts().items() if count) or "nothing"
    return f"Retention cleanup removed {removed}."


HANDLERS: dict[str, Handler] = {CALCOM_WEBHOOK: apply_calcom_event, RETENTION: clean_up}


def calcom_event_key(event_id: int) -> str:
    return f"{CALCOM_WEBHOOK}:{event_id}"
