"""The Jobs page: counts by status, failed jobs with their reason and a Retry, the latest jobs, and the email
outbox with a Retry for failed emails; admins only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.jobs import ledger, runner
from core.models import Job, JobStatus, OutboxMessage, OutboxStatus
from core.notifications import outbox
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.ui.conftest import APP, TIMEOUT, AppFactory, add_person, assert_clean, button, signed_in_as

SYSTEM = Actor.workspace("system")


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def stored(ws: Workspace, job: Job) -> Job:
    with ws.uow_factory() as uow:
        return uow.jobs.get(job.id or 0)


def test_an_admin_sees_why_a_job_failed_and_retries_it(new_app: AppFactory, ws: Workspace) -> None:
    done = ledger.submit(ws, "retention", "retention:2031-03-10", actor=SYSTEM)
    runner.run(ws, done.id or 0, {"retention": lambda ws, job, progress: "Retention cleanup removed nothing."})
    failed = ledger.submit(ws, "mystery", "mystery:1", actor=SYSTEM)
    runner.run(ws, failed.id or 0, {})
    ledger.submit(ws, "calcom_webhook", "calcom_webhook:7", actor=SYSTEM, payload={"event_id": 7})

    at = new_app()
    at.run()
    at.switch_page("pages/jobs.py").run()
    assert_clean(at)
    assert (metric(at, "Waiting"), metric(at, "Running"), metric(at, "Done"), metric(at, "Failed")) == (
        "1",
        "0",
        "1",
        "1",
    )
    assert "No worker knows how to run a 'mystery' job." in [c.value for c in at.caption]
    table = at.dataframe[0].value
    assert list(table["Job"]) == ["Cal.com webhook", "mystery", "Daily cleanup"]
    assert list(table["Status"]) == ["Waiting", "Failed", "Done"]

    button(at, "Retry").click().run()
    assert_clean(at)
    assert stored(ws, failed).status is JobStatus.QUEUED and stored(ws, failed).attempts == 0
    assert metric(at, "Failed") == "0" and metric(at, "Waiting") == "2"
    assert "Retried by account:" in stored(ws, failed).reason


def test_the_jobs_page_is_not_in_an_interviewers_navigation(new_app: AppFactory, ws: Workspace) -> None:
    new_app()
    ivan = add_person("ivan@example.com", "interviewer", name="Ivan")
    at = signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), ivan.email, ivan.name)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in their navigation
        at.switch_page("pages/jobs.py")


def test_an_admin_sees_the_email_outbox_and_retries_a_failed_email(new_app: AppFactory, ws: Workspace) -> None:
    with ws.uow_factory() as uow:
        waiting = outbox.add(
            uow, ws, OutboxMessage("follow_up", "Ola Nord <ola@example.com>", "Thanks", "Hi"), actor=SYSTEM
        )
        failed = outbox.add(
            uow, ws, OutboxMessage("booking_confirmation", "lin@example.com", "Booked", "Hi"), actor=SYSTEM
        )
        uow.commit()
    with ws.uow_factory() as uow:
        for job, status in ((waiting, OutboxStatus.WAITING), (failed, OutboxStatus.FAILED)):
            message = uow.outbox.get(int(job.payload["message_id"]))
            message.status, message.attempts = status, 1
            message.last_error = "The mail server refused the recipient: 550 5.1.1 no such mailbox."
            uow.outbox.update(message)
        uow.commit()

    at = new_app()
    at.run()
    at.switch_page("pages/jobs.py").run()
    assert_clean(at)
    [expander] = [e for e in at.expander if e.label.startswith("Notification outbox")]
    assert expander.label == "Notification outbox (email, Slack, SMS) · 2"
    assert (metric(at, "Waiting for SMTP"), metric(at, "Messages not sent"), metric(at, "Messages sent")) == (
        "1",
        "1",
        "0",
    )
    assert "The mail server refused the recipient\\: 550 5.1.1 no such mailbox." in [
        c.value for c in at.caption
    ]  # Markdown-escaped
    table = expander.dataframe[0].value
    assert list(table["Email"]) == ["Booking confirmation", "Follow-up"]
    assert list(table["Status"]) == ["Not sent", "Waiting for SMTP"]

    message_id = int(failed.payload["message_id"])
    at.button(key=f"retry_email_{message_id}").click().run()
    assert_clean(at)
    with ws.uow_factory() as uow:
        assert uow.outbox.get(message_id).status is OutboxStatus.QUEUED
        job = uow.jobs.by_key(outbox.job_key(message_id))
    assert job is not None and job.status is JobStatus.QUEUED
    assert metric(at, "Messages not sent") == "0" and metric(at, "Messages to send") == "1"


def test_the_outbox_shows_a_reminder_with_its_due_time_and_a_withdrawn_one(new_app: AppFactory, ws: Workspace) -> None:
    due = datetime(2031, 3, 10, 13, 0, tzinfo=UTC)
    with ws.uow_factory() as uow:
        pending, withdrawn = (
            outbox.add(
                uow,
                ws,
                OutboxMessage(
                    "booking_reminder",
                    "Grace Hopper <grace@example.com>",
                    subject,
                    "A reminder.",
                    send_after=due,
                    job_key=f"send_email:reminder:b1:60m:v{version}:abc",
                ),
                actor=SYSTEM,
            )
            for version, subject in ((1, "Reminder: your interview at 14:00"), (0, "Reminder: your interview at 13:00"))
        )
        uow.commit()
    with ws.uow_factory() as uow:
        outbox.withdraw(uow, ws, uow.outbox.get(int(withdrawn.payload["message_id"])), reason="Withdrawn: moved.")
        uow.commit()

    at = new_app()
    at.run()
    at.switch_page("pages/jobs.py").run()
    assert_clean(at)
    assert metric(at, "Messages withdrawn") == "1" and metric(at, "Messages to send") == "1"
    [expander] = [e for e in at.expander if e.label.startswith("Notification outbox")]
    table = expander.dataframe[0].value
    assert list(table["Email"]) == ["Reminder", "Reminder"]
    assert sorted(zip(table["Subject"], table["Status"], strict=True)) == [
        ("Reminder: your interview at 13:00", "Withdrawn"),
        ("Reminder: your interview at 14:00", "To send"),
    ]
    assert set(table["Due"]) == {"10 Mar 2031 13:00"}  # the browser's zone: UTC under AppTest
    jobs = at.dataframe[0].value  # the jobs: the pending reminder's is due then, the withdrawn one's is done
    assert sorted(zip(jobs["Status"], jobs["Due"], strict=True)) == [("Done", ""), ("Waiting", "10 Mar 2031 13:00")]
    assert pending.run_after == due
