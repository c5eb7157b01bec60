"""The jobs ledger and runner: one job per key, one worker per attempt, retries with backoff, honest endings."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import AccessDenied, InvalidInput, SessionClosed
from core.jobs import ledger, runner
from core.jobs.runner import Failed, Progress, TryAgain
from core.models import Account, AccountRole, Job, JobStatus
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import ADMIN
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

SYSTEM = Actor.workspace("system")
INTERVIEWER = Actor.person(
    Account(id="acc-ivan", email="ivan@example.com", name="Ivan", roles=[AccountRole.INTERVIEWER])
)


class Recorder:
    """A job queue that keeps what it was asked to send (the real one is entry/job_queue.py)."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, float]] = []

    def send(self, job_id: int, *, delay: float = 0.0) -> None:
        self.sent.append((job_id, delay))


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2031, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def ws(clock: Clock) -> Workspace:
    workspace = fake_workspace(FakeUnitOfWork(), clock)
    workspace.job_queue = Recorder()
    return workspace


def stored(ws: Workspace, job_id: int | None) -> Job:
    assert job_id is not None
    with ws.uow_factory() as uow:
        return uow.jobs.get(job_id)


def counting(calls: list[int]) -> runner.Handler:
    def handle(ws: Workspace, job: Job, progress: Progress) -> str:
        calls.append(job.attempts)
        return "Counted."

    return handle


def test_a_key_submitted_twice_is_one_job_sent_once(ws: Workspace) -> None:
    first = ledger.submit(ws, "count", "count:1", actor=SYSTEM, payload={"n": 1})
    again = ledger.submit(ws, "count", "count:1", actor=SYSTEM, payload={"n": 2})
    assert again.id == first.id and again.payload == {"n": 1}
    assert ws.job_queue.sent == [(first.id, 0.0)]  # type: ignore[attr-defined]
    assert stored(ws, first.id).status is JobStatus.QUEUED and stored(ws, first.id).actor == "system"


def test_a_job_runs_once_however_often_its_message_arrives(ws: Workspace) -> None:
    calls: list[int] = []
    job = ledger.submit(ws, "count", "count:1", actor=SYSTEM)
    assert job.id is not None
    ran = runner.run(ws, job.id, {"count": counting(calls)})
    assert ran is not None and ran.job.status is JobStatus.DONE and ran.job.reason == "Counted."
    assert runner.run(ws, job.id, {"count": counting(calls)}) is None  # a second message: nothing to do
    assert calls == [1]
    assert stored(ws, job.id).progress == 1.0 and stored(ws, job.id).finished_at is not None


def test_a_transient_failure_waits_with_a_doubling_backoff_then_fails_with_its_reason(
    ws: Workspace, clock: Clock
) -> None:
    def busy(ws: Workspace, job: Job, progress: Progress) -> str:
        raise TryAgain("The provider is busy.")

    job = ledger.submit(ws, "busy", "busy:1", actor=SYSTEM)
    assert job.id is not None
    waits = []
    for _ in range(ws.settings.jobs.max_attempts - 1):
        ran = runner.run(ws, job.id, {"busy": busy})
        assert ran is not None and ran.job.status is JobStatus.QUEUED and ran.retry_in is not None
        assert "The provider is busy." in ran.job.reason
        waits.append(ran.retry_in)
        assert runner.run(ws, job.id, {"busy": busy}) is None  # not due yet
        clock.advance(seconds=ran.retry_in)
    assert waits == [5, 10, 20, 40]
    ran = runner.run(ws, job.id, {"busy": busy})
    assert ran is not None and ran.job.status is JobStatus.FAILED and ran.retry_in is None
    assert ran.job.reason == f"Gave up after {ws.settings.jobs.max_attempts} tries: The provider is busy."


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (Failed("The event names no booking."), "The event names no booking."),
        (SessionClosed("The interview has ended."), "The interview has ended."),
    ],
)
def test_a_failure_that_retrying_cannot_fix_ends_the_job_at_once(ws: Workspace, error: Exception, reason: str) -> None:
    def broken(ws: Workspace, job: Job, progress: Progress) -> str:
        raise error

    job = ledger.submit(ws, "broken", "broken:1", actor=SYSTEM)
    assert job.id is not None
    ran = runner.run(ws, job.id, {"broken": broken})
    assert ran is not None and ran.job.status is JobStatus.FAILED and ran.job.reason == reason
    assert ran.job.attempts == 1


def test_an_unexpected_error_is_retried_and_its_message_stays_in_the_log(ws: Workspace) -> None:
    def leaky(ws: Workspace, job: Job, progress: Progress) -> str:
        raise RuntimeError("password=hunter2 rejected by host")

    job = ledger.submit(ws, "leaky", "leaky:1", actor=SYSTEM)
    assert job.id is not None
    ran = runner.run(ws, job.id, {"leaky": leaky})
    assert ran is not None and ran.job.status is JobStatus.QUEUED
    assert "RuntimeError" in ran.job.reason and "hunter2" not in ran.job.reason


