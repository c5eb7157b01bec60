"""Sending the debrief's follow-up email, over the in-memory unit of work: the edited draft with its merge
tags filled in goes to the outbox with its send job, the Send is audited as sent, and what cannot be sent
(no address, no recommendation, someone who may not edit the session) is refused with a sentence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from core.config import NotificationSettings, Settings
from core.debrief.follow_up_email import FOLLOW_UP, send_follow_up, sent_follow_ups
from core.errors import AccessDenied, ContentError, InvalidInput
from core.models import (
    Account,
    AccountRole,
    Candidate,
    LiveSession,
    MemberRole,
    OutboxStatus,
    RecommendationRecord,
    Session,
    SessionStatus,
    TeamMember,
)
from core.notifications.outbox import SEND_EMAIL, job_key
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
SENDER = "Interviews <interviews@example.org>"


@dataclass
class Debrief:
    ws: Workspace
    uow: FakeUnitOfWork


@pytest.fixture
def debrief() -> Debrief:
    uow = FakeUnitOfWork()
    ws = fake_workspace(uow, Clock(NOW), Settings(notifications=NotificationSettings(sender=SENDER)))
    with uow:
        uow.candidates.add(Candidate(id="c1", name="Ola Nord", email="ola@example.com"))
        uow.sessions.add(
            Session(
                id="s1", problem_id="", kind="customer_discovery", candidate_id="c1",
                interviewer_provider="human", status=SessionStatus.COMPLETED, created_at=NOW,
            )
        )  # fmt: skip
        uow.live_sessions.add(
            LiveSession(session_id="s1", template_id="customer_discovery", template_version="1", stage="wrap_up")
        )
        uow.team_members.add(
            TeamMember(id="m1", name="Ben Carter", email="ben@example.com", role=MemberRole.INTERVIEWER)
        )
        uow.session_interviewers.set("s1", ["m1"])
        uow.recommendations.add(RecommendationRecord("s1", "activation_candidate", 0.8, "computed", "lead"))
        uow.commit()
    return Debrief(ws, uow)


def test_the_edited_draft_goes_to_the_outbox_with_its_job_and_is_audited_as_sent(debrief: Debrief) -> None:
    sent = send_follow_up(
        debrief.ws,
        "s1",
        subject="Next step for {{candidate.first_name}}",
        body="Hi {{candidate.first_name}},\n\nThanks, {{interviewer.name}}",
        actor=INTERVIEWER,
    )
    assert (sent.kind, sent.recipient, sent.sender, sent.reply_to) == (
        FOLLOW_UP,
        "Ola Nord <ola@example.com>",
        SENDER,
        "Ben Carter <ben@example.com>",
    )
    assert (sent.subject, sent.text_body, sent.status) == (
        "Next step for Ola",
        "Hi Ola,\n\nThanks, Ben Carter",
        OutboxStatus.QUEUED,
    )
    assert "<p>Hi Ola,</p>" in sent.html_body and sent.session_id == "s1" and sent.attachment is None
    job = debrief.uow.jobs.by_key(job_key(sent.id or 0))
    assert job is not None and job.kind == SEND_EMAIL and job.session_id == "s1"
    [entry] = [e for e in debrief.uow.audit.latest(session_id="s1") if e.action == "follow_up_email_sent"]
    assert entry.actor == "interviewer"
    assert entry.detail == {
        "message": sent.id,
        "recommendation": "activation_candidate",
        "subject": "Next step for Ola",
    }
    assert sent_follow_ups(debrief.ws, "s1", actor=INTERVIEWER) == [sent]


def test_what_cannot_be_sent_is_refused_with_a_sentence_and_nothing_is_written(debrief: Debrief) -> None:
    with pytest.raises(ContentError, match=r"Unknown merge tag candidate\.phone"):
        send_follow_up(debrief.ws, "s1", subject="Hi", body="Call {{candidate.phone}}", actor=INTERVIEWER)
    with pytest.raises(InvalidInput, match="needs a subject and a body"):
        send_follow_up(debrief.ws, "s1", subject=" ", body="Hi", actor=INTERVIEWER)
    reviewer = Account(id="r1", email="rita@example.com", name="Rita", roles=[AccountRole.REVIEWER])
    with pytest.raises(AccessDenied):
        send_follow_up(debrief.ws, "s1", subject="Hi", body="Hi", actor=Actor.person(reviewer))
    with debrief.uow:
        candidate = debrief.uow.candidates.get("c1")
        candidate.email = None
        debrief.uow.candidates.update(candidate)
        debrief.uow.commit()
    with pytest.raises(InvalidInput, match="The candidate has no email address"):
        send_follow_up(debrief.ws, "s1", subject="Hi", body="Hi", actor=INTERVIEWER)
    assert debrief.uow.outbox.latest() == [] and debrief.uow.jobs.latest() == []
