"""The outbox's services over the in-memory unit of work: a message is stored with its send job in the
caller's transaction, only an admin retries only a failed one, and messages that waited for SMTP are queued
again once SMTP is configured (but not while their job is still finishing)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.config import NotificationSettings, Settings, SmtpSettings
from core.errors import AccessDenied, InvalidInput
from core.models import Account, AccountRole, Channel, JobStatus, OutboxMessage, OutboxStatus
from core.notifications import outbox
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

NOW = datetime(2030, 6, 4, 12, 0, tzinfo=UTC)
SYSTEM = Actor.workspace("system")
ADMIN = Actor.person(Account(id="a1", email="ada@example.com", name="Ada", roles=[AccountRole.ADMIN]))
INTERVIEWER = Actor.person(Account(id="i1", email="ivan@example.com", name="Ivan", roles=[AccountRole.INTERVIEWER]))
WITH_SMTP = Settings(notifications=NotificationSettings(smtp=SmtpSettings(host="smtp.example.com")))


def written(uow: FakeUnitOfWork, ws: Workspace) -> OutboxMessage:
    with uow:
        job = outbox.add(uow, ws, OutboxMessage("follow_up", "ola@example.com", "Hi", "Hello"), actor=SYSTEM)
        uow.commit()
    return uow.outbox.get(int(job.payload["message_id"]))


def set_state(uow: FakeUnitOfWork, message: OutboxMessage, status: OutboxStatus, job_status: JobStatus) -> None:
    with uow:
        message.status = status
        uow.outbox.update(message)
        job = uow.jobs.by_key(outbox.job_key(message.id or 0))
        assert job is not None
        job.status = job_status
        uow.jobs.update(job)
        uow.commit()


def test_a_message_is_stored_whole_with_its_sender_its_message_id_and_one_send_job() -> None:
    uow = FakeUnitOfWork()
    ws = fake_workspace(uow, Clock(NOW))
    message = written(uow, ws)
    assert (message.status, message.attempts, message.actor) == (OutboxStatus.QUEUED, 0, "system")
    assert message.sender == "Interview Workspace <interviews@interview-workspace.local>"
    assert message.message_id.endswith("@interview-workspace.local>")
    job = uow.jobs.by_key(outbox.job_key(message.id or 0))
    assert job is not None and (job.kind, job.payload, job.status) == (
        "send_email",
        {"message_id": message.id},
        JobStatus.QUEUED,
    )


def test_only_an_admin_retries_and_only_a_failed_message() -> None:
    uow = FakeUnitOfWork()
    ws = fake_workspace(uow, Clock(NOW))
    message = written(uow, ws)
    with pytest.raises(InvalidInput, match=f"Email #{message.id} is queued; only a failed message can be retried."):
        outbox.retry(ws, message.id or 0, actor=ADMIN)
    set_state(uow, message, OutboxStatus.FAILED, JobStatus.FAILED)
    with pytest.raises(AccessDenied):
        outbox.retry(ws, message.id or 0, actor=INTERVIEWER)
    with pytest.raises(AccessDenied):
        outbox.recent(ws, actor=INTERVIEWER)
    again = outbox.retry(ws, message.id or 0, actor=ADMIN)
    assert (again.status, again.last_error) == (OutboxStatus.QUEUED, "Retried by account:a1.")
    job = uow.jobs.by_key(outbox.job_key(message.id or 0))
    assert job is not None and (job.status, job.attempts) == (JobStatus.QUEUED, 0)
    assert [e.action for e in uow.audit.latest()] == ["email_retried"]


def test_waiting_messages_are_released_only_with_smtp_and_once_their_job_has_finished() -> None:
    uow = FakeUnitOfWork()
    embedded = fake_workspace(uow, Clock(NOW))
    finished, finishing = written(uow, embedded), written(uow, embedded)
    set_state(uow, finished, OutboxStatus.WAITING, JobStatus.DONE)
    set_state(uow, finishing, OutboxStatus.WAITING, JobStatus.RUNNING)
    assert outbox.release_waiting(embedded) == 0

    configured = fake_workspace(uow, Clock(NOW), WITH_SMTP)
    assert outbox.release_waiting(configured) == 1
    assert [(m.id, m.status) for m in reversed(uow.outbox.latest())] == [
        (finished.id, OutboxStatus.QUEUED),
        (finishing.id, OutboxStatus.WAITING),
    ]
    job = uow.jobs.by_key(outbox.job_key(finished.id or 0))
    assert job is not None and job.status is JobStatus.QUEUED and job.reason == "SMTP is configured now: sending."
    set_state(uow, finishing, OutboxStatus.WAITING, JobStatus.DONE)
    assert outbox.release_waiting(configured) == 1 and outbox.release_waiting(configured) == 0


def test_a_message_is_named_by_its_channel_and_number_never_by_its_recipient() -> None:
    for channel, name in ((Channel.EMAIL, "Email #7"), (Channel.SLACK, "Slack message #7"), (Channel.SMS, "SMS #7")):
        message = OutboxMessage("booking_confirmation", "+447700900123", "S", "t", channel=channel, id=7)
        assert outbox.named(message) == name
