"""Consent to recording: given once per session and kind, before any capture of that kind starts.

The person sees the recording notice (core.recording_notice) and agrees; the agreement is stored
with the session (who, when, which kinds, which notice) and audited. The capture services call
`require_consent` in the unit of work that starts a recording, so nothing is recorded without it,
whatever the page does. In an interviewer-led session the interviewer tells the candidate and
confirms that they agreed: the consent then names the interviewer and says it was confirmed for
the candidate.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from core import audit
from core.errors import ConsentRequired, InvalidInput
from core.logs import session_context
from core.models import SessionConsent
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.recording_notice import capture_kinds, notice_version
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

CONFIRMED_FOR_CANDIDATE = "candidate"
_LABELS = {"audio": "microphone", "camera": "camera", "screen": "screen share"}


def give_consent(
    ws: Workspace, session_id: str, kinds: Iterable[str], *, actor: Actor, confirmed_for: str | None = None
) -> SessionConsent:
    """Store that `actor` agreed to these kinds of recording in this session (NotFound if unknown).

    `confirmed_for="candidate"`: the actor (an interviewer) confirms that the candidate agreed.
    """
    wanted = list(capture_kinds(kinds))
    if confirmed_for not in (None, CONFIRMED_FOR_CANDIDATE):
        raise InvalidInput("An interviewer can confirm consent only for the candidate.")
    with session_context(session_id), ws.uow_factory() as uow:
        # agreeing is about oneself: anyone who may see the session may give theirs
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        consent = uow.consents.add(
            SessionConsent(
                session_id=session_id,
                actor=actor.name,
                kinds=wanted,
                notice_version=notice_version(ws.settings),
                given_at=ws.clock(),
                confirmed_for=confirmed_for,
            )
        )
        detail = {"kinds": wanted, "notice_version": consent.notice_version, "confirmed_for": confirmed_for}
        audit.record(uow, "consent_given", actor=actor.name, session_id=session_id, detail=detail)
        uow.commit()
        log.info("consent_given", extra={"detail": detail})  # no actor: it may be a person's name
    return consent


def consent_for(ws: Workspace, session_id: str, *, actor: Actor) -> list[SessionConsent]:
    """Every consent given in this session, oldest first, for someone who may see the session."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return uow.consents.in_session(session_id)


def consented_kinds(ws: Workspace, session_id: str, *, actor: Actor) -> set[str]:
    """The kinds of recording someone has agreed to in this session."""
    return {kind for consent in consent_for(ws, session_id, actor=actor) for kind in consent.kinds}


def require_consent(uow: UnitOfWork, session_id: str, kind: str) -> None:
    """ConsentRequired unless someone agreed to this kind of recording in this session."""
    if not any(kind in consent.kinds for consent in uow.consents.in_session(session_id)):
        raise ConsentRequired(
            f"Nothing was recorded: nobody has agreed to the {_LABELS.get(kind, kind)} being recorded in this "
            "interview. Show the recording notice and ask for consent first."
        )
