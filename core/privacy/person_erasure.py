"""Erasing one candidate on request, completely: rows, files and webhook payloads, with a record that it happened.

Gone: the candidate, their resumes and pipeline history, every interview of theirs with every row hanging
off it (chat, transcript, whiteboard, media, evaluation, notes, scores, booking, consents…), the webhook
deliveries that mention their email or name their bookings, the audit entries of their interviews or
naming their id, and their folders in the file store. What stays is a data request (kind "erase",
subject = the old candidate id, counts only) and an audit entry that names that request, not the person.

All rows go in one unit of work; the files are removed just before its commit, so a failure leaves the
rows in place and erasing again finishes the job.
"""

from __future__ import annotations

import logging
from collections import Counter

from core import audit
from core.accounts import failed_sign_ins
from core.errors import WorkspaceError
from core.models import AccountRole, DataRequest, DataRequestKind
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.privacy.subjects import booking_uids
from core.workspace import Workspace

log = logging.getLogger(__name__)


def erase_person(ws: Workspace, candidate_id: str, *, actor: Actor) -> DataRequest:
    """Delete everything stored about the candidate; returns the record of it. NotFound for an unknown id."""
    authorize_action(ws.settings, actor, Action.MANAGE_DATA)
    with ws.uow_factory() as uow:
        candidate = uow.candidates.get(candidate_id)
        session_ids = uow.sessions.ids_for_candidate(candidate_id)
        uids = [uid for sid in session_ids for uid in booking_uids(uow.bookings.for_session(sid))]
        events = uow.webhook_events.concerning(email=candidate.email, session_ids=session_ids, booking_uids=uids)
        rows: Counter[str] = Counter(
            resumes=len(uow.resumes.for_candidate(candidate_id)),
            pipeline_changes=len(uow.pipeline.history(candidate_id)),
        )
        for session_id in session_ids:
            rows.update(uow.sessions.delete(session_id))
        for event in events:
            if event.id is not None:
                uow.webhook_events.delete(event.id)
        rows["webhook_events"] = len(events)
        rows["audit_log"] = uow.audit.forget(session_ids=session_ids, mentioning=candidate_id)
        uow.candidates.delete(candidate_id)  # resumes and pipeline changes go with it (their foreign keys)
        rows["candidates"] = 1
        # Their sign-in goes too; an account that also works here (interviewer, reviewer, admin) is the
        # organisation's and stays: an admin removes it on the People page.
        account = uow.accounts.by_email(candidate.email) if candidate.email else None
        if account is not None and set(account.roles) <= {AccountRole.CANDIDATE}:
            uow.accounts.delete(account.id)
            rows["accounts"] = 1
        if candidate.email:  # failed sign-ins are kept under a hash of the address: that goes as well
            failed_sign_ins.forget(uow, ws.settings.accounts, candidate.email)

        _remove_files(ws, candidate_id, session_ids)
        counts = {table: count for table, count in sorted(rows.items()) if count}
        request = uow.data_requests.add(
            DataRequest(kind=DataRequestKind.ERASE, actor=actor.name, subject=candidate_id, counts=counts)
        )
        audit.record(uow, "person_erased", actor=actor.name, detail={"request": request.id, **counts}, logger=log)
        uow.commit()
    return request


def _remove_files(ws: Workspace, candidate_id: str, session_ids: list[str]) -> None:
    try:
        for session_id in session_ids:
            ws.files.delete_session(session_id)
            if ws.files.session_dir(session_id).exists():
                raise OSError("a folder is still there")
        ws.files.delete_candidate(candidate_id)
    except OSError as exc:
        log.warning("erasure: files could not be removed", extra={"candidate_id": candidate_id}, exc_info=True)
        raise WorkspaceError(
            "The erasure stopped: some of the person's files could not be removed, so their records were kept. "
            "Check the file store's permissions and erase again."
        ) from exc
