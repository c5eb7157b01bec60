"""Fake of the jobs ledger: the same claim and settle rules as storage's conditional UPDATEs."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from core.errors import AlreadyExists
from core.models import Job, JobStatus
from tests.fakes.base import FakeIntegrityError, Mirror, sorted_by


class FakeJobRepository(Mirror[Job, int]):
    model = Job
    table = "jobs"
    noun = "job"
    autoincrement = True
    enums = MappingProxyType({"status": JobStatus})
    json_columns = ("payload",)
    unique = ("key",)

    def add(self, item: Job) -> Job:
        try:
            return super().add(item)
        except FakeIntegrityError as exc:
            raise AlreadyExists(f"Job {item.key} is already stored.") from exc

    def add_all(self, jobs: list[Job]) -> list[Job]:
        return [self.add(job) for job in jobs]

    def by_key(self, key: str) -> Job | None:
        return self._first(key=key)

    def claim(self, job_id: int, *, now: datetime, lease_until: datetime) -> Job | None:
        row = self._rows.get(job_id)
        if row is None or not (_queued_and_due(row, now) or _lost(row, now)):
            return None
        row.status, row.attempts, row.lease_until, row.updated_at = (
            JobStatus.RUNNING,
            row.attempts + 1,
            lease_until,
            now,
        )
        return copy.deepcopy(row)

    def settle(self, job_id: int, attempt: int, changes: dict[str, Any]) -> bool:
        row = self._rows.get(job_id)
        if row is None or row.attempts != attempt or row.status is not JobStatus.RUNNING:
            return False
        self._write(self._values(replace(row, **changes)))
        return True

    def withdraw(self, job_id: int, *, reason: str, at: datetime) -> bool:
        row = self._rows.get(job_id)
        if row is None or row.status not in (JobStatus.QUEUED, JobStatus.FAILED):
            return False
        done = replace(
            row, status=JobStatus.DONE, reason=reason[:2000], run_after=None, lease_until=None, finished_at=at
        )
        self._write(self._values(done))
        return True

    def due(self, *, now: datetime, sent_before: datetime, limit: int = 100) -> list[Job]:
        rows = [
            r
            for r in self._rows.values()
            if (_queued_and_due(r, now) and (r.sent_at is None or r.sent_at < sent_before)) or _lost(r, now)
        ]
        return copy.deepcopy(sorted_by(rows, "id")[: max(limit, 0)])

    def mark_sent(self, job_ids: list[int], at: datetime) -> None:
        for job_id in job_ids:
            if job_id in self._rows:
                self._rows[job_id].sent_at = at

    def latest(
        self, *, limit: int = 100, statuses: list[JobStatus] | None = None, session_id: str | None = None
    ) -> list[Job]:
        rows = [
            r
            for r in self._rows.values()
            if (not statuses or r.status in statuses) and (session_id is None or r.session_id == session_id)
        ]
        return copy.deepcopy(sorted_by(rows, "created_at", "id", reverse=True)[: max(limit, 0)])

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for row in self._rows.values():
            found[row.status.value] = found.get(row.status.value, 0) + 1
        return found


def _queued_and_due(row: Job, at: datetime) -> bool:
    return row.status is JobStatus.QUEUED and (row.run_after is None or row.run_after <= at)


def _lost(row: Job, at: datetime) -> bool:
    return row.status is JobStatus.RUNNING and row.lease_until is not None and row.lease_until < at
