"""Cal.com webhooks: check the signature, store the event, answer, then apply it once.

Cal.com signs the raw body with HMAC-SHA256 (hex, no prefix, no timestamp) and gives no event
id, so the receiver (1) refuses anything it cannot verify, (2) stores every accepted delivery
before answering, with a dedupe key built from the event itself (trigger, booking uid, iCal
sequence, status), and (3) processes an event only through the delivery that won that key.
Processing runs after the answer; events a restart left unprocessed are picked up by
`process_waiting`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.errors import AlreadyExists, IllegalTransition, NotFound
from core.models import BookingStatus, WebhookEvent
from core.scheduling.booking_sync import (
    BOOKING_TRIGGERS,
    MEETING_TRIGGERS,
    BookingFacts,
    apply_booking_facts,
    apply_meeting_event,
)
from core.scheduling.meeting_links import meeting_url_from_webhook
from core.workspace import Workspace

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Cal-Signature-256"
NO_SECRET = "no-secret-provided"
_STATUSES = {
    "ACCEPTED": BookingStatus.CONFIRMED,
    "PENDING": BookingStatus.PENDING,
    "CANCELLED": BookingStatus.CANCELLED,
    "REJECTED": BookingStatus.CANCELLED,
}
_TRIGGER_STATUS = {
    "BOOKING_CREATED": BookingStatus.CONFIRMED,
    "BOOKING_REQUESTED": BookingStatus.PENDING,
    "BOOKING_RESCHEDULED": BookingStatus.CONFIRMED,
    "BOOKING_CANCELLED": BookingStatus.CANCELLED,
    "BOOKING_REJECTED": BookingStatus.CANCELLED,
}


@dataclass(frozen=True)
class Receipt:
    """The HTTP answer for one delivery, and the stored event to process after answering."""

    status_code: int
    message: str
    event_id: int | None = None
    duplicate: bool = False

    @property
    def body(self) -> dict[str, Any]:
        return {"ok": self.status_code < 300, "message": self.message, "duplicate": self.duplicate}


class MalformedPayload(ValueError):
    """The body is signed but is not a Cal.com event we can read."""


def signature_for(secret: str, raw_body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()


def verify_signature(raw_body: bytes, header: str | None, secret: str | None) -> bool:
    """Constant-time check of X-Cal-Signature-256; no secret or Cal.com's "no-secret-provided" never passes."""
    if not secret or not header:
        return False
    header = header.strip().lower()
    if header == NO_SECRET or len(header) != 64:
        return False
    return hmac.compare_digest(signature_for(secret, raw_body), header)


def receive(
    ws: Workspace, raw_body: bytes, signature: str | None, *, secret: str | None, source: str = "calcom"
) -> Receipt:
    """Verify and store one delivery. Fast: no network, one small transaction."""
    digest = hashlib.sha256(raw_body).hexdigest()
    limit = ws.settings.scheduling.webhook_max_bytes
    if len(raw_body) > limit:
        return _reject(ws, digest, 413, f"Body of {len(raw_body)} bytes is over the {limit}-byte limit.", source)
    if not secret:
        return _reject(ws, digest, 503, "No webhook secret is configured (CALCOM_WEBHOOK_SECRET).", source)
    if not verify_signature(raw_body, signature, secret):
        reason = "missing signature" if not signature else "signature does not match"
        return _reject(ws, digest, 401, f"Refused: {reason}.", source)
    try:
        body = json.loads(raw_body)
        trigger, data = _envelope(body)
    except (ValueError, MalformedPayload) as exc:
        return _reject(ws, digest, 400, f"Malformed body: {exc}", source)
    uid = _booking_uid(trigger, data)
    event = WebhookEvent(
        source=source,
        body_sha256=digest,
        status="received",
        trigger=trigger,
        booking_uid=uid,
        dedupe_key=_dedupe_key(trigger, data, uid, digest),
        payload=body,
        received_at=ws.clock(),
    )
    try:
        with ws.uow_factory() as uow:
            stored = uow.webhook_events.add(event)
            uow.commit()
    except AlreadyExists:
        with ws.uow_factory() as uow:
            first = uow.webhook_events.by_dedupe_key(event.dedupe_key or "")
            event.dedupe_key = None
            event.status = "duplicate"
            event.outcome = (
                f"Same event as #{first.id}; not applied again." if first else "Duplicate; not applied again."
            )
            stored = uow.webhook_events.add(event)
            uow.commit()
        log.info("webhook duplicate", extra={"trigger": trigger, "uid": uid, "event_id": stored.id})
        return Receipt(200, "Duplicate delivery; already received.", stored.id, duplicate=True)
    log.info("webhook received", extra={"trigger": trigger, "uid": uid, "event_id": stored.id})
    return Receipt(200, "Received.", stored.id)