def test_a_kind_no_worker_knows_fails_with_that_reason(ws: Workspace) -> None:
    job = ledger.submit(ws, "mystery", "mystery:1", actor=SYSTEM)
    assert job.id is not None
    ran = runner.run(ws, job.id, {})
    assert ran is not None and ran.job.status is JobStatus.FAILED
    assert ran.job.reason == "No worker knows how to run a 'mystery' job."


def test_a_job_whose_worker_went_silent_is_run_again_and_the_silent_worker_cannot_write(
    ws: Workspace, clock: Clock
) -> None:
    reports: list[Progress] = []

    def first_worker(ws: Workspace, job: Job, progress: Progress) -> str:
        progress(0.5, "Halfway")
        reports.append(progress)
        clock.advance(seconds=ws.settings.jobs.lease_seconds + 1)  # then it goes silent past its lease
        second = runner.run(ws, job.id or 0, {"slow": lambda ws, job, progress: "Done by the second worker."})
        assert second is not None and second.job.status is JobStatus.DONE
        return "Done by the first worker."

    job = ledger.submit(ws, "slow", "slow:1", actor=SYSTEM)
    assert job.id is not None
    assert runner.run(ws, job.id, {"slow": first_worker}) is None  # its ending is not written
    final = stored(ws, job.id)
    assert final.status is JobStatus.DONE and final.reason == "Done by the second worker." and final.attempts == 2
    with pytest.raises(runner.LeaseLost):
        reports[0](1.0, "Still here")  # the next write it makes (progress is written at most once a second)


def test_progress_is_kept_and_renews_the_lease(ws: Workspace, clock: Clock) -> None:
    seen: list[Job] = []

    def long(ws: Workspace, job: Job, progress: Progress) -> str:
        clock.advance(seconds=ws.settings.jobs.lease_seconds - 1)
        progress(0.25, "A quarter of the recording")
        clock.advance(seconds=ws.settings.jobs.lease_seconds - 1)  # past the first lease, within the renewed one
        assert runner.run(ws, job.id or 0, {}) is None  # nobody else may take it
        seen.append(stored(ws, job.id))
        return "Finished."

    job = ledger.submit(ws, "long", "long:1", actor=SYSTEM)
    assert job.id is not None
    ran = runner.run(ws, job.id, {"long": long})
    assert seen[0].progress == 0.25 and seen[0].progress_note == "A quarter of the recording"
    assert ran is not None and ran.job.status is JobStatus.DONE


def test_due_finds_lost_jobs_and_unsent_messages_but_not_fresh_ones(ws: Workspace, clock: Clock) -> None:
    fresh = ledger.submit(ws, "count", "count:fresh", actor=SYSTEM)
    assert ledger.due(ws) == []  # just sent: its message is on its way
    clock.advance(seconds=ledger.RESEND_AFTER.total_seconds() + 1)
    assert [j.id for j in ledger.due(ws)] == [fresh.id]
    assert ledger.due(ws) == []  # marked as sent again
    assert fresh.id is not None
    with ws.uow_factory() as uow:
        uow.jobs.claim(fresh.id, now=clock(), lease_until=clock())
        uow.commit()
    clock.advance(seconds=1)
    assert [j.id for j in ledger.due(ws)] == [fresh.id]  # its worker's lease ran out


def test_an_admin_retries_a_failed_job_and_others_may_not(ws: Workspace) -> None:
    job = ledger.submit(ws, "mystery", "mystery:1", actor=SYSTEM)
    assert job.id is not None
    with pytest.raises(InvalidInput, match="only a failed job"):
        ledger.retry(ws, job.id, actor=ADMIN)
    runner.run(ws, job.id, {})
    with pytest.raises(AccessDenied):
        ledger.retry(ws, job.id, actor=INTERVIEWER)
    with pytest.raises(AccessDenied):
        ledger.recent(ws, actor=INTERVIEWER)
    assert stored(ws, job.id).status is JobStatus.FAILED  # the refusal changed nothing
    again = ledger.retry(ws, job.id, actor=ADMIN)
    assert again.status is JobStatus.QUEUED and again.attempts == 0 and again.reason == "Retried by admin."
    assert ws.job_queue.sent[-1] == (job.id, 0.0)  # type: ignore[attr-defined]
    with ws.uow_factory() as uow:
        assert [e.action for e in uow.audit.latest(limit=5)] == ["job_retried"]
    calls: list[int] = []
    ran = runner.run(ws, job.id, {"mystery": counting(calls)})
    assert ran is not None and ran.job.status is JobStatus.DONE and calls == [1]
    assert ledger.counts(ws, actor=ADMIN) == {"done": 1}


