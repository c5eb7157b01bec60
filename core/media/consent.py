"""Consent to recording: given once per session and kind, before any capture of that kind starts.

The person sees the recording notice (core.recording_notice) and agrees; the agreement is stored
with the session (who, when, which kinds, which notice) and audited. The capture services call
`require_consent` in the unit of work that starts a recording, so nothing is recorded without it,
whatever the page does. In an interviewer-led session the interviewer tells the candidate and
confirms that they agreed: the consent then names the interviewer and says it was confirmed for
the candidate.

Consent can be withdrawn by whoever gave it (or an admin). The withdrawal is stored as a row of its
own, so the log keeps both; from then on `require_consent` refuses that kind (the live microphone and a
camera recording in progress check again every second and stop) until someone agrees again. What was
recorded before stays with the interview until retention deletes it or the person asks for it to be erased.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from core import audit
from core.errors import AccessDenied, ConsentRequired, InvalidInput
from core.logs import session_context
from core.models import SessionConsent
from core.permissions.access import authorize, authorize_consent_withdrawal
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.recording_notice import KIND_LABELS, capture_kinds, notice_version
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

CONFIRMED_FOR_CANDIDATE = "candidate"


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


def withdraw_consent(ws: Workspace, session_id: str, kinds: Iterable[str], *, actor: Actor) -> SessionConsent | None:
    """Take consent to these kinds of recording back (audited): nothing more of them is recorded in this session
    until someone agrees again. What was recorded before is kept (retention or an erasure request deletes it).

    Only whoever gave a consent in force to each kind, or an admin, may (AccessDenied otherwise). None when no
    consent to any of the kinds is in force, e.g. a second tab withdrew it already: there is nothing to take back.
    """
    wanted = capture_kinds(kinds)
    with session_context(session_id), ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        standing = in_force(uow.consents.in_session(session_id))
        taken = [kind for kind in wanted if kind in standing]
        if not taken:
            return None
        for kind in taken:  # every kind is the actor's to take back, or nothing is
            authorize_consent_withdrawal(actor, {consent.actor for consent in standing[kind]})
        withdrawal = uow.consents.add(
            SessionConsent(
                session_id=session_id,
                actor=actor.name,
                kinds=taken,
                notice_version=notice_version(ws.settings),
                given_at=ws.clock(),
                withdrawn=True,
            )
        )
        given_by = sorted({consent.actor for kind in taken for consent in standing[kind]})
        detail = {"kinds": taken, "given_by": given_by}
        audit.record(uow, "consent_withdrawn", actor=actor.name, session_id=session_id, detail=detail)
        uow.commit()
        log.info("consent_withdrawn", extra={"detail": {"kinds": taken}})  # no actor: it may be a person's name
    return withdrawal


def consent_for(ws: Workspace, session_id: str, *, actor: Actor) -> list[SessionConsent]:
    """Every consent given or withdrawn in this session, oldest first, for someone who may see the session."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return uow.consents.in_session(session_id)


def consents_in_force(ws: Workspace, session_id: str, *, actor: Actor) -> dict[str, list[SessionConsent]]:
    """Each kind of recording someone has agreed to in this session (and not withdrawn since), with those
    consents, oldest first: what the page shows and whose they are to withdraw."""
    return in_force(consent_for(ws, session_id, actor=actor))


def consented_kinds(ws: Workspace, session_id: str, *, actor: Actor) -> set[str]:
    """The kinds of recording someone has agreed to in this session and not withdrawn since."""
    return set(consents_in_force(ws, session_id, actor=actor))


def in_force(consents: Sequence[SessionConsent]) -> dict[str, list[SessionConsent]]:
    """Pure: from the session's log (oldest first), each kind with the consents to it given since its last
    withdrawal; a kind withdrawn and not agreed to again is absent."""
    standing: dict[str, list[SessionConsent]] = {}
    for consent in consents:
        for kind in consent.kinds:
            if consent.withdrawn:
                standing.pop(kind, None)
            else:
                standing.setdefault(kind, []).append(consent)
    return standing


def may_withdraw(actor: Actor, consents: Iterable[SessionConsent]) -> bool:
    """Whether `actor` may take these consents (to one kind) back: what the page asks before offering it."""
    try:
        authorize_consent_withdrawal(actor, {consent.actor for consent in consents})
    except AccessDenied:
        return False
    return True


def consent_stands(uow: UnitOfWork, session_id: str, kind: str) -> bool:
    """Whether this kind may be recorded in this session now: agreed to, and not withdrawn since."""
    return kind in in_force(uow.consents.in_session(session_id))


def require_consent(uow: UnitOfWork, session_id: str, kind: str) -> None:
    """ConsentRequired unless someone agreed to this kind of recording in this session and did not withdraw it."""
    consents = uow.consents.in_session(session_id)
    if kind in in_force(consents):
        return
    label = KIND_LABELS.get(kind, kind)
    if any(consent.withdrawn and kind in consent.kinds for consent in consents):
        raise ConsentRequired(
            f"Nothing was recorded: consent to the {label} being recorded in this interview was withdrawn. "
            "Show the recording notice and ask for consent again first."
        )
    raise ConsentRequired(
        f"Nothing was recorded: nobody has agreed to the {label} being recorded in this "
        "interview. Show the recording notice and ask for consent first."
    )
