"""Reminders and the email queue against real worker processes: how late a reminder goes out, and how fast
1,000 emails drain through two workers with none sent twice.

Starts `--workers` job workers (`python -m core worker`, as startup.sh runs one; jobs.workers threads each) on a
fresh runtime folder (its SQLite database, or --database-url, and the embedded SQLite queue), sending through a
real SMTP server on loopback (aiosmtpd, tests/smtp_server.py) that stamps the moment it accepts each message.
This process books and writes as the web server would, on the same database and queue, with the real clock.

(a) Reminder lag: `--bookings` interviews are booked through the Cal.com booking path (the rules the webhook
    intake applies) to start a little over an hour from now, their due times spread over a minute, so each gets
    its 1-hour reminder (the 24-hour one has passed: not written) to the candidate and the interviewer. The lag is
    the server's acceptance minus the reminder's due time. Twice: with the job's delayed queue message (the
    usual way), and with no queue message at all (lost with a restarted broker), so that only the workers'
    sweep (jobs.sweep_seconds, default 30 s) finds the reminder. Target: every reminder within 60 s.
(b) Drain: `--emails` reminders all due at the same moment, each job woken twice (its delayed message, and once
    more at that moment, as a second sweep would); prints the time from the due moment until the last one was
    accepted, the spread of the lags, and what the server received: every message once (duplicates must be 0).

    .venv/bin/python bench/notifications.py [--bookings 10] [--emails 1000] [--workers 2] [--database-url URL]

Exits 1 when a reminder is later than 60 s, an email was not received, or one was received twice.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import load_settings
from core.job_queue import LedgerOnly
from core.jobs import ledger
from core.models import BookingStatus, Job, OutboxMessage
from core.notifications import outbox
from core.permissions.actor import Actor
from core.scheduling.booking_reminders import REMINDER
from core.scheduling.booking_sync import BookingFacts, apply_booking_facts
from core.scheduling.team import add_member
from core.workspace import Workspace
from entry.bootstrap import shared_workspace
from tests.child_process import serving
from tests.smtp_server import Received, SmtpServer

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60.0
CALCOM = Actor("calcom")
SYSTEM = Actor.workspace("system")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def wait_until(done: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


class Inbox:
    """What the server received, by Message-ID; each message parsed once (polling must not starve the server,
    which shares this process and its two cores with the workers)."""

    def __init__(self, server: SmtpServer) -> None:
        self._server = server
        self._seen = 0
        self._found: dict[str, list[Received]] = {}

    def by_message_id(self) -> dict[str, list[Received]]:
        received = self._server.messages()
        for message in received[self._seen :]:
            self._found.setdefault(str(message.message["Message-ID"]), []).append(message)
        self._seen = len(received)
        return self._found


def book_soon(ws: Workspace, count: int, tag: str, *, first_due_in: float, spread: float) -> list[OutboxMessage]:
    """`count` Cal.com bookings whose 1-hour reminders fall due from `first_due_in` seconds from now, over
    `spread` seconds; returns the reminders written (the candidate's and the interviewer's, per booking)."""
    now = datetime.now(UTC)
    jobs: list[Job] = []
    session_ids = []
    for index in range(count):
        due = now + timedelta(seconds=first_due_in + spread * index / max(count - 1, 1))
        start = (due + timedelta(hours=1)).replace(microsecond=0) + timedelta(seconds=1)
        facts = BookingFacts(
            uid=f"bench-{tag}-{index}",
            status=BookingStatus.CONFIRMED,
            start=start,
            end=start + timedelta(minutes=45),
            attendee_name=f"Candidate {tag} {index}",
            attendee_email=f"candidate-{tag}-{index}@example.com",
            attendee_timezone="America/New_York",
            organizer_email="ana@example.com",
            ical_uid=f"bench-{tag}-{index}@Cal.com",
            ical_sequence=0,
        )
        with ws.uow_factory() as uow:
            outcome = apply_booking_facts(ws, uow, facts, trigger="BOOKING_CREATED")
            uow.commit()
        session_ids.append(outcome.session_id)
        jobs += outcome.jobs
    outbox.wake(ws, jobs)
    with ws.uow_factory() as uow:
        return [m for sid in session_ids for m in uow.outbox.in_session(sid or "") if m.kind == REMINDER]


def reminder_lags(ws: Workspace, inbox: Inbox, written: list[OutboxMessage], timeout: float) -> list[float]:
    """Seconds from each reminder's due time to the server's acceptance (inf for one never received)."""
    ids = {m.message_id: m for m in written}
    wait_until(lambda: ids.keys() <= inbox.by_message_id().keys(), timeout)
    received = inbox.by_message_id()
    lags = []
    for message_id, message in ids.items():
        assert message.send_after is not None
        got = received.get(message_id)
        lags.append(got[0].accepted_at - message.send_after.timestamp() if got else float("inf"))
    return lags


def drain(ws: Workspace, inbox: Inbox, count: int, *, due_in: float, timeout: float) -> dict[str, object]:
    """`count` reminders due together; every job woken by its delayed message and again at the due time."""
    due = datetime.now(UTC) + timedelta(seconds=due_in)
    jobs: list[Job] = []
    with ws.uow_factory() as uow:
        for index in range(count):
            message = OutboxMessage(
                kind=REMINDER,
                recipient=f"Person {index} <person{index}@example.com>",
                subject=f"Reminder: your interview ({index})",
                text_body="A reminder: your interview starts in 1 hour.\n",
                send_after=due,
                job_key=f"send_email:reminder:bench-drain:{index}",
            )
            jobs.append(outbox.add(uow, ws, message, actor=SYSTEM))
        uow.commit()
    written_at = time.time()
    outbox.wake(ws, jobs)  # delayed until `due`
    time.sleep(max(due.timestamp() - time.time(), 0))
    for job in jobs:  # and woken once more at the due moment: two messages for every job
        ledger.send(ws, job)
    woken = time.time()
    with ws.uow_factory() as uow:
        ours = uow.outbox.latest(limit=count + 100)
        message_ids = {m.message_id for m in ours if m.job_key.startswith("send_email:reminder:bench-drain:")}
    wait_until(lambda: message_ids <= inbox.by_message_id().keys(), timeout)
    time.sleep(2.0)  # room for a duplicate to arrive, were one sent
    received = {k: v for k, v in inbox.by_message_id().items() if k in message_ids}
    accepted = [r.accepted_at for copies in received.values() for r in copies]
    with ws.uow_factory() as uow:
        statuses = Counter(m.status.value for m in uow.outbox.latest(limit=count + 100) if m.message_id in message_ids)
    lags = [min(r.accepted_at for r in copies) - due.timestamp() for copies in received.values()]
    return {
        "written": count,
        "prepare_s": written_at - (due.timestamp() - due_in),
        "second_wake_s": woken - due.timestamp(),
        "received_unique": len(received),
        "received_total": len(accepted),
        "duplicates": len(accepted) - len(received),
        "missing": len(message_ids) - len(received),
        "drain_s": (max(accepted) - due.timestamp()) if accepted else float("inf"),
        "lag_p50": statistics.median(lags) if lags else float("inf"),
        "lag_p95": percentile(lags, 0.95) if lags else float("inf"),
        "statuses": dict(statuses),
    }


def start_workers(count: int, env: dict[str, str], runtime: Path, stack: contextlib.ExitStack) -> None:
    for number in range(1, count + 1):
        log_path = runtime / f"worker-{number}.log"
        stack.enter_context(
            serving(
                [sys.executable, "-m", "core", "worker"],
                ready=lambda path=log_path: "worker started" in path.read_text(errors="replace"),  # type: ignore[misc]
                log_path=log_path,
                timeout=60,
                what=f"job worker {number}",
                cwd=ROOT,
                env=env,
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=10, help="interviews per reminder-lag run (2 reminders each)")
    parser.add_argument("--emails", type=int, default=1000, help="emails due together in the drain run")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--database-url", default=None, help="the database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    if not 1 <= args.bookings <= 200 or not 1 <= args.emails <= 10_000 or not 1 <= args.workers <= 8:
        parser.error("--bookings 1–200, --emails 1–10,000, --workers 1–8")
    logging.disable(logging.INFO)

    with tempfile.TemporaryDirectory() as tmp, SmtpServer() as server, contextlib.ExitStack() as workers:
        runtime = Path(tmp) / "runtime"
        env = {
            "IW_RUNTIME_DIR": str(runtime),
            "IW_NOTIFICATIONS__SENDER": "Interviews <interviews@example.org>",
            "IW_NOTIFICATIONS__SMTP__HOST": server.host,
            "IW_NOTIFICATIONS__SMTP__PORT": str(server.port),
            "IW_NOTIFICATIONS__SMTP__TLS": "none",
            "IW_NOTIFICATIONS__REMINDERS": "24h,1h",
        }
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        os.environ.update(env)
        os.environ.pop("REDIS_URL", None)
        settings = load_settings()
        ws = shared_workspace(settings)  # migrates; its queue is the workers' SQLite queue
        add_member(ws, name="Ana Rossi", email="ana@example.com", timezone="Europe/Rome", actor=SYSTEM)
        start_workers(args.workers, {**os.environ, **env}, runtime, workers)
        sweep = settings.jobs.sweep_seconds

        first = book_soon(ws, args.bookings, "woken", first_due_in=10, spread=30)
        inbox = Inbox(server)
        woken = reminder_lags(ws, inbox, first, 120)
        lost = replace(ws, job_queue=LedgerOnly())  # no queue message: the workers' sweep alone finds them
        # due times over two sweeps, out of step with them, so the lags show the whole range a sweep gives
        second = book_soon(lost, args.bookings, "swept", first_due_in=10, spread=1.9 * sweep)
        swept = reminder_lags(ws, inbox, second, 3 * sweep + 60)
        offsets = Counter(m.job_key.split(":")[3] for m in first + second)  # e.g. "60m"
        drained = drain(ws, inbox, args.emails, due_in=15, timeout=600)

    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"Reminders and emails through {args.workers} worker processes (python -m core worker, "
        f"{settings.jobs.workers} threads each) on {database} and the SQLite queue, aiosmtpd on loopback; "
        f"sweep every {sweep:.0f} s"
    )
    rows: list[tuple[str, str]] = []
    for label, lags in (("woken by its delayed message", woken), ("found by the sweep alone", swept)):
        rows.append(
            (
                f"(a) reminder lag, {label}",
                f"{len(lags)} reminders: p50 {statistics.median(lags):.2f} s, max {max(lags):.2f} s "
                f"(target ≤ {TARGET_SECONDS:.0f} s)",
            )
        )
    rows.append(
        (
            "(a) reminders written per offset",
            f"1 hour: {offsets['60m']}, 24 hours: {offsets['1440m']} (its time had passed at booking)",
        )
    )
    rows += [
        ("(b) emails due together", f"{drained['written']:,} (written in {drained['prepare_s']:.1f} s)"),
        ("(b) drained in", f"{drained['drain_s']:.1f} s after their due time"),
        ("(b) lag p50 / p95", f"{drained['lag_p50']:.1f} s / {drained['lag_p95']:.1f} s"),
        ("(b) throughput", f"{drained['written'] / drained['drain_s']:.0f} emails/s" if drained["drain_s"] else "–"),
        (
            "(b) received",
            f"{drained['received_total']:,} messages, {drained['received_unique']:,} distinct, "
            f"duplicates {drained['duplicates']}, missing {drained['missing']}",
        ),
        ("(b) outbox", ", ".join(f"{k} {v:,}" for k, v in sorted(drained["statuses"].items()))),  # type: ignore[attr-defined]
    ]
    for name, value in rows:
        print(f"  {name:<44} {value}")
    late = max(woken + swept) > TARGET_SECONDS
    return 1 if late or drained["duplicates"] or drained["missing"] else 0


if __name__ == "__main__":
    sys.exit(main())
