"""Candidates and their resumes (the extracted text and profile; the file itself is in the file store)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import Column, ColumnElement, false, or_, select, true, update

from core.errors import NotFound
from core.models import Candidate, CandidateScope, Level, Resume, ResumeProfile, email_key
from storage.repositories.base import SqlRepository, now, utc
from storage.repositories.history_statements import visible_in
from storage.tables import CandidateRow, ResumeRow, SessionRow, metadata


class SqlCandidateRepository(SqlRepository[Candidate, CandidateRow]):
    model = Candidate
    row_type = CandidateRow
    missing = "No candidate with id {}."

    def add(self, candidate: Candidate) -> None:
        """Stores the candidate; fills candidate.created_at when it is None."""
        candidate.created_at = candidate.created_at or now()
        self._store(self._to_row(candidate))

    def get(self, candidate_id: str, *, scope: CandidateScope | None = None) -> Candidate:
        """NotFound for an unknown id, and for one `scope` does not let the person see (the same words)."""
        if scope is None:
            return self._get(candidate_id)
        found = self._first(select(CandidateRow).where(CandidateRow.id == candidate_id, _visible(scope)))
        if found is None:
            raise NotFound(self.missing.format(candidate_id))
        return found

    def by_email(self, email: str) -> Candidate | None:
        """The candidate with this email (any case, any surrounding space): a returning person is one candidate."""
        key = email_key(email)
        if key is None:
            return None
        return self._first(select(CandidateRow).where(CandidateRow.email_key == key))

    def update(self, candidate: Candidate) -> Candidate:
        """Writes name and email back; another candidate's email (in any case) is refused by the unique key."""
        return self._update(candidate, candidate.id)

    def reassign(self, from_id: str, *, to_id: str) -> dict[str, int]:
        """Points every row that names candidate `from_id` at `to_id`; returns rows moved per table.

        Found from the tables' foreign keys, so a table added later moves too without a change here.
        """
        self._session.flush()
        moved: dict[str, int] = {}
        for table, column in _references_to_candidates():
            result = self._session.execute(
                update(table).where(column == from_id).values({column.name: to_id}),
                execution_options={"synchronize_session": False},
            )
            if result.rowcount:  # type: ignore[attr-defined]  # DML results carry rowcount
                moved[table.name] = moved.get(table.name, 0) + result.rowcount  # type: ignore[attr-defined]
        self._session.expire_all()  # rows already loaded in this unit of work still name from_id
        return moved

    def delete(self, candidate_id: str) -> None:
        """Deletes the candidate row; rows that still name it follow their foreign key's ON DELETE."""
        self._session.delete(self._row(candidate_id))
        self._session.flush()

    def all(self, *, limit: int = 500, scope: CandidateScope | None = None) -> list[Candidate]:
        query = select(CandidateRow)
        if scope is not None:
            query = query.where(_visible(scope))
        return self._many(query.order_by(CandidateRow.name, CandidateRow.id).limit(limit))

    def _values(self, item: Candidate) -> dict[str, Any]:
        values = super()._values(item)
        values["email_key"] = email_key(item.email)
        return values


def _visible(scope: CandidateScope) -> ColumnElement[bool]:
    """The candidate records `scope` (the policy's answer for one person) lets them see, as one WHERE condition:
    their own, and the candidates of the sessions History would list for them."""
    if scope.everything:
        return true()
    seen = select(SessionRow.candidate_id).where(SessionRow.candidate_id.is_not(None), visible_in(scope.sessions))
    either: list[ColumnElement[bool]] = [CandidateRow.id.in_(seen.scalar_subquery())]
    if scope.email_key:
        either.append(CandidateRow.email_key == scope.email_key)
    return or_(false(), *either)


def _references_to_candidates() -> list[tuple[Any, Column[Any]]]:
    """(table, column) for every foreign key onto candidates.id, in a fixed order."""
    found = []
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "candidates" and fk.parent.table is table:
                found.append((table, fk.parent))
    return sorted(found, key=lambda pair: (pair[0].name, pair[1].name))


def _profile_to_json(profile: ResumeProfile) -> dict[str, Any]:
    data = asdict(profile)
    data["level"] = profile.level.value
    return data


def _profile_from_json(data: dict[str, Any]) -> ResumeProfile:
    return ResumeProfile(
        name=data.get("name"),
        email=data.get("email"),
        years_experience=data.get("years_experience"),
        level=Level(data.get("level", Level.MID.value)),
        domains=list(data.get("domains", [])),
        skills=list(data.get("skills", [])),
    )


class SqlResumeRepository(SqlRepository[Resume, ResumeRow]):
    """The profile is one JSON column, so rows are mapped by hand rather than mirrored."""

    model = Resume
    row_type = ResumeRow
    missing = "No resume with id {}."

    def add(self, resume: Resume) -> None:
        """Stores the resume; fills resume.created_at when it is None."""
        resume.created_at = resume.created_at or now()
        self._store(self._to_row(resume))

    def get(self, resume_id: str) -> Resume:
        return self._get(resume_id)

    def latest_for_candidate(self, candidate_id: str) -> Resume | None:
        return self._first(
            select(ResumeRow)
            .where(ResumeRow.candidate_id == candidate_id)
            .order_by(ResumeRow.created_at.desc(), ResumeRow.id.desc())
            .limit(1)
        )

    def for_candidate(self, candidate_id: str) -> list[Resume]:
        """Oldest first."""
        return self._many(
            select(ResumeRow).where(ResumeRow.candidate_id == candidate_id).order_by(ResumeRow.created_at, ResumeRow.id)
        )

    def _to_row(self, item: Resume) -> ResumeRow:
        return ResumeRow(
            id=item.id,
            candidate_id=item.candidate_id,
            filename=item.filename,
            content_type=item.content_type,
            size_bytes=item.size_bytes,
            text=item.text,
            profile=_profile_to_json(item.profile),
            file_path=item.file_path,
            created_at=item.created_at,
        )

    def _to_item(self, row: ResumeRow) -> Resume:
        return Resume(
            id=row.id,
            candidate_id=row.candidate_id,
            filename=row.filename,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            text=row.text,
            profile=_profile_from_json(row.profile),
            file_path=row.file_path,
            created_at=utc(row.created_at),
        )
