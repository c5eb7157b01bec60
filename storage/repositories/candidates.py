"""Candidates and their resumes (the extracted text and profile; the file itself is in the file store)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select

from core.models import Candidate, Level, Resume, ResumeProfile
from storage.repositories.base import SqlRepository, now, utc
from storage.tables import CandidateRow, ResumeRow


class SqlCandidateRepository(SqlRepository[Candidate, CandidateRow]):
    model = Candidate
    row_type = CandidateRow
    missing = "No candidate with id {}."

    def add(self, candidate: Candidate) -> None:
        """Stores the candidate; fills candidate.created_at when it is None."""
        candidate.created_at = candidate.created_at or now()
        self._store(self._to_row(candidate))

    def get(self, candidate_id: str) -> Candidate:
        return self._get(candidate_id)

    def by_email(self, email: str) -> Candidate | None:
        """The earliest candidate with this email (case-insensitive), so a returning person is one candidate."""
        return self._first(
            select(CandidateRow)
            .where(func.lower(CandidateRow.email) == email.strip().lower())
            .order_by(CandidateRow.created_at, CandidateRow.id)
        )

    def all(self, *, limit: int = 500) -> list[Candidate]:
        return self._many(select(CandidateRow).order_by(CandidateRow.name, CandidateRow.id).limit(limit))


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
