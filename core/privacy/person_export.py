"""Everything stored about one candidate, as one zip: what a person receives when they ask for their data.

Profile and pipeline history, every resume (text, extracted profile and the file as uploaded), every
interview (the same contents as History's session zip — chat, transcript, whiteboard, media, evaluation
and report — plus booking, notes, scores, recommendations, follow-ups, consents, emails and what was sent
about it to other systems by outgoing webhook) and the webhook deliveries that mention their email. Each export
is recorded (counts only) in data requests and the audit log.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import asdict
from datetime import date
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from core import audit
from core.history.session_export import session_zip
from core.models import DataRequest, DataRequestKind, OutboxMessage, WebhookDelivery
from core.outgoing_webhooks.receiver_address import host_of
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.privacy.subjects import booking_uids
from core.workspace import Workspace

if TYPE_CHECKING:
    from core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# Unlike History's zip, a person's own export leaves no recording out unless it is truly huge.
MAX_MEDIA_BYTES_PER_SESSION = 2 * 1024 * 1024 * 1024
# Each interview's records beside its session zip, one <name>.json each
SESSION_RECORDS = ("booking", "notes", "scorecards", "recommendations", "follow_ups", "consents", "emails", "webhooks")

README = """This archive holds everything the Interview Workspace stores about you.

profile.json           your name, email and pipeline history
resumes/               each resume you uploaded, as uploaded, and resumes.json (the text read from it)
sessions/<date-id>/    each interview: chat, transcript, whiteboard, media, evaluation and report,
                       booking, interviewer notes, scores, recommendations, follow-ups, consents, the
                       emails sent and webhooks.json (what was sent about it to other systems, and where)
webhook_events.json    booking messages from the calendar service that mention you
"""


def export_person(ws: Workspace, candidate_id: str, *, actor: Actor) -> bytes:
    """The zip's bytes; NotFound for an unknown candidate. Recorded as a data request and audited."""
    authorize_action(ws.settings, actor, Action.MANAGE_DATA)
    with ws.uow_factory() as uow:
        candidate = uow.candidates.get(candidate_id)
        pipeline = uow.pipeline.history(candidate_id)
        resumes = uow.resumes.for_candidate(candidate_id)
        session_ids = uow.sessions.ids_for_candidate(candidate_id)
        extras = {sid: _session_extras(uow, sid) for sid in session_ids}
        uids = [uid for extra in extras.values() for uid in booking_uids(extra["booking"])]
        events = uow.webhook_events.concerning(email=candidate.email, session_ids=session_ids, booking_uids=uids)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("profile.json", _json({"candidate": asdict(candidate), "pipeline": pipeline}))
        archive.writestr("resumes/resumes.json", _json(resumes))
        for resume in resumes:
            if resume.file_path and ws.files.absolute(resume.file_path).is_file():
                name = PurePosixPath(resume.file_path).name
                archive.writestr(f"resumes/{name}", ws.files.read(resume.file_path))
        for session_id, extra in extras.items():
            folder = f"sessions/{extra['session_date']}-{session_id}"
            inner = session_zip(ws, session_id, actor=actor, max_media_bytes=MAX_MEDIA_BYTES_PER_SESSION)
            with zipfile.ZipFile(io.BytesIO(inner)) as session_archive:
                for info in session_archive.infolist():
                    archive.writestr(f"{folder}/{info.filename}", session_archive.read(info))
            for key in SESSION_RECORDS:
                archive.writestr(f"{folder}/{key}.json", _json(extra[key]))
        archive.writestr("webhook_events.json", _json(events))

    data = buffer.getvalue()
    counts = {"sessions": len(session_ids), "resumes": len(resumes), "webhook_events": len(events), "bytes": len(data)}
    with ws.uow_factory() as uow:
        request = uow.data_requests.add(
            DataRequest(kind=DataRequestKind.EXPORT, actor=actor.name, subject=candidate_id, counts=counts)
        )
        audit.record(uow, "person_exported", actor=actor.name, detail={"request": request.id, **counts}, logger=log)
        uow.commit()
    return data


def export_name(ws: Workspace, candidate_id: str) -> str:
    """`personal-data-<id8>-<date>.zip`: no name or email in it, as it may be listed or logged."""
    return f"personal-data-{candidate_id[:8]}-{ws.clock():%Y%m%d}.zip"


def _session_extras(uow: UnitOfWork, session_id: str) -> dict[str, Any]:
    session = uow.sessions.get(session_id)
    return {
        "session_date": f"{session.created_at:%Y%m%d}" if session.created_at else "undated",
        "booking": uow.bookings.for_session(session_id),
        "notes": uow.notes.in_session(session_id, include_drafts=True),
        "scorecards": uow.scorecards.in_session(session_id),
        "recommendations": uow.recommendations.in_session(session_id),
        "follow_ups": uow.follow_ups.in_session(session_id),
        "consents": uow.consents.in_session(session_id),
        "emails": [_email(message) for message in uow.outbox.in_session(session_id)],
        "webhooks": [_webhook(uow, delivery) for delivery in uow.webhook_deliveries.in_session(session_id)],
    }


def _email(message: OutboxMessage) -> dict[str, Any]:
    """An email as written, its invitation as text (it is iCalendar), and what became of it."""
    record = asdict(message)
    record["attachment"] = message.attachment.decode("utf-8", "replace") if message.attachment else None
    return record


def _webhook(uow: UnitOfWork, delivery: WebhookDelivery) -> dict[str, Any]:
    """What was sent about the interview to another system (an ATS, a CRM): to whom (its host), what, whether it
    arrived."""
    subscription = uow.webhook_subscriptions.get(delivery.subscription_id)
    return {
        "event": delivery.event,
        "sent_to": host_of(subscription.url),
        "status": delivery.status.value,
        "written_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
        "body": json.loads(delivery.body),
    }


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=_default) + "\n"


def _default(value: Any) -> Any:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
