"""`python -m core worker` with one more kind of job, "nap", for the tests that kill a worker mid-job.

A nap sleeps (long on its first attempt, so the test can kill the worker in the middle), then records
one "napped" audit entry for its job; a nap already recorded is not recorded again, as every handler
must be idempotent. Run as `python tests/integration/jobs/napping_worker.py` with the worker's IW_* settings.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from core import audit
from core.config import load_settings
from core.jobs.runner import Progress
from core.models import Job
from core.workspace import Workspace
from entry.worker import run_worker

NAP = "nap"


def naps_of(ws: Workspace, job_id: int) -> int:
    with ws.uow_factory() as uow:
        return sum(1 for e in uow.audit.latest(limit=10_000) if e.action == "napped" and e.detail.get("job") == job_id)


def nap(ws: Workspace, job: Job, progress: Progress) -> str:
    assert job.id is not None
    progress(0.1, f"Napping, attempt {job.attempts}")
    time.sleep(float(job.payload["first"]) if job.attempts == 1 else float(job.payload.get("then", 0.0)))
    if naps_of(ws, job.id):
        return "Already napped."
    with ws.uow_factory() as uow:
        audit.record(uow, "napped", actor="system", detail={"job": job.id, "attempt": job.attempts})
        uow.commit()
    return "Napped."


if __name__ == "__main__":
    run_worker(load_settings(), more_handlers={NAP: nap})
