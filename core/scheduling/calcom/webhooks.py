"""Cal.com webhooks: check the signature, store the event, answer, then apply it once.

Cal.com signs the raw body with HMAC-SHA256 (hex, no prefix, no timestamp) and gives no event
id, so the receiver (1) refuses anything it cannot verify, (2) stores every accepted delivery
before answering, with a dedupe key built from the event itself (trigger, booking uid, iCal
sequence, status), and (3) processes an event only through the delivery that won that key.
The event is stored with a job that applies it (core.jobs, in the same transaction), so a worker
applies it after the answer and a restart or a second replica neither loses nor repeats it;
`process_waiting` applies what is waiting by hand. Whatever processing raises, the event ends
"failed" with the reason, except a locked or unreachable database: then it is tried again later
(status "retry", exponential backoff, at most MAX_ATTEMPTS tries). Requests refused before their
signature checks out (unsigned, forged, oversized, no secret) are counted per reason and hour, not
stored one by one, so a flood of them cannot push real deliveries out of the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from core import audit
from core.errors import AlreadyExists, DatabaseUnavailable
from core.jobs import ledger
from core.models import BookingStatus, Job, WebhookEvent, WebhookRefusal
from core.permissions.actor import Actor
from core.scheduling import booking_news
from core.scheduling.booking_sync import (
    BOOKING_TRIGGERS,
    MEETING_TRIGGERS,
    BookingFacts,
    apply_booking_facts,
    apply_meeting_event,
)
from core.scheduling.meeting_links import meeting_url_from_webhook
from core.single_line import single_line
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Cal-Signature-256"
APPLY_EVENT = "calcom_webhook"  # the job kind that applies a stored event
CALCOM = Actor.workspace("calcom")
MAX_ATTEMPTS = 3  # tries of one event against a locked or unreachable database
RETRY_AFTER = timedelta(seconds=30)  # then 60 s: doubled after each try
MAX_DEPTH = 32  # nesting of a JSON body; Cal.com's go about 5 deep
REFUSALS_KEPT = timedelta(days=30)
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


@dataclass(frozen=True)
class Delivery:
    """One POST as it arrived: the raw bytes (the signature covers them) and the signature header."""

    body: bytes
    signature: str | None


def receive(
    ws: Workspace, raw_body: bytes, signature: str | None, *, secret: str | None, source: str = "calcom"
) -> Receipt:
    """Verify and store one delivery. Fast: no network, one small transaction."""
    checked = _check(ws, Delivery(raw_body, signature), secret=secret, source=source)
    return checked if isinstance(checked, Receipt) else _store_one(ws, checked)


def receive_many(
    ws: Workspace, deliveries: Sequence[Delivery], *, secret: str | None, source: str = "calcom"
) -> list[Receipt | Exception]:
    """Deliveries that arrived together, stored in one transaction: under a burst, one commit (and one turn
    at SQLite's single writer) serves them all. Each gets the answer `receive` would give it; when the batch
    cannot be stored together (an event stored meanwhile by another process, a value the database refuses),
    each is stored on its own, and one that still fails gets its exception, not its neighbours'."""
    answers: list[Receipt | Exception | None] = [None] * len(deliveries)
    ready: list[tuple[int, WebhookEvent]] = []
    for index, delivery in enumerate(deliveries):
        try:
            checked = _check(ws, delivery, secret=secret, source=source)
        except Exception as exc:  # this delivery's answer, not the batch's
            answers[index] = exc
            continue
        if isinstance(checked, Receipt):
            answers[index] = checked
        else:
            ready.append((index, checked))
    try:
        stored = _store_together(ws, [event for _, event in ready])
    except DatabaseUnavailable:
        raise
    except Exception:  # stored one by one below, each with its own outcome
        stored = []
        for _, event in ready:
            try:
                stored.append(_store_one(ws, replace(event)))
            except Exception as exc:  # its own answer
                stored.append(exc)
    for (index, _), answer in zip(ready, stored, strict=True):
        answers[index] = answer
    return [a for a in answers if a is not None]


def _check(ws: Workspace, delivery: Delivery, *, secret: str | None, source: str) -> Receipt | WebhookEvent:
    """The refusal to answer at once, or the event to store."""
    raw_body, signature = delivery.body, delivery.signature
    digest = hashlib.sha256(raw_body).hexdigest()
    limit = ws.settings.scheduling.webhook_max_bytes
    if len(raw_body) > limit:
        return _refuse(ws, 413, f"Body of {len(raw_body)} bytes is over the {limit}-byte limit.", _OVERSIZED, source)
    if not secret:
        message = "No webhook secret is configured (CALCOM_WEBHOOK_SECRET)."
        return _refuse(ws, 503, message, message, source)
    if not verify_signature(raw_body, signature, secret):
        reason = "Refused: missing signature." if not signature else "Refused: signature does not match."
        return _refuse(ws, 401, reason, reason, source)
    try:
        body = _parse(raw_body)
        trigger, data = _envelope(body)
    except (ValueError, MalformedPayload) as exc:
        return _reject(ws, digest, 400, f"Malformed body: {exc}", source)
    uid = _booking_uid(trigger, data)
    return WebhookEvent(
        source=source,
        body_sha256=digest,
        status="received",
        trigger=trigger,
        booking_uid=uid,
        dedupe_key=_dedupe_key(trigger, data, uid, digest),
        payload=body,
        received_at=ws.clock(),
    )


def _store_one(ws: Workspace, event: WebhookEvent) -> Receipt:
    try:
        with ws.uow_factory() as uow:
            stored = uow.webhook_events.add(event)
            assert stored.id is not None
            job = ledger.add(uow, ws, APPLY_EVENT, job_key(stored.id), actor=CALCOM, payload={"event_id": stored.id})
            uow.commit()
    except AlreadyExists:
        with ws.uow_factory() as uow:
            first = uow.webhook_events.by_dedupe_key(event.dedupe_key or "")
            stored = uow.webhook_events.add(_as_duplicate(event, first.id if first else None))
            uow.commit()
        log.info("webhook duplicate", extra={"trigger": event.trigger, "uid": event.booking_uid, "event_id": stored.id})
        return Receipt(200, "Duplicate delivery; already received.", stored.id, duplicate=True)
    ledger.send(ws, job)  # a worker applies it (entry/job_handlers.py); the answer does not wait
    log.info("webhook received", extra={"trigger": event.trigger, "uid": event.booking_uid, "event_id": stored.id})
    return Receipt(200, "Received.", stored.id)


def _store_together(ws: Workspace, events: list[WebhookEvent]) -> list[Receipt | Exception]:
    """All in one transaction; a duplicate (of a stored event or of one earlier in the batch) is stored as
    such. Raises AlreadyExists when another process stored one of the keys since we looked."""
    if not events:
        return []
    with ws.uow_factory() as uow:
        # one query for the batch's keys, one INSERT for its events: per-event round trips were most of
        # the intake's time under a burst
        first_of = uow.webhook_events.ids_by_dedupe_key(sorted({event.dedupe_key or "" for event in events}))
        new: dict[str, WebhookEvent] = {}  # the first delivery of each key not stored yet, in arrival order
        for event in events:
            key = event.dedupe_key or ""
            if key not in first_of and key not in new:
                new[key] = replace(event)
        stored_new = {e.dedupe_key or "": e for e in uow.webhook_events.add_all(list(new.values()))}
        first_of.update({key: e.id for key, e in stored_new.items() if e.id is not None})
        payloads = {job_key(e.id): {"event_id": e.id} for e in stored_new.values() if e.id is not None}
        jobs = ledger.add_many(uow, ws, APPLY_EVENT, payloads, actor=CALCOM)
        receipts: list[Receipt | Exception] = []
        duplicates: list[tuple[int, WebhookEvent]] = []
        for index, event in enumerate(events):
            key = event.dedupe_key or ""
            mine = stored_new.pop(key, None)  # the first delivery of a key in the batch is the stored one
            if mine is not None:
                receipts.append(Receipt(200, "Received.", mine.id))
                continue
            receipts.append(Receipt(200, "Duplicate delivery; already received.", None, duplicate=True))
            duplicates.append((index, _as_duplicate(replace(event), first_of.get(key))))
        kept = uow.webhook_events.add_all([duplicate for _, duplicate in duplicates])
        for (index, _), stored in zip(duplicates, kept, strict=True):
            receipts[index] = Receipt(200, "Duplicate delivery; already received.", stored.id, duplicate=True)
        uow.commit()
    for job in jobs:
        ledger.send(ws, job)
    # One line for the batch: a line per delivery was a sixth of the intake's time under a burst.
    logged = [
        {"event_id": r.event_id, "trigger": e.trigger, "uid": e.booking_uid, "duplicate": r.duplicate}
        for e, r in zip(events, receipts, strict=True)
        if isinstance(r, Receipt)
    ]
    log.info("webhooks received", extra={"count": len(logged), "events": logged})
    return receipts


def _as_duplicate(event: WebhookEvent, first_id: int | None) -> WebhookEvent:
    """The record of a delivery whose event is already stored: kept for the log, never applied."""
    event.dedupe_key = None
    event.status = "duplicate"
    event.outcome = f"Same event as #{first_id}; not applied again." if first_id else "Duplicate; not applied again."
    return event


def job_key(event_id: int) -> str:
    """The key of the job that applies one stored event: one job per event."""
    return f"{APPLY_EVENT}:{event_id}"


def refuse_oversized(ws: Workspace, size: int, *, source: str = "calcom") -> Receipt:
    limit = ws.settings.scheduling.webhook_max_bytes
    return _refuse(ws, 413, f"Body of {size} bytes or more is over the {limit}-byte limit.", _OVERSIZED, source)


def process(ws: Workspace, event_id: int) -> WebhookEvent:
    """Apply one stored event to the sessions; its status and outcome record what happened.

    Never leaves an event "received" because of what is in it: any error marks it failed with the
    reason. A locked or unreachable database schedules a retry instead (DatabaseUnavailable is
    raised only when even that cannot be written; the event then stays waiting)."""
    try:
        with ws.uow_factory() as uow:
            event = uow.webhook_events.get(event_id)
            if event.status not in ("received", "retry"):
                return event  # processed by another worker already
            event.status, event.outcome, event.session_id, news = _apply(ws, uow, event)
            event.processed_at, event.next_attempt_at = ws.clock(), None
            stored = uow.webhook_events.update(event)
            _audit(uow, "webhook_processed", stored)
            uow.commit()
        booking_news.wake(ws, news)
    except DatabaseUnavailable:
        return _retry_later(ws, event_id)
    except Exception as exc:  # any other error is in the event itself: trying again cannot help
        return _finish(ws, event_id, "failed", f"Could not apply: {_reason(exc)}", error=type(exc).__name__)
    log.info("webhook processed", extra={"event_id": event_id, "status": stored.status})
    return stored


def process_waiting(ws: Workspace, *, received_before: datetime | None = None) -> int:
    """Process events stored but not yet applied (the server stopped in between) and retries that are
    due; returns how many were tried. `received_before` leaves fresh events to the request that
    stored them. Each event is tried at most once per call, so a database that is down ends the call."""
    done = 0
    tried: set[int] = set()
    while True:
        with ws.uow_factory() as uow:
            waiting = uow.webhook_events.waiting(limit=100, due_by=ws.clock(), received_before=received_before)
        batch = [event.id for event in waiting if event.id is not None and event.id not in tried]
        if not batch:
            return done
        for event_id in batch:
            tried.add(event_id)
            try:
                process(ws, event_id)
            except DatabaseUnavailable:
                log.warning("webhook: database unavailable; the event waits", extra={"event_id": event_id})
            done += 1


def last_delivery_at(ws: Workspace) -> datetime | None:
    """When the newest delivery was stored: a worker on SQLite waits for a lull in deliveries (entry/worker.py)."""
    with ws.uow_factory() as uow:
        return uow.webhook_events.last_received_at()


def recent_refusals(ws: Workspace, *, limit: int = 200) -> list[WebhookRefusal]:
    """Refused requests counted per reason and hour, newest first."""
    with ws.uow_factory() as uow:
        return uow.webhook_refusals.latest(limit=limit)


def refusal_total(ws: Workspace) -> int:
    with ws.uow_factory() as uow:
        return uow.webhook_refusals.total()


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
        attendee_name=_field(first.get("name")) or "Candidate",
        attendee_email=_field(first.get("email")),
        attendee_timezone=_field(first.get("timeZone")) or "UTC",
        guests=tuple(guest for a in attendees[1:] if (guest := _field(a.get("email")))),
        organizer_email=_field(organizer.get("email")) or None,
        title=_field(data.get("title")),
        ical_uid=str(data["iCalUID"]) if data.get("iCalUID") else None,
        ical_sequence=int(sequence) if isinstance(sequence, int | float) and not isinstance(sequence, bool) else None,
        calcom_event_type_id=event_type_id if isinstance(event_type_id, int) and 0 < event_type_id < 2**31 else None,
        meeting_url=meeting_url_from_webhook(data),
        rescheduled_from_uid=str(reschedule_from) if reschedule_from else None,
        cancellation_reason=str(data["cancellationReason"]) if data.get("cancellationReason") else None,
    )


