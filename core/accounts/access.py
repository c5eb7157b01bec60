"""Opening one session as a person: the facts about it, then the policy's answer.

Pages call `require` with whatever session id reached them (a link, a query parameter, a form) before
they read anything of it. A refusal reads exactly like a missing session, so ids cannot be probed.
"""

from __future__ import annotations

from core.accounts.policy import SessionAccess, SessionAction, may
from core.errors import AccessDenied, NotFound
from core.models import Account, Session, email_key
from core.workspace import Workspace

NOT_YOURS = "There is no interview with that id that you can open."


def session_access(ws: Workspace, session_id: str, *, with_release: bool = True) -> tuple[Session, SessionAccess]:
    """The session and the facts the policy weighs, read in one transaction; NotFound for an unknown id.

    `with_release=False` skips reading the evaluation's release (only VIEW_EVALUATION needs it)."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
        member_ids = uow.session_interviewers.for_session(session_id)
        interviewers = {email_key(uow.team_members.get(member_id).email) for member_id in member_ids}
        released = False
        if with_release:
            if ws.settings.privacy.evaluation_approval:  # approved by a reviewer
                released = uow.evaluations.release_of(session_id) is not None
            else:  # the candidate's as soon as it exists
                released = uow.evaluations.for_session(session_id) is not None
    access = SessionAccess(
        session_id=session.id,
        owner_id=session.owner_id,
        team=session.team,
        candidate_email_key=email_key(candidate.email) if candidate else None,
        interviewer_email_keys=frozenset(key for key in interviewers if key),
        evaluation_released=released,
    )
    return session, access


def require(ws: Workspace, account: Account | None, action: SessionAction, session_id: str) -> Session:
    """The session, when `account` may do `action` to it; AccessDenied (worded as not found) otherwise."""
    try:
        session, access = session_access(ws, session_id, with_release=action is SessionAction.VIEW_EVALUATION)
    except NotFound:
        raise AccessDenied(NOT_YOURS) from None
    if not may(account, action, access):
        raise AccessDenied(NOT_YOURS)
    return session


def permitted(ws: Workspace, account: Account | None, action: SessionAction, session_id: str) -> bool:
    try:
        require(ws, account, action, session_id)
    except AccessDenied:
        return False
    return True
