"""Where each outgoing event is written, over the in-memory unit of work: a booking made, moved or cancelled
(here or through Cal.com's news), an interview ended (AI-led or interviewer-led), an evaluation released, a
recommendation made. Each is a delivery plus its job, stored in the change's own transaction, for each
enabled subscription that wants it; nothing is sent here (a worker does that)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.config import PrivacySettings, SchedulingSettings, Settings
from core.debrief.recommendations import override_recommendation, recommend
from core.evaluation.release import approve
from core.evaluation.reviews import override_score
from core.interview.services import create_interview, end_interview, send_message, start_interview
from core.live.sessions import end_live, start_live
from core.models import BookingStatus, DeliveryStatus, EventType, JobStatus, Level, OutgoingEvent, WebhookDelivery
from core.outgoing_webhooks import deliveries, subscriptions
from core.permissions.actor import Actor
from core.scheduling.booking_sync import BookingFacts, apply_booking_facts
from core.scheduling.bookings import BookingRequest, book_interview, cancel_booking, reschedule_booking
from core.scheduling.team import add_member, save_event_type
from core.workspace import Workspace
from tests.actors import ADMIN, CANDIDATE, INTERVIEWER, SCHEDULER
from tests.clock import Clock
from tests.discovery_data import AS_ANA, accept_suggestions, fixture, seed
from tests.fakes import FakeUnitOfWork
from tests.unit.evaluation.test_offline_evaluator import STRONG
from tests.unit.fake_workspace import fake_workspace

NOW = datetime(2030, 6, 4, 12, 15, tzinfo=UTC)  # a Tuesday
START = datetime(2030, 6, 4, 14, 0, tzinfo=UTC)
ALL = [e.value for e in OutgoingEvent]


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def workspace(uow: FakeUnitOfWork, clock: Clock, *, approval: bool = True) -> Workspace:
    settings = Settings(
        scheduling=SchedulingSettings(minimum_notice_minutes=60),
        privacy=PrivacySettings(evaluation_approval=approval),
    )
    return fake_workspace(uow, clock, settings)


@pytest.fixture
def ws(uow: FakeUnitOfWork, clock: Clock) -> Workspace:
    return workspace(uow, clock)


def subscribe(ws: Workspace, *events: str, url: str = "https://ats.example.com/hooks") -> str:
    return subscriptions.subscribe(ws, url=url, events=list(events or ALL), actor=ADMIN).id


def written(uow: FakeUnitOfWork) -> list[WebhookDelivery]:
    return list(reversed(uow.webhook_deliveries.latest(limit=1000)))


def events(uow: FakeUnitOfWork) -> list[str]:
    return [d.event for d in written(uow)]


def body(delivery: WebhookDelivery) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(delivery.body)
    return document


def book(ws: Workspace, start: datetime = START) -> str:
    with ws.uow_factory() as uow:
        kinds = uow.event_types.all()
    event_type = (
        kinds[0] if kinds else save_event_type(ws, EventType(id="", title="Pairing", length_minutes=30), actor=ADMIN)
    )
    if not kinds:
        add_member(ws, name="Ana Rossi", email="ana@example.com", timezone="Europe/Rome", actor=ADMIN)
    with ws.uow_factory() as uow:
        members = uow.team_members.all()
    request = BookingRequest(
        event_type_id=event_type.id,
        problem_id="url_shortener",
        start=start,
        interviewer_ids=tuple(m.id for m in members),
        candidate_name="Grace Hopper",
        candidate_email="grace@example.com",
    )
    return book_interview(ws, request, actor=SCHEDULER).session.id


def test_a_booking_writes_its_delivery_and_job_with_the_booking_for_each_subscription_that_wants_it(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    ats = subscribe(ws, "booking.created", "booking.cancelled")
    crm = subscribe(ws, "booking.created", url="https://crm.example.com/in")
    subscribe(ws, "interview.completed", url="https://other.example.com/")  # not this event
    off = subscribe(ws, url="https://off.example.com/")
    subscriptions.set_enabled(ws, off, False, actor=ADMIN)

    session_id = book(ws)
    sent = written(uow)
    assert {d.subscription_id: (d.event, d.status) for d in sent} == {
        ats: ("booking.created", DeliveryStatus.QUEUED),
        crm: ("booking.created", DeliveryStatus.QUEUED),
    }
    assert sent[0].message_id == sent[1].message_id and sent[0].body == sent[1].body  # one event, one id
    assert all(d.session_id == session_id and d.retry_until == NOW + timedelta(hours=24) for d in sent)
    for delivery in sent:
        job = uow.jobs.by_key(deliveries.job_key(delivery.message_id, delivery.subscription_id))
        assert job is not None and job.status is JobStatus.QUEUED and job.payload == {"delivery_id": delivery.id}
        assert job.max_attempts == 35 and job.session_id == session_id
    document = body(sent[0])
    assert (document["type"], document["timestamp"]) == ("booking.created", "2030-06-04T12:15:00Z")
    booking = document["data"]["booking"]
    assert (booking["status"], booking["start"], booking["end"], booking["source"]) == (
        "confirmed",
        "2030-06-04T14:00:00Z",
        "2030-06-04T14:30:00Z",
        "local",
    )
    assert document["data"]["candidate"]["email"] == "grace@example.com"
    assert document["data"]["session"]["problem"]["id"] == "url_shortener"


def test_without_a_subscription_nothing_is_written(ws: Workspace, uow: FakeUnitOfWork) -> None:
    book(ws)
    assert written(uow) == [] and {j.kind for j in uow.jobs.latest()} == {"send_email"}


def test_a_change_that_is_not_committed_leaves_no_delivery_behind(ws: Workspace, uow: FakeUnitOfWork) -> None:
    subscribe(ws)
    facts = BookingFacts(uid="cal-1", status=BookingStatus.CONFIRMED, start=START, end=START + timedelta(hours=1))
    with ws.uow_factory() as unit:
        outcome = apply_booking_facts(ws, unit, facts, trigger="BOOKING_CREATED")
        assert outcome.status == "processed" and len(outcome.jobs) == 1  # written in the change's transaction…
    assert written(uow) == [] and uow.jobs.latest() == []  # …and gone with it


def test_moving_and_cancelling_a_booking_write_rescheduled_and_cancelled(ws: Workspace, uow: FakeUnitOfWork) -> None:
    subscribe(ws)
    session_id = book(ws)
    reschedule_booking(ws, session_id, start=START + timedelta(minutes=30), actor=SCHEDULER)
    cancel_booking(ws, session_id, reason="The role was filled.", actor=SCHEDULER)
    assert events(uow) == ["booking.created", "booking.rescheduled", "booking.cancelled"]
    moved, cancelled = (body(d)["data"]["booking"] for d in written(uow)[1:])
    assert moved["start"] == "2030-06-04T14:30:00Z"
    assert (cancelled["status"], cancelled["cancellation_reason"]) == ("cancelled", "The role was filled.")
    assert len({d.message_id for d in written(uow)}) == 3


def test_calcoms_news_makes_the_same_events_and_a_new_link_alone_is_no_reschedule(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    subscribe(ws)

    def news(trigger: str, **changes: Any) -> None:
        values: dict[str, Any] = {
            "uid": "cal-1",
            "status": BookingStatus.CONFIRMED,
            "start": START,
            "end": START + timedelta(hours=1),
            "attendee_name": "Grace Hopper",
            "attendee_email": "grace@example.com",
            "ical_uid": "ical-1@cal.com",
            **changes,
        }
        with ws.uow_factory() as unit:
            apply_booking_facts(ws, unit, BookingFacts(**values), trigger=trigger)
            unit.commit()

    news("BOOKING_REQUESTED", status=BookingStatus.PENDING, ical_sequence=0)  # waits for approval: no news yet
    assert events(uow) == []
    news("BOOKING_CREATED", ical_sequence=0)  # accepted: booked
    news(  # a new meeting link only
        "BOOKING_RESCHEDULED",
        uid="cal-2",
        rescheduled_from_uid="cal-1",
        ical_sequence=1,
        meeting_url="https://cal.com/video/x",
    )
    later = {"start": START + timedelta(hours=2), "end": START + timedelta(hours=3)}
    news("BOOKING_RESCHEDULED", uid="cal-3", rescheduled_from_uid="cal-2", ical_sequence=2, **later)
    cancelled = {"uid": "cal-3", "status": BookingStatus.CANCELLED, "ical_sequence": 3, **later}
    news("BOOKING_CANCELLED", **cancelled)
    news("BOOKING_CANCELLED", **cancelled)  # delivered twice by Cal.com: one event
    assert events(uow) == ["booking.created", "booking.rescheduled", "booking.cancelled"]
    assert body(written(uow)[1])["data"]["booking"]["calcom_uid"] == "cal-3"


def test_ending_an_ai_interview_writes_completed_and_a_release_waits_for_the_reviewer(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    subscribe(ws)
    session = create_interview(ws, problem_id="url_shortener", level=Level.MID, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    for line in STRONG:
        send_message(ws, session.id, line, actor=CANDIDATE)
    evaluation = end_interview(ws, session.id, actor=CANDIDATE)
    assert events(uow) == ["interview.completed"]  # approval is on: not the candidate's yet
    completed = body(written(uow)[0])["data"]["session"]
    assert (completed["id"], completed["status"], completed["ended_at"]) == (
        session.id,
        "completed",
        "2030-06-04T12:15:00Z",
    )

    clock.advance(minutes=5)
    reviewer = Actor.workspace("Ana Reviewer")
    override_score(ws, session.id, "estimation", 1.0, "The numbers were copied from the prompt.", actor=reviewer)
    approve(ws, session.id, actor=reviewer)
    approve(ws, session.id, actor=reviewer)  # approved already: no second event
    assert events(uow) == ["interview.completed", "evaluation.released"]
    released = body(written(uow)[1])["data"]["evaluation"]
    assert released["id"] == evaluation.id and released["released_at"] == "2030-06-04T12:20:00Z"
    assert released["scores"]["estimation"] == 1.0  # the reviewer's override, as the candidate sees it
    assert released["overall_score"] is not None and released["overall_score"] != evaluation.overall_score


def test_with_approval_off_an_ended_interview_is_released_at_once(uow: FakeUnitOfWork, clock: Clock) -> None:
    ws = workspace(uow, clock, approval=False)
    subscribe(ws, "evaluation.released")
    session = create_interview(ws, problem_id="url_shortener", level=Level.MID, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    send_message(ws, session.id, STRONG[0], actor=CANDIDATE)
    evaluation = end_interview(ws, session.id, actor=CANDIDATE)
    [released] = written(uow)
    data = body(released)["data"]["evaluation"]
    assert (released.event, data["overall_score"], data["engine"]) == (
        "evaluation.released",
        evaluation.overall_score,
        "offline",
    )


def test_an_interviewer_led_session_ending_and_its_recommendations_write_their_events(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    subscribe(ws, "interview.completed", "recommendation.made")
    session = seed(ws, fixture("follow_up_needed"))
    start_live(ws, session.id, actor=INTERVIEWER)
    end_live(ws, session.id, actor=INTERVIEWER)
    accept_suggestions(ws, session.id)
    computed = recommend(ws, session.id, actor=AS_ANA)
    overridden = override_recommendation(
        ws, session.id, key="activation_candidate", justification="Signed a letter of intent.", actor=AS_ANA
    )
    assert events(uow) == ["interview.completed", "recommendation.made", "recommendation.made"]
    first, second = (body(d)["data"]["recommendation"] for d in written(uow)[1:])
    template = ws.templates.get("customer_discovery")
    assert (first["id"], first["key"], first["source"], first["label"]) == (
        computed.id,
        "follow_up_needed",
        "computed",
        template.recommendation("follow_up_needed").label,
    )
    assert (second["id"], second["key"], second["source"], second["justification"]) == (
        overridden.id,
        "activation_candidate",
        "override",
        "Signed a letter of intent.",
    )
    assert body(written(uow)[0])["data"]["candidate"]["name"] == fixture("follow_up_needed")["candidate"]
