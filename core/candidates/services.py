"""Candidates and their resumes: upload, read, extract a profile, keep the file."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from core import audit
from core.candidates.resume_file import read_resume
from core.candidates.resume_profile import extract_profile
from core.models import Candidate, Resume
from core.workspace import Workspace

log = logging.getLogger(__name__)

_EXTENSIONS = {"application/pdf": "pdf", "text/plain": "txt"}


@dataclass
class CandidateProfile:
    candidate: Candidate
    resume: Resume | None


def register_resume(ws: Workspace, *, filename: str, data: bytes, actor: str = "candidate") -> CandidateProfile:
    """Read an uploaded resume and store the candidate, the resume and its file.

    Raises ResumeError (with a message for the user) for anything we cannot read; nothing
    is stored in that case.
    """
    parsed = read_resume(filename, data, max_bytes=ws.settings.resume_max_bytes)
    profile = extract_profile(parsed.text)
    now = ws.clock()
    candidate = Candidate(id=uuid.uuid4().hex, name=profile.name or "Candidate", email=profile.email, created_at=now)
    stored_path = ws.files.save_candidate_file(candidate.id, f"resume.{_EXTENSIONS[parsed.content_type]}", data)
    resume = Resume(
        id=uuid.uuid4().hex,
        candidate_id=candidate.id,
        filename=filename,
        content_type=parsed.content_type,
        size_bytes=len(data),
        text=parsed.text,
        profile=profile,
        file_path=stored_path,
        created_at=now,
    )
    with ws.uow_factory() as uow:
        uow.candidates.add(candidate)
        uow.resumes.add(resume)
        audit.record(uow, "resume_uploaded", actor=actor, detail={"candidate_id": candidate.id, "bytes": len(data)})
        uow.commit()
    log.info("resume stored", extra={"candidate_id": candidate.id, "candidate_level": profile.level.value})
    return CandidateProfile(candidate, resume)


def create_candidate(ws: Workspace, *, name: str, email: str | None = None) -> Candidate:
    """A candidate without a resume (the user typed a name instead of uploading)."""
    candidate = Candidate(id=uuid.uuid4().hex, name=name.strip() or "Candidate", email=email, created_at=ws.clock())
    with ws.uow_factory() as uow:
        uow.candidates.add(candidate)
        uow.commit()
    return candidate


def get_profile(ws: Workspace, candidate_id: str) -> CandidateProfile:
    with ws.uow_factory() as uow:
        return CandidateProfile(uow.candidates.get(candidate_id), uow.resumes.latest_for_candidate(candidate_id))


def list_candidates(ws: Workspace, *, limit: int = 500) -> list[Candidate]:
    """Candidates by name, for pickers."""
    with ws.uow_factory() as uow:
        return uow.candidates.all(limit=limit)
