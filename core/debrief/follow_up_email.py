"""Sending the debrief's follow-up email: the draft as the interviewer edited it, through the outbox.

The same email the draft previews and downloads (core.debrief.email_templates), with its merge tags filled
in, goes to the candidate as a "follow_up" outbox message; a worker sends it (core.notifications). The
Send is in the audit log as sent, with the outbox message it became, so the debrief shows who sent what.
"""

from __future__ import annotations

from core import audit
from core.debrief.email_templates import email_draft, render_text
from core.errors import InvalidInput
from core.models import OutboxMessage
from core.notifications import outbox
from core.notifications.addresses import workspace_sender
from core.notifications.html_body import html_from_text
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.single_line import single_line
from core.workspace import Workspace

FOLLOW_UP = "follow_up"  # the outbox kind


def send_follow_up(
    ws: Workspace, session_id: str, *, subject: str, body: str, actor: Actor, timezone: str = "UTC"
) -> OutboxMessage:
    """Queue the follow-up email (subject and body may hold merge tags) to the session's candidate; audited as
    sent. InvalidInput when there is nothing to send or nobody to send it to; ContentError for a bad tag."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))
    draft = email_draft(ws, session_id, timezone=timezone)
    if draft is None:
        raise InvalidInput("There is no follow-up email to send: the recommendation comes without one.")
    if not draft.to:
        raise InvalidInput("The candidate has no email address, so the email cannot be sent; download it instead.")
    if not subject.strip() or not body.strip():
        raise InvalidInput("The email needs a subject and a body.")
    filled_subject = single_line(render_text(subject, draft.context))
    text = render_text(body, draft.context)
    message = OutboxMessage(
        kind=FOLLOW_UP,
        recipient=draft.to,
        subject=filled_subject,
        text_body=text,
        html_body=html_from_text(text, title=filled_subject),
        sender=workspace_sender(ws.settings),
        reply_to=draft.sender,  # the interviewer, when the session names one: replies reach a person
        session_id=session_id,
    )
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))
        job = outbox.add(uow, ws, message, actor=actor)
        message_id = int(job.payload["message_id"])
        detail = {"message": message_id, "recommendation": draft.recommendation, "subject": filled_subject}
        audit.record(uow, "follow_up_email_sent", actor=actor.name, session_id=session_id, detail=detail)
        uow.commit()
        stored = uow.outbox.get(message_id)
    outbox.wake(ws, [job])
    return stored


def sent_follow_ups(ws: Workspace, session_id: str, *, actor: Actor) -> list[OutboxMessage]:
    """The follow-up emails sent from this session's debrief, oldest first, with what became of each."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return [m for m in uow.outbox.in_session(session_id) if m.kind == FOLLOW_UP]