def test_a_broker_that_is_down_delays_the_job_but_keeps_it(ws: Workspace, clock: Clock) -> None:
    class Down:
        def send(self, job_id: int, *, delay: float = 0.0) -> None:
            raise ConnectionError("Connection refused")

    ws.job_queue = Down()
    job = ledger.submit(ws, "count", "count:1", actor=SYSTEM)
    assert stored(ws, job.id).status is JobStatus.QUEUED
    clock.advance(seconds=ledger.RESEND_AFTER.total_seconds() + 1)
    assert [j.id for j in ledger.due(ws)] == [job.id]


def test_a_heartbeat_keeps_a_silent_call_the_workers_own(ws: Workspace, clock: Clock) -> None:
    """A model evaluating for minutes reports nothing: the heartbeat repeats the last progress, so the lease
    is renewed and a second worker finds the job taken."""
    seen: list[Job] = []

    def silent_call(ws: Workspace, job: Job, progress: Progress) -> str:
        with runner.heartbeat(progress, 0.05, "Evaluating") as report:
            report(0.15, "Evaluating with a model")
            for _ in range(3):  # three leases pass while the call says nothing
                clock.advance(seconds=ws.settings.jobs.lease_seconds - 1)
                time.sleep(1.2)  # progress is written at most once a second; the heartbeat beats meanwhile
                assert runner.run(ws, job.id or 0, {}) is None  # nobody else may take it
        seen.append(stored(ws, job.id))
        return "Evaluated."

    job = ledger.submit(ws, "evaluate", "evaluate:1", actor=SYSTEM)
    assert job.id is not None
    ran = runner.run(ws, job.id, {"evaluate": silent_call})
    assert ran is not None and ran.job.status is JobStatus.DONE and ran.job.attempts == 1
    assert seen[0].progress == 0.15 and seen[0].progress_note == "Evaluating with a model"


def test_a_job_for_later_is_sent_with_its_delay_and_runs_only_from_its_time(ws: Workspace, clock: Clock) -> None:
    calls: list[int] = []
    due = clock.now + timedelta(hours=1)
    with ws.uow_factory() as uow:
        job = ledger.add(uow, ws, "count", "count:later", actor=SYSTEM, run_after=due)
        uow.commit()
    ledger.send(ws, job)
    assert ws.job_queue.sent == [(job.id, 3600.0)]  # type: ignore[attr-defined]
    assert (stored(ws, job.id).run_after, stored(ws, job.id).sent_at) == (due, None)
    assert runner.run(ws, job.id or 0, {"count": counting(calls)}) is None  # not its time
    assert ledger.due(ws) == []

    clock.now = due  # its message was lost (a restarted broker): the first sweep from its time sends it
    assert [j.id for j in ledger.due(ws)] == [job.id]
    ran = runner.run(ws, job.id or 0, {"count": counting(calls)})
    assert ran is not None and ran.job.status is JobStatus.DONE and calls == [1]


def test_a_job_whose_time_has_come_is_an_ordinary_job(ws: Workspace, clock: Clock) -> None:
    with ws.uow_factory() as uow:
        job = ledger.add(uow, ws, "count", "count:now", actor=SYSTEM, run_after=clock.now - timedelta(seconds=1))
        uow.commit()
    ledger.send(ws, job)
    assert ws.job_queue.sent == [(job.id, 0.0)]  # type: ignore[attr-defined]
    assert (job.run_after, job.sent_at) == (None, clock.now)


def test_a_withdrawn_job_is_done_unrun_unless_a_worker_holds_it(ws: Workspace, clock: Clock) -> None:
    calls: list[int] = []
    queued = ledger.submit(ws, "count", "count:1", actor=SYSTEM)
    running = ledger.submit(ws, "count", "count:2", actor=SYSTEM)
    with ws.uow_factory() as uow:
        assert uow.jobs.claim(running.id or 0, now=clock.now, lease_until=clock.now + timedelta(minutes=2))
        assert uow.jobs.withdraw(queued.id or 0, reason="Not owed any more.", at=clock.now)
        assert not uow.jobs.withdraw(running.id or 0, reason="Not owed any more.", at=clock.now)
        assert not uow.jobs.withdraw(queued.id or 0, reason="Again.", at=clock.now)  # done already
        uow.commit()
    withdrawn = stored(ws, queued.id)
    assert (withdrawn.status, withdrawn.reason, withdrawn.finished_at) == (
        JobStatus.DONE,
        "Not owed any more.",
        clock.now,
    )
    assert runner.run(ws, queued.id or 0, {"count": counting(calls)}) is None and calls == []
    assert stored(ws, running.id).status is JobStatus.RUNNING
