"""Candidates and their resumes: upload, read, extract a profile, keep the file."""

from __future__ import annotations

import logging
import uuid
from contextlib import suppress
from dataclasses import dataclass

from core import audit
from core.candidates.resume_process import read_resume_isolated
from core.candidates.resume_profile import extract_profile
from core.models import Candidate, Level, Resume, ResumeProfile
from core.permissions.access import authorize_action, candidate_listing_scope
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.single_line import single_line
from core.workspace import Workspace

log = logging.getLogger(__name__)

_EXTENSIONS = {"application/pdf": "pdf", "text/plain": "txt"}


@dataclass
class CandidateProfile:
    candidate: Candidate
    resume: Resume | None


def register_resume(
    ws: Workspace, *, filename: str, data: bytes, actor: Actor, as_email: str | None = None
) -> CandidateProfile:
    """Read an uploaded resume and store the candidate, the resume and its file.

    `as_email`: the signed-in uploader's own email when they upload their own resume. It goes to their
    record whatever email the file states, so nobody can attach a resume to another person by naming them.

    Raises ResumeError (with a message for the user) for anything we cannot read, including a
    file that takes too long or too much memory to read (it is read in a child process with hard
    limits); nothing is stored in that case, nor when storing fails.
    """
    authorize_action(ws.settings, actor, Action.PRACTISE)
    parsed = read_resume_isolated(filename, data, max_bytes=ws.settings.resume_max_bytes)
    profile = extract_profile(parsed.text)
    now = ws.clock()
    owner_email = single_line(as_email) or profile.email
    with ws.uow_factory() as uow:  # a returning person (same email) keeps their one record
        known = uow.candidates.by_email(owner_email) if owner_email else None
        previous = uow.resumes.latest_for_candidate(known.id) if known else None
    if previous is not None:
        profile = keep_what_is_missing(profile, previous.profile)
    candidate = known or Candidate(id=uuid.uuid4().hex, name="Candidate", email=owner_email, created_at=now)
    candidate.name = single_line(profile.name) or candidate.name
    resume_id = uuid.uuid4().hex  # in the file name, so a second upload never replaces the first one's file
    extension = _EXTENSIONS[parsed.content_type]
    with ws.uow_factory() as uow:
        if known is None:
            uow.candidates.add(candidate)
        else:
            uow.candidates.update(candidate)
        # The file is written inside this unit of work, just before its commit, and removed again if
        # anything up to and including the commit fails: a failed commit leaves no file behind.
        stored_path = ws.files.save_candidate_file(candidate.id, f"resume-{resume_id}.{extension}", data)
        try:
            resume = Resume(
                id=resume_id,
                candidate_id=candidate.id,
                filename=filename,
                content_type=parsed.content_type,
                size_bytes=len(data),
                text=parsed.text,
                profile=profile,
                file_path=stored_path,
                created_at=now,
            )
            uow.resumes.add(resume)
            detail = {"candidate_id": candidate.id, "bytes": len(data), "returning": known is not None}
            audit.record(uow, "resume_uploaded", actor=actor.name, detail=detail)
            uow.commit()
        except BaseException:
            _discard_file(ws, stored_path)
            raise
    log.info("resume stored", extra={"candidate_id": candidate.id, "candidate_level": profile.level.value})
    return CandidateProfile(candidate, resume)


def _discard_file(ws: Workspace, relative_path: str) -> None:
    """Remove a file whose row was never committed, and its folder if that is now empty."""
    try:
        path = ws.files.absolute(relative_path)
        path.unlink(missing_ok=True)
    except (OSError, ValueError):
        log.warning("could not remove an uncommitted resume file", extra={"path": relative_path}, exc_info=True)
        return
    with suppress(OSError):  # not empty: the person's earlier resumes are there
        path.parent.rmdir()


def create_candidate(ws: Workspace, *, name: str, email: str | None = None) -> Candidate:
    """A candidate without a resume (the user typed a name instead of uploading); a known email
    finds the person's existing record instead of making a second one."""
    email = single_line(email) or None
    with ws.uow_factory() as uow:
        known = uow.candidates.by_email(email) if email else None
        if known is not None:
            return known
        candidate = Candidate(
            id=uuid.uuid4().hex, name=single_line(name) or "Candidate", email=email, created_at=ws.clock()
        )
        uow.candidates.add(candidate)
        uow.commit()
    return candidate


def keep_what_is_missing(new: ResumeProfile, old: ResumeProfile) -> ResumeProfile:
    """The new upload's profile, with what it does not say taken from the person's previous resume."""
    return ResumeProfile(
        name=new.name or old.name,
        email=new.email or old.email,
        years_experience=new.years_experience if new.years_experience is not None else old.years_experience,
        # MID without years is extract_profile's "nothing said"; a title or years in the new upload wins
        level=old.level if new.years_experience is None and new.level is Level.MID else new.level,
        domains=new.domains or list(old.domains),
        skills=new.skills or list(old.skills),
    )


def get_profile(ws: Workspace, candidate_id: str) -> CandidateProfile:
    with ws.uow_factory() as uow:
        return CandidateProfile(uow.candidates.get(candidate_id), uow.resumes.latest_for_candidate(candidate_id))


def list_candidates(ws: Workspace, *, actor: Actor, limit: int = 500) -> list[Candidate]:
    """Candidates by name, for pickers: only those the policy lets `actor` see (a picker shows names and
    emails), narrowed by storage, not after reading; every one for an admin or the workspace itself."""
    with ws.uow_factory() as uow:
        return uow.candidates.all(limit=limit, scope=candidate_listing_scope(actor))


def every_candidate(ws: Workspace, *, actor: Actor, limit: int = 500) -> list[Candidate]:
    """Every candidate record by name, for an admin's data tools (merging duplicates, a person's data on
    request); AccessDenied for anyone else, whatever page asked."""
    authorize_action(ws.settings, actor, Action.MANAGE_DATA)
    with ws.uow_factory() as uow:
        return uow.candidates.all(limit=limit)