def refuse_oversized(ws: Workspace, size: int, *, source: str = "calcom") -> Receipt:
    limit = ws.settings.scheduling.webhook_max_bytes
    return _reject(ws, "-" * 64, 413, f"Body of {size} bytes or more is over the {limit}-byte limit.", source)


def process(ws: Workspace, event_id: int) -> WebhookEvent:
    """Apply one stored event to the sessions; its status and outcome record what happened."""
    with ws.uow_factory() as uow:
        event = uow.webhook_events.get(event_id)
        if event.status != "received":
            return event  # processed by another worker already
        try:
            outcome = _apply(ws, uow, event)
        except (MalformedPayload, NotFound, IllegalTransition, KeyError, ValueError, TypeError) as exc:
            uow.rollback()
            return _finish(ws, event_id, "failed", f"Could not apply: {exc}")
        event.status, event.outcome, event.session_id = outcome
        event.processed_at = ws.clock()
        stored = uow.webhook_events.update(event)
        uow.commit()
    log.info("webhook processed", extra={"event_id": event_id, "status": stored.status, "outcome": stored.outcome})
    return stored


def process_waiting(ws: Workspace) -> int:
    """Process events stored but not yet applied (the server stopped in between); returns how many."""
    done = 0
    while True:
        with ws.uow_factory() as uow:
            waiting = uow.webhook_events.waiting(limit=100)
        if not waiting:
            return done
        for event in waiting:
            if event.id is not None:
                process(ws, event.id)
                done += 1


def recent_events(ws: Workspace, *, limit: int = 200, statuses: list[str] | None = None) -> list[WebhookEvent]:
    with ws.uow_factory() as uow:
        return uow.webhook_events.latest(limit=limit, statuses=statuses)


def event_counts(ws: Workspace) -> dict[str, int]:
    with ws.uow_factory() as uow:
        return uow.webhook_events.counts()


def booking_facts(data: Mapping[str, Any], trigger: str) -> BookingFacts:
    """A booking payload (wrapped or flat) in our terms; raises MalformedPayload when it lacks the essentials."""
    uid = data.get("uid")
    if not isinstance(uid, str) or not uid:
        raise MalformedPayload("the payload has no booking uid")
    start, end = _time(data, "startTime"), _time(data, "endTime")
    attendees = [a for a in data.get("attendees") or [] if isinstance(a, Mapping)]
    first = attendees[0] if attendees else {}
    raw_organizer = data.get("organizer")
    organizer: Mapping[str, Any] = raw_organizer if isinstance(raw_organizer, Mapping) else {}
    status = _STATUSES.get(str(data.get("status", "")).upper(), _TRIGGER_STATUS.get(trigger, BookingStatus.CONFIRMED))
    sequence = data.get("iCalSequence")
    event_type_id = data.get("eventTypeId")
    reschedule_from = data.get("rescheduleUid") if trigger == "BOOKING_RESCHEDULED" else None
    return BookingFacts(
        uid=uid,
        status=status,
        start=start,
        end=end,
        attendee_name=str(first.get("name") or "Candidate"),
        attendee_email=str(first.get("email") or ""),
        attendee_timezone=str(first.get("timeZone") or "UTC"),
        guests=tuple(str(a.get("email")) for a in attendees[1:] if a.get("email")),
        organizer_email=str(organizer.get("email")) if organizer.get("email") else None,
        title=str(data.get("title") or ""),
        ical_uid=str(data["iCalUID"]) if data.get("iCalUID") else None,
        ical_sequence=int(sequence) if isinstance(sequence, int | float) and not isinstance(sequence, bool) else None,
        calcom_event_type_id=int(event_type_id) if isinstance(event_type_id, int) else None,
        meeting_url=meeting_url_from_webhook(data),
        rescheduled_from_uid=str(reschedule_from) if reschedule_from else None,
        cancellation_reason=str(data["cancellationReason"]) if data.get("cancellationReason") else None,
    )


