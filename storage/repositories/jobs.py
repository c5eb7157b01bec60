"""The jobs ledger: claims and settlements are single conditional UPDATEs, so workers never share a job."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from core.errors import AlreadyExists
from core.models import Job, JobStatus
from storage.repositories.base import EnumFields, SqlRepository, now
from storage.tables import JobRow


class SqlJobRepository(SqlRepository[Job, JobRow]):
    model = Job
    row_type = JobRow
    missing = "No job {}."
    enums: ClassVar[EnumFields] = {"status": JobStatus}

    def add(self, job: Job) -> Job:
        try:
            return self._add(job)
        except IntegrityError as exc:
            raise AlreadyExists(f"Job {job.key} is already stored.") from exc

    def add_all(self, jobs: list[Job]) -> list[Job]:
        """One multi-row INSERT … RETURNING for the batch."""
        try:
            return self._add_many(jobs)
        except IntegrityError as exc:
            raise AlreadyExists("A job of this batch is already stored.") from exc

    def get(self, job_id: int) -> Job:
        return self._get(job_id)

    def update(self, job: Job) -> Job:
        return self._update(job, job.id)

    def by_key(self, key: str) -> Job | None:
        return self._first(select(JobRow).where(JobRow.key == key))

    def claim(self, job_id: int, *, now: datetime, lease_until: datetime) -> Job | None:
        queued_and_due = and_(
            JobRow.status == JobStatus.QUEUED.value, or_(JobRow.run_after.is_(None), JobRow.run_after <= now)
        )
        lost = and_(JobRow.status == JobStatus.RUNNING.value, JobRow.lease_until < now)
        claimed = self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, or_(queued_and_due, lost))
            .values(
                status=JobStatus.RUNNING.value, attempts=JobRow.attempts + 1, lease_until=lease_until, updated_at=now
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        self._session.expire_all()
        return self._get(job_id)

    def settle(self, job_id: int, attempt: int, changes: dict[str, Any]) -> bool:
        values = {name: (str(value) if name in self.enums else value) for name, value in changes.items()}
        written = self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.attempts == attempt, JobRow.status == JobStatus.RUNNING.value)
            .values(**values, updated_at=now())
            .execution_options(synchronize_session=False)
        )
        self._session.expire_all()
        return bool(written.rowcount == 1)  # type: ignore[attr-defined]

    def withdraw(self, job_id: int, *, reason: str, at: datetime) -> bool:
        written = self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_([JobStatus.QUEUED.value, JobStatus.FAILED.value]))
            .values(
                status=JobStatus.DONE.value,
                reason=reason[:2000],
                run_after=None,
                lease_until=None,
                finished_at=at,
                updated_at=now(),
            )
            .execution_options(synchronize_session=False)
        )
        self._session.expire_all()
        return bool(written.rowcount == 1)  # type: ignore[attr-defined]

    def due(self, *, now: datetime, sent_before: datetime, limit: int = 100) -> list[Job]:
        queued = and_(
            JobRow.status == JobStatus.QUEUED.value,
            or_(JobRow.run_after.is_(None), JobRow.run_after <= now),
            or_(JobRow.sent_at.is_(None), JobRow.sent_at < sent_before),
        )
        lost = and_(JobRow.status == JobStatus.RUNNING.value, JobRow.lease_until < now)
        return self._many(select(JobRow).where(or_(queued, lost)).order_by(JobRow.id).limit(limit))

    def mark_sent(self, job_ids: list[int], at: datetime) -> None:
        if job_ids:
            self._session.execute(
                update(JobRow)
                .where(JobRow.id.in_(job_ids))
                .values(sent_at=at)
                .execution_options(synchronize_session=False)
            )
            self._session.expire_all()

    def latest(
        self, *, limit: int = 100, statuses: list[JobStatus] | None = None, session_id: str | None = None
    ) -> list[Job]:
        query = select(JobRow)
        if statuses:
            query = query.where(JobRow.status.in_([s.value for s in statuses]))
        if session_id is not None:
            query = query.where(JobRow.session_id == session_id)
        return self._many(query.order_by(JobRow.created_at.desc(), JobRow.id.desc()).limit(limit))

    def counts(self) -> dict[str, int]:
        rows = self._session.execute(select(JobRow.status, func.count()).group_by(JobRow.status))
        return {status: count for status, count in rows}
