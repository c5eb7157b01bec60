"""Applying the policy: the facts about a session, then the policy's answer.

Services call `authorize` inside their own transaction, on the session they already read, so nothing is
shown of or done to a session the actor may not see or touch. Pages call `require` with whatever session id
reached them (a link, a query parameter, a form) before they show anything of it. A refusal reads exactly
like a missing session, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.config import Settings
from core.errors import AccessDenied, NotFound
from core.models import Account, CandidateScope, Session, SessionScope, email_key
from core.permissions.actor import Actor
from core.permissions.policy import (
    Action,
    SessionAccess,
    SessionAction,
    allowed,
    candidate_scope,
    may,
    may_withdraw_consent,
    scope,
)
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

NOT_YOURS = "There is no interview with that id that you can open."
NOT_ALLOWED = "Your account may not do this. Ask an admin if you need it."
NOT_YOUR_CONSENT = "Only the person who gave this consent, or an admin, can withdraw it."


def facts(uow: UnitOfWork, settings: Settings, session: Session, *, with_release: bool = True) -> SessionAccess:
    """What the policy weighs about `session`. `with_release=False` skips reading the evaluation's release
    (only VIEW_EVALUATION needs it)."""
    candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
    member_ids = uow.session_interviewers.for_session(session.id)
    interviewers = {email_key(uow.team_members.get(member_id).email) for member_id in member_ids}
    released = False
    if with_release:
        if settings.privacy.evaluation_approval:  # approved by a reviewer
            released = uow.evaluations.release_of(session.id) is not None
        else:  # the candidate's as soon as it exists
            released = uow.evaluations.for_session(session.id) is not None
    return SessionAccess(
        session_id=session.id,
        owner_id=session.owner_id,
        team=session.team,
        candidate_email_key=email_key(candidate.email) if candidate else None,
        interviewer_email_keys=frozenset(key for key in interviewers if key),
        evaluation_released=released,
    )


def authorize(uow: UnitOfWork, settings: Settings, actor: Actor, action: SessionAction, session: Session) -> None:
    """AccessDenied (worded as not found) unless `actor` may do `action` to `session`; the workspace may."""
    if actor.account is None:
        return
    access = facts(uow, settings, session, with_release=action is SessionAction.VIEW_EVALUATION)
    if not may(actor.account, action, access):
        raise AccessDenied(NOT_YOURS)


def authorize_view(uow: UnitOfWork, settings: Settings, actor: Actor, session: Session) -> bool:
    """AccessDenied (worded as not found) unless `actor` may VIEW `session`; then whether they may see its
    evaluation too (a candidate only once it is released), from one reading of the facts."""
    if actor.account is None:
        return True
    access = facts(uow, settings, session)
    if not may(actor.account, SessionAction.VIEW, access):
        raise AccessDenied(NOT_YOURS)
    return may(actor.account, SessionAction.VIEW_EVALUATION, access)


def listing_scope(actor: Actor) -> SessionScope | None:
    """What a listing of sessions is narrowed to, for the repository's WHERE: the policy's scope of a person;
    None (every session) for the workspace itself."""
    return None if actor.account is None else scope(actor.account)


def candidate_listing_scope(actor: Actor) -> CandidateScope | None:
    """What a listing of candidates is narrowed to, for the repository's WHERE: the policy's candidate scope of
    a person; None (every candidate) for the workspace itself."""
    return None if actor.account is None else candidate_scope(actor.account)


def authorize_action(settings: Settings, actor: Actor, action: Action) -> None:
    """AccessDenied unless `actor` may do `action` (not about one session); the workspace may."""
    if actor.account is None:
        return
    if not allowed(actor.account, action, server_key_roles=frozenset(settings.accounts.server_key_roles)):
        raise AccessDenied(NOT_ALLOWED)


def authorize_consent_withdrawal(actor: Actor, givers: Iterable[str]) -> None:
    """AccessDenied unless `actor` gave the consent (one of `givers`) or is an admin; the workspace may."""
    if actor.account is None:
        return
    if not may_withdraw_consent(actor.account, givers):
        raise AccessDenied(NOT_YOUR_CONSENT)


def session_access(ws: Workspace, session_id: str, *, with_release: bool = True) -> tuple[Session, SessionAccess]:
    """The session and the facts the policy weighs, read in one transaction; NotFound for an unknown id."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        return session, facts(uow, ws.settings, session, with_release=with_release)


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