def _apply(ws: Workspace, uow: Any, event: WebhookEvent) -> tuple[str, str, str | None]:
    trigger = event.trigger or ""
    _, data = _envelope(event.payload)
    late = _late_note(ws, event)
    if trigger == "PING":
        return "processed", "Ping from Cal.com: the webhook is set up." + late, None
    if trigger in MEETING_TRIGGERS:
        outcome = apply_meeting_event(ws, uow, event.booking_uid or "", trigger=trigger)
    elif trigger in BOOKING_TRIGGERS:
        outcome = apply_booking_facts(ws, uow, booking_facts(data, trigger), trigger=trigger)
    else:
        return "ignored", f"Ignored: {trigger} is not an event the workspace uses." + late, None
    return outcome.status, outcome.message + late, outcome.session_id


def _envelope(body: Any) -> tuple[str, dict[str, Any]]:
    """(trigger, booking data) from the wrapped {triggerEvent, createdAt, payload} or the flat MEETING_* shape."""
    if not isinstance(body, dict):
        raise MalformedPayload("the body is not a JSON object")
    trigger = body.get("triggerEvent")
    if not isinstance(trigger, str) or not trigger:
        raise MalformedPayload("triggerEvent is missing")
    data = body.get("payload") if "payload" in body else body
    if not isinstance(data, dict):
        raise MalformedPayload("payload is not an object")
    return trigger.upper(), data


def _booking_uid(trigger: str, data: Mapping[str, Any]) -> str | None:
    uid = data.get("uid") or data.get("bookingUid")
    return str(uid) if uid else None


def _dedupe_key(trigger: str, data: Mapping[str, Any], uid: str | None, digest: str) -> str:
    """The same change delivered twice (even re-serialised) gets the same key; PINGs and unknown
    events fall back to the body hash."""
    if uid and trigger in BOOKING_TRIGGERS:
        revision = data.get("iCalSequence", data.get("startTime", ""))
        return f"{trigger}:{uid}:{revision}:{str(data.get('status', '')).upper()}"[:300]
    if uid and trigger in MEETING_TRIGGERS:
        return f"{trigger}:{uid}"[:300]
    return f"body:{digest}"


def _time(data: Mapping[str, Any], key: str) -> datetime:
    value = data.get(key)
    if not isinstance(value, str):
        raise MalformedPayload(f"{key} is missing")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedPayload(f"{key} {value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise MalformedPayload(f"{key} {value!r} has no time zone")
    return parsed


def _late_note(ws: Workspace, event: WebhookEvent) -> str:
    created = (event.payload or {}).get("createdAt")
    if not isinstance(created, str) or event.received_at is None:
        return ""
    try:
        sent = datetime.fromisoformat(created)
    except ValueError:
        return ""
    if sent.tzinfo is None:
        return ""
    age = event.received_at - sent
    if age > timedelta(minutes=ws.settings.scheduling.webhook_max_age_minutes):
        return f" (late: sent {int(age.total_seconds() // 60)} minutes before it arrived)"
    return ""


def _reject(ws: Workspace, digest: str, status_code: int, message: str, source: str) -> Receipt:
    """Refused deliveries are logged and kept in the webhook log (without their body)."""
    log.warning("webhook refused", extra={"status_code": status_code, "reason": message})
    with ws.uow_factory() as uow:
        stored = uow.webhook_events.add(
            WebhookEvent(
                source=source,
                body_sha256=digest,
                status="rejected",
                outcome=f"{status_code}: {message}",
                received_at=ws.clock(),
            )
        )
        uow.commit()
    return Receipt(status_code, message, stored.id)


def _finish(ws: Workspace, event_id: int, status: str, outcome: str) -> WebhookEvent:
    with ws.uow_factory() as uow:
        event = uow.webhook_events.get(event_id)
        event.status, event.outcome, event.processed_at = status, outcome, ws.clock()
        stored = uow.webhook_events.update(event)
        uow.commit()
    log.warning("webhook failed", extra={"event_id": event_id, "outcome": outcome})
    return stored
