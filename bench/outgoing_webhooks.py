"""Outgoing webhooks through the real worker: a receiver that fails three times gets the delivery on the fourth.

Builds a fresh workspace (a temporary runtime folder with its SQLite database, or --database-url), subscribes a
loopback receiver (tests/webhook_receiver.py: it verifies every POST with `standardwebhooks.Webhook(secret)`)
and tells it to answer 500 three times. Then books an interview through the scheduling service, which writes
the booking.created delivery and its job in the booking's transaction, and starts `python -m core worker` as
startup.sh does, on the same runtime folder and database, with the first retry after --first-retry seconds
(IW_OUTGOING_WEBHOOKS__FIRST_RETRY_SECONDS; the default is 5 s, so the real schedule would deliver at +35 s).
It waits for the delivery, prints its attempts log (as the Webhook log page shows it) and what the receiver
saw, then replays the delivery and checks the receiver got the same webhook-id again.

    .venv/bin/python bench/outgoing_webhooks.py [--first-retry 0.5] [--database-url URL]

Exits 1 unless the delivery is delivered on the 4th try with 4 attempts logged and every POST verified.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import load_settings
from core.models import DeliveryStatus, EventType, JobStatus, OutgoingEvent, WebhookDelivery
from core.outgoing_webhooks import deliveries, subscriptions
from core.outgoing_webhooks.retry_schedule import wait_after
from core.permissions.actor import Actor
from core.scheduling.bookings import BookingRequest, book_interview
from core.scheduling.team import add_member, save_event_type
from core.workspace import Workspace
from entry.bootstrap import shared_workspace
from tests.child_process import serving
from tests.webhook_receiver import WebhookReceiver

ROOT = Path(__file__).resolve().parents[1]
BENCH = Actor.workspace("bench")


def delivery_of(ws: Workspace) -> WebhookDelivery:
    [delivery] = deliveries.recent(ws, actor=BENCH)
    return delivery


def wait_for(ws: Workspace, done: DeliveryStatus, attempts: int, timeout: float) -> float:
    """Seconds until the delivery is `done` with `attempts` tries and its job has finished (raises after
    `timeout`): a replay is refused while the job is still settling."""
    started = time.perf_counter()
    while True:
        delivery = delivery_of(ws)
        with ws.uow_factory() as uow:
            job = uow.jobs.by_key(deliveries.job_key(delivery.message_id, delivery.subscription_id))
        finished = job is not None and job.status in (JobStatus.DONE, JobStatus.FAILED)
        if delivery.status is done and delivery.attempts >= attempts and finished:
            return time.perf_counter() - started
        if delivery.status is DeliveryStatus.FAILED or time.perf_counter() - started > timeout:
            raise SystemExit(f"not {done.value} after {timeout:g} s: {delivery.status.value}, {delivery.last_error}")
        time.sleep(0.05)


def book(ws: Workspace) -> str:
    member = add_member(ws, name="Ana Rossi", email="ana@example.com", timezone="UTC", actor=BENCH)
    event_type = save_event_type(ws, EventType(id="", title="Pairing interview", length_minutes=30), actor=BENCH)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    while tomorrow.weekday() >= 5:  # working hours are on weekdays
        tomorrow += timedelta(days=1)
    request = BookingRequest(
        event_type_id=event_type.id,
        problem_id="url_shortener",
        start=tomorrow,
        interviewer_ids=(member.id,),
        candidate_name="Grace Hopper",
        candidate_email="grace@example.com",
    )
    return book_interview(ws, request, actor=BENCH).session.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first-retry", type=float, default=0.5, help="seconds before the first retry")
    parser.add_argument("--database-url", default="", help="PostgreSQL to use instead of a temporary SQLite")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-outgoing-") as folder, WebhookReceiver() as receiver:
        runtime = Path(folder) / "runtime"
        env = {
            "IW_RUNTIME_DIR": str(runtime),
            "IW_OUTGOING_WEBHOOKS__FIRST_RETRY_SECONDS": str(args.first_retry),
            "IW_LOG_LEVEL": "WARNING",
        }
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        os.environ.update(env)
        os.environ.pop("REDIS_URL", None)
        settings = load_settings()
        ws = shared_workspace(settings)  # its job queue is the worker's: the SQLite queue in the runtime folder

        made = subscriptions.subscribe(
            ws, url=receiver.url, events=[OutgoingEvent.BOOKING_CREATED.value], description="bench", actor=BENCH
        )
        receiver.trust(made.secret)
        receiver.fail_next(500, times=3)
        booked_at = time.perf_counter()
        book(ws)
        written = delivery_of(ws)
        print(f"booking wrote delivery #{written.id} ({written.event}), status {written.status.value}")

        worker = serving(
            [sys.executable, "-m", "core", "worker"],
            ready=lambda: True,
            log_path=Path(folder) / "worker.log",
            timeout=60,
            what="job worker",
            cwd=ROOT,
            env={**os.environ, **env},
        )
        spawned = datetime.now(UTC)
        with worker:
            took = wait_for(ws, DeliveryStatus.DELIVERED, 4, args.timeout)
            since_booking = time.perf_counter() - booked_at
            log = deliveries.delivery_log(ws, written.id or 0, actor=BENCH)
            first = log.attempts[0].attempted_at
            print(f"\nreceiver fails 3 times (500), first retry after {args.first_retry:g} s, doubling:")
            print(f"  {'try':>3}  {'at (s)':>7}  {'planned':>7}  {'answer':>6}  {'took (ms)':>9}  error / answer began")
            planned = 0.0
            for number, attempt in enumerate(log.attempts, 1):
                offset = (attempt.attempted_at - first).total_seconds()
                answer = attempt.status_code if attempt.status_code is not None else "none"
                said = attempt.error or attempt.response_excerpt or "(empty body)"
                row = f"{number:>3}  {offset:>7.2f}  {planned:>7.2f}  {answer!s:>6}  {attempt.duration_ms:>9}"
                print(f"  {row}  {said[:60]}")
                planned = offset + wait_after(settings.outgoing_webhooks, number)
            print(
                "  (planned: the schedule's wait after the try before; the worker's queue wakes retries once a second)"
            )
            received = receiver.received()
            ids = {r.webhook_id for r in received}
            startup = (first - spawned).total_seconds()
            print(
                f"\ndelivered on try {log.delivery.attempts}: {len(log.attempts)} attempts logged; the worker process "
                f"made its first try {startup:.2f} s after it was started and delivered {took:.2f} s after that start "
                f"({since_booking:.2f} s after the booking)"
            )
            print(
                f"receiver: {len(received)} POSTs, {sum(r.verified for r in received)} verified with "
                f"standardwebhooks, webhook-ids {sorted(ids)}"
            )

            deliveries.replay(ws, written.id or 0, actor=BENCH)
            wait_for(ws, DeliveryStatus.DELIVERED, 5, args.timeout)
            replayed = receiver.received()[-1]
            same_id, same_body = replayed.webhook_id == written.message_id, replayed.body == received[0].body
            print(
                f"replay: POST #{len(receiver.received())} verified={replayed.verified}, "
                f"same webhook-id={same_id}, same body={same_body}"
            )
        ok = (
            log.delivery.attempts == 4
            and [a.status_code for a in log.attempts] == [500, 500, 500, 204]
            and len(received) == 4
            and all(r.verified for r in received)
            and ids == {written.message_id}
            and replayed.verified
            and replayed.webhook_id == written.message_id
        )
        print("\nOK" if ok else "\nFAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
