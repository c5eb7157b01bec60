"""How a submitted job reaches a worker: the JobQueue port.

The jobs table is what is owed; a queue message only wakes a worker sooner. Without a transport
(LedgerOnly, the default for a Workspace built by hand) workers still find every job on their sweep.
entry/job_queue.py gives the real one (Huey on SQLite, or on Redis when REDIS_URL is set).
"""

from __future__ import annotations

from typing import Protocol


class JobQueue(Protocol):
    def send(self, job_id: int, *, delay: float = 0.0) -> None:
        """Ask a worker to run the job now, or after `delay` seconds. May raise when the broker is down:
        the job is stored already, and the next sweep sends it again."""
        ...


class LedgerOnly:
    """No transport: jobs wait in the ledger until a worker's sweep finds them."""

    def send(self, job_id: int, *, delay: float = 0.0) -> None:
        return None