def _field(value: object) -> str:
    """A one-line field of the payload as text: a booker can type CR/LF into their name on Cal.com's page."""
    return single_line(str(value)) if value else ""


def _apply(ws: Workspace, uow: Any, event: WebhookEvent) -> tuple[str, str, str | None, list[Job]]:
    """(status, outcome, session id, the jobs of the emails and webhooks the change wrote)."""
    trigger = event.trigger or ""
    _, data = _envelope(event.payload)
    late = _late_note(ws, event)
    if trigger == "PING":
        return "processed", "Ping from Cal.com: the webhook is set up." + late, None, []
    if trigger in MEETING_TRIGGERS:
        outcome = apply_meeting_event(ws, uow, event.booking_uid or "", trigger=trigger)
    elif trigger in BOOKING_TRIGGERS:
        outcome = apply_booking_facts(ws, uow, booking_facts(data, trigger), trigger=trigger)
    else:
        return "ignored", f"Ignored: {trigger} is not an event the workspace uses." + late, None, []
    return outcome.status, outcome.message + late, outcome.session_id, outcome.jobs


def _parse(raw_body: bytes) -> Any:
    """json.loads, refusing bodies nested deeper than MAX_DEPTH (deep ones raise RecursionError)."""
    try:
        body = json.loads(raw_body, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise MalformedPayload(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
    level: list[tuple[Any, int]] = [(body, 1)]
    while level:
        value, depth = level.pop()
        if depth > MAX_DEPTH:
            raise MalformedPayload(f"the JSON is nested more than {MAX_DEPTH} levels deep")
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        level.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return body


def _no_constant(name: str) -> float:
    """NaN and Infinity are not JSON (JSON.stringify never writes them) and PostgreSQL refuses them."""
    raise MalformedPayload(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise MalformedPayload(f"the number {text[:40]} is too large")
    return value


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


_OVERSIZED = "Body over the size limit."


def _refuse(ws: Workspace, status_code: int, message: str, reason: str, source: str) -> Receipt:
    """A request refused before it proved to come from Cal.com: counted under (source, status, reason)
    in the current UTC hour; each new hour's row also prunes rows older than REFUSALS_KEPT."""
    log.warning("webhook refused", extra={"status_code": status_code, "reason": message})
    now = ws.clock()
    refusal = WebhookRefusal(
        source=source,
        status_code=status_code,
        reason=reason,
        hour=now.astimezone(UTC).strftime("%Y-%m-%dT%H"),
        count=1,
        first_at=now,
        last_at=now,
    )
    for _ in range(3):  # another request may store the hour's row between our UPDATE and INSERT
        try:
            with ws.uow_factory() as uow:
                if uow.webhook_refusals.count(refusal):
                    uow.webhook_refusals.prune(before=now - REFUSALS_KEPT)
                uow.commit()
            break
        except AlreadyExists:
            continue
    return Receipt(status_code, message)


def _reject(ws: Workspace, digest: str, status_code: int, message: str, source: str) -> Receipt:
    """Signed deliveries we cannot read are logged and kept in the webhook log (without their body)."""
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
        _audit(uow, "webhook_refused", stored, http_status=status_code)
        uow.commit()
    return Receipt(status_code, message, stored.id)


def _finish(ws: Workspace, event_id: int, status: str, outcome: str, *, error: str) -> WebhookEvent:
    with ws.uow_factory() as uow:
        event = uow.webhook_events.get(event_id)
        if event.status not in ("received", "retry"):  # another worker applied it meanwhile (its write won)
            return event
        event.status, event.outcome, event.processed_at = status, outcome, ws.clock()
        event.next_attempt_at = None
        stored = uow.webhook_events.update(event)
        _audit(uow, "webhook_failed", stored)
        uow.commit()
    log.warning("webhook failed", extra={"event_id": event_id, "error": error})  # the outcome may quote the booker
    return stored


def _retry_later(ws: Workspace, event_id: int) -> WebhookEvent:
    """One more try used up: schedule the next (RETRY_AFTER, doubled each time) or give up."""
    with ws.uow_factory() as uow:
        event = uow.webhook_events.get(event_id)
        if event.status not in ("received", "retry"):  # another worker applied it meanwhile
            return event
        event.attempts += 1
        if event.attempts >= MAX_ATTEMPTS:
            event.status, event.next_attempt_at, event.processed_at = "failed", None, ws.clock()
            event.outcome = f"Could not apply: the database was locked or unreachable {event.attempts} times."
        else:
            event.status = "retry"
            event.next_attempt_at = ws.clock() + RETRY_AFTER * 2 ** (event.attempts - 1)
            event.outcome = (
                f"The database was locked or unreachable (try {event.attempts} of {MAX_ATTEMPTS}); will retry."
            )
        stored = uow.webhook_events.update(event)
        if stored.status == "failed":
            _audit(uow, "webhook_failed", stored)
        uow.commit()
    log.warning("webhook retry", extra={"event_id": event_id, "attempts": stored.attempts, "status": stored.status})
    return stored


def _audit(uow: UnitOfWork, action: str, event: WebhookEvent, *, http_status: int | None = None) -> None:
    """The activity log's line for a delivery: the event's id, trigger and status only. Not its outcome (it may
    name the booker) nor its booking uid: erasing a person deletes their deliveries, and the Webhook log, where
    the id leads, with them."""
    detail: dict[str, object] = {"event": event.id, "trigger": event.trigger, "status": event.status}
    if http_status is not None:
        detail["http_status"] = http_status
    audit.record(uow, action, actor=CALCOM.name, session_id=event.session_id, detail=detail)


def _reason(exc: Exception) -> str:
    """The first line of the error, short: driver errors add the SQL and its parameters on later lines."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    return (text or type(exc).__name__)[:300]
