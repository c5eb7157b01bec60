"""What each outgoing event says: the same shapes for every receiver, built from the records as committed.

Every body is {"type": "booking.created", "timestamp": "…", "data": {…}} (the Standard Webhooks convention).
data always has "session" (the interview's id, kind, problem and status) and "candidate" (id, name, email: what
an ATS or a CRM matches its own records by); the event adds its own part: "booking", "evaluation" or
"recommendation". Times are ISO 8601 in UTC. Ids are ours and stable, so a receiver can update what it stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.models import Booking, Evaluation, OutgoingEvent, RecommendationRecord, Session
from core.unit_of_work import UnitOfWork

Data = dict[str, Any]


def body(event: OutgoingEvent, data: Mapping[str, Any], at: datetime) -> str:
    """The JSON sent, exactly as stored (a replay sends the same bytes)."""
    document = {"type": event.value, "timestamp": _time(at), "data": dict(data)}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def interview_data(uow: UnitOfWork, session: Session) -> Data:
    """The interview and its candidate: what every event carries, and all interview.completed does."""
    candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
    return {
        "session": {
            "id": session.id,
            "kind": session.kind,
            "problem": {"id": session.problem_id, "title": session.problem_title},
            "status": session.status.value,
            "started_at": _time(session.started_at),
            "ended_at": _time(session.ended_at),
        },
        "candidate": {"id": candidate.id, "name": candidate.name, "email": candidate.email} if candidate else None,
    }


def booking_data(uow: UnitOfWork, booking: Booking) -> Data:
    """booking.created, .rescheduled and .cancelled: the booking as it now stands, with its interviewers."""
    session = uow.sessions.get(booking.session_id)
    interviewers = [uow.team_members.get(i) for i in uow.session_interviewers.for_session(session.id)]
    return {
        **interview_data(uow, session),
        "booking": {
            "id": booking.id,
            "status": booking.status.value,
            "start": _time(booking.start_at),
            "end": _time(booking.end_at),
            "timezone": booking.timezone,
            "meeting_url": booking.meeting_url,
            "source": booking.source,  # "local" (booked here) or "calcom"
            "calcom_uid": booking.external_uid,
            "cancellation_reason": booking.cancellation_reason,
            "interviewers": [{"name": m.name, "email": m.email} for m in sorted(interviewers, key=lambda m: m.name)],
        },
    }


def evaluation_data(
    uow: UnitOfWork,
    session: Session,
    evaluation: Evaluation,
    *,
    released_at: datetime,
    overall_score: float | None,
    scores: Mapping[str, float | None],
) -> Data:
    """evaluation.released: the scores in force (a reviewer's overrides applied), as the candidate now sees them."""
    return {
        **interview_data(uow, session),
        "evaluation": {
            "id": evaluation.id,
            "released_at": _time(released_at),
            "overall_score": overall_score,
            "scores": dict(scores),  # competency key -> 1.0–5.0, None when it could not be judged
            "engine": evaluation.engine,  # "offline" or the model's provider
            "rubric": {"id": evaluation.rubric_id, "version": evaluation.rubric_version},
        },
    }


def recommendation_data(uow: UnitOfWork, session: Session, record: RecommendationRecord, *, label: str) -> Data:
    """recommendation.made: the decision that now stands, computed from the scorecard or a person's override."""
    return {
        **interview_data(uow, session),
        "recommendation": {
            "id": record.id,
            "key": record.key,
            "label": label,
            "source": record.source,  # "computed" or "override"
            "confidence": record.confidence,
            "justification": record.justification,
            "made_at": _time(record.created_at),
        },
    }


def _time(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment is not None else None
