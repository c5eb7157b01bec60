"""Cal.com webhooks against the running server: throughput, latency, duplicates collapsed, events lost.

Starts the real server (`streamlit run server.py`: the UI and POST /webhooks/calcom on one port) on a
free loopback port with a fresh runtime folder (its SQLite database, or --database-url) and a random
CALCOM_WEBHOOK_SECRET. A separate sender process then posts `--events` signed BOOKING_CREATED
deliveries, built and signed as Cal.com sends them (tests/calcom_fake), from `--threads` threads;
a `--redeliver` share of them are byte-identical re-deliveries of earlier events, as Cal.com's
retries are. Each request's latency is the time to the server's answer (events are applied after
it). Then waits until the server's database shows every unique event processed and prints the
figures. "Events lost" (unique sent − unique stored) must be 0; the run exits 1 otherwise.

    .venv/bin/python bench/webhooks.py [--events 500] [--threads 8] [--redeliver 0.2] [--intake]
    .venv/bin/python bench/webhooks.py --sender wrk --events 4000 --threads 32 --seconds 4 --intake

With --intake the deliveries go to the webhook intake server (`python -m core intake`) instead. With
`--sender wrk` (Debian's wrk) a C load generator sends them instead of Python threads: on a 2-core
machine the Python sender's own HMACs and HTTP parsing take CPU from the server being measured. wrk
runs for `--seconds` over 2 threads and `--threads` connections, each thread posting its own slice
of the prepared deliveries in order (bench/wrk/calcom_deliveries.lua); every delivery it was
answered for must be stored.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import logging
import multiprocessing
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from core.config import Settings
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.calcom_fake import WEBHOOK_VERSION, CalcomServer, post_webhook
from tests.calcom_fake.server import sign
from tests.child_process import serving
from tests.workspace_server import workspace_server

ROOT = Path(__file__).resolve().parents[1]
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk" / "calcom_deliveries.lua"
WRK_THREADS = 2
MAX_EVENTS = 10_000  # a bounded load: this measures the receiver, it is not a stress test
FIRST_START = datetime(2030, 6, 3, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Sent:
    """What the sender process reports back."""

    uids: list[str]  # one per unique event
    latencies_ms: list[float]
    statuses: list[int]
    duplicates_answered: int  # -1: not known (wrk does not read answers)
    seconds: float
    wrk_latency_ms: dict[str, float] | None = None  # wrk's percentiles ("50", "99", "max") instead of each request's

    def latency(self, name: str) -> float:
        """ "50", "99" or "max", in milliseconds."""
        if self.wrk_latency_ms is not None:
            return self.wrk_latency_ms[name]
        if name == "max":
            return max(self.latencies_ms)
        return percentile(self.latencies_ms, float(name) / 100)


def plan(events: int, redeliver: float, seed: int) -> tuple[list[str], list[bytes], list[str]]:
    """(unique booking uids, the deliveries in sending order, each delivery's booking uid): every re-delivery
    repeats an earlier body."""
    rng = random.Random(seed)
    fake = CalcomServer()  # not started: its state and payload builder give Cal.com's exact bytes
    uids: list[str] = []
    unique: list[bytes] = []
    bodies: list[bytes] = []
    of_body: list[str] = []
    for index in range(events):
        if unique and rng.random() < redeliver:
            again = rng.randrange(len(unique))
            bodies.append(unique[again])
            of_body.append(uids[again])
            continue
        booking = fake.seed_booking(
            event_type_id=101,
            start=FIRST_START + timedelta(hours=len(uids)),
            attendee_name=f"Candidate {index}",
            attendee_email=f"candidate{index}@example.com",
        )
        body = fake.webhook_body_for("BOOKING_CREATED", booking.uid)
        uids.append(booking.uid)
        unique.append(body)
        bodies.append(body)
        of_body.append(booking.uid)
    return uids, bodies, of_body


def send(url: str, secret: str, events: int, threads: int, redeliver: float, seed: int) -> Sent:
    """Runs in the sender process: build the deliveries, post them from `threads` threads, time each."""
    uids, bodies, _ = plan(events, redeliver, seed)
    local = threading.local()
    clients: list[httpx.Client] = []
    lock = threading.Lock()

    def post(body: bytes) -> tuple[float, int, bool]:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=30)
            with lock:
                clients.append(client)
        started = time.perf_counter()
        delivery = post_webhook(url, body, secret=secret, client=client)
        elapsed = (time.perf_counter() - started) * 1000
        return elapsed, delivery.status_code, delivery.ok and bool(json.loads(delivery.response_text).get("duplicate"))

    started = time.perf_counter()
    try:
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(post, bodies))
    finally:
        for client in clients:
            client.close()
    seconds = time.perf_counter() - started
    return Sent(
        uids=uids,
        latencies_ms=[r[0] for r in results],
        statuses=[r[1] for r in results],
        duplicates_answered=sum(1 for r in results if r[2]),
        seconds=seconds,
    )


def send_with_wrk(
    base: str,
    secret: str,
    events: int,
    connections: int,
    redeliver: float,
    seed: int,
    seconds: int,
    folder: Path,
    rate: int = 0,
) -> Sent:
    """wrk posts the prepared deliveries for `seconds`; the deliveries it was answered for are "sent". With a
    `rate`, each connection pauses after an answer so that together they offer about that many a second: the
    latency at that load, rather than with every connection waiting on the next answer."""
    if shutil.which("wrk") is None:
        raise SystemExit("--sender wrk needs wrk (Debian: apt-get install wrk)")
    _, bodies, of_body = plan(events, redeliver, seed)
    prepared = folder / "deliveries.txt"
    with prepared.open("w", encoding="utf-8") as out:
        for body in bodies:
            assert b"\n" not in body, "one delivery per line"
            out.write(f"{sign(secret, body)} {body.decode('utf-8')}\n")
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s"]
    pause = round(1000 * connections / rate) if rate else 0
    command += ["-s", str(WRK_SCRIPT), base, "--", str(prepared), str(WRK_THREADS), WEBHOOK_VERSION, str(pause)]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    lines = [line.split() for line in output.splitlines() if line.startswith("IW-")]
    requests, duration_us, errors = (int(v) for v in next(p[1:] for p in lines if p[0] == "IW-SUMMARY"))
    latency = {p[1]: float(p[2]) for p in lines if p[0] == "IW-LATENCY"}
    latency["max"] = float(next(p[1] for p in lines if p[0] == "IW-MAX"))
    in_flight = -(-connections // WRK_THREADS)  # a thread's connections each hold one unanswered request at most
    answered: set[str] = set()
    for _, thread, count in (p for p in lines if p[0] == "IW-THREAD"):
        mine = [uid for index, uid in enumerate(of_body) if index % WRK_THREADS == int(thread)]
        answered.update(mine[: max(0, int(count) - in_flight)])
    seconds_run = duration_us / 1e6
    return Sent(
        uids=sorted(answered),
        latencies_ms=[],
        statuses=[200] * (requests - errors) + [0] * errors,
        duplicates_answered=-1,
        seconds=seconds_run,
        wrk_latency_ms=latency,
    )


def wait_processed(ws: Workspace, uids: set[str], timeout: float) -> tuple[dict[str, int], float]:
    """Poll the server's database until no event of ours waits; (status counts of our events, seconds)."""
    started = time.perf_counter()
    while True:
        with ws.uow_factory() as uow:
            ours = [e for e in uow.webhook_events.latest(limit=10 * MAX_EVENTS + 100) if e.booking_uid in uids]
        counts: dict[str, int] = {}
        for event in ours:
            counts[event.status] = counts.get(event.status, 0) + 1
        if not counts.get("received") or time.perf_counter() - started > timeout:
            return counts, time.perf_counter() - started
        time.sleep(0.05)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def job_worker(runtime: Path, database_url: str | None) -> contextlib.AbstractContextManager[object]:
    """`python -m core worker` on the server's runtime folder (and database), as startup.sh runs it."""
    env = {**os.environ, "IW_RUNTIME_DIR": str(runtime)}
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return serving(
        [sys.executable, "-m", "core", "worker"],
        ready=lambda: True,
        log_path=runtime / "worker.log",
        timeout=60,
        what="job worker",
        cwd=ROOT,
        env=env,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500, help=f"deliveries to send (1–{MAX_EVENTS:,})")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--redeliver", type=float, default=0.2, help="share of deliveries that repeat an earlier one")
    parser.add_argument("--database-url", default=None, help="the server's database (default: SQLite in a temp dir)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--worker-after", action="store_true", help="start the job worker only once every delivery is answered"
    )
    parser.add_argument(
        "--intake", action="store_true", help="post to the webhook intake server (python -m core intake) instead"
    )
    parser.add_argument("--sender", choices=["python", "wrk"], default="python", help="who sends the deliveries")
    parser.add_argument("--seconds", type=int, default=4, help="how long wrk sends (--sender wrk)")
    parser.add_argument("--rate", type=int, default=0, help="requests a second wrk offers (0: as fast as answered)")
    args = parser.parse_args()
    if not 1 <= args.events <= MAX_EVENTS or not 1 <= args.threads <= 64 or not 0 <= args.redeliver < 1:
        parser.error(f"--events 1–{MAX_EVENTS}, --threads 1–64, --redeliver in [0, 1)")
    logging.disable(logging.INFO)
    secret = secrets.token_hex(24)

    with tempfile.TemporaryDirectory() as tmp:
        runtime = Path(tmp) / "runtime"
        runtime.mkdir()
        env = {"CALCOM_WEBHOOK_SECRET": secret}
        with (
            workspace_server(runtime, env, database_url=args.database_url, worker=False, intake=args.intake) as base,
            contextlib.ExitStack() as worker,
        ):
            if not args.worker_after:
                worker.enter_context(job_worker(runtime, args.database_url))
            url = f"{base}/webhooks/calcom"
            warm = post_webhook(url, CalcomServer().webhook_body_for("PING"), secret=secret, timeout=60)
            if warm.status_code != 200:  # the first request builds the webhook workspace (and migrates)
                raise SystemExit(f"the server refused a PING: {warm.status_code} {warm.response_text}")
            if args.sender == "wrk":
                sent = send_with_wrk(
                    base,
                    secret,
                    args.events,
                    args.threads,
                    args.redeliver,
                    args.seed,
                    args.seconds,
                    Path(tmp),
                    args.rate,
                )
            else:
                spawn = multiprocessing.get_context("spawn")
                with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as sender:
                    job = sender.submit(send, url, secret, args.events, args.threads, args.redeliver, args.seed)
                    sent = job.result()
            if args.worker_after:
                worker.enter_context(job_worker(runtime, args.database_url))
            settings = Settings(
                runtime_dir=runtime, **({"database_url": args.database_url} if args.database_url else {})
            )
            ws = build_workspace(settings, migrate=False)
            counts, drained = wait_processed(ws, set(sent.uids), timeout=120)
            with ws.uow_factory() as uow:
                sessions = uow.sessions.count()

    unique = len(sent.uids)
    stored_unique = sum(n for status, n in counts.items() if status not in ("duplicate", "rejected"))
    lost = unique - stored_unique
    rows = [
        ("events sent", f"{len(sent.statuses):,}"),
        ("unique events", f"{unique:,}" + (" (answered; wrk)" if args.sender == "wrk" else "")),
        ("sender", f"{args.sender}, {args.threads} connections" + (f", offering {args.rate}/s" if args.rate else "")),
        ("answered 200", f"{sent.statuses.count(200):,}"),
        ("throughput", f"{len(sent.statuses) / sent.seconds:,.0f} req/s"),
        ("latency p50", f"{sent.latency('50'):.1f} ms"),
        ("latency p99", f"{sent.latency('99'):.1f} ms"),
        ("latency max", f"{sent.latency('max'):.1f} ms"),
        (
            "duplicates collapsed",
            f"{counts.get('duplicate', 0):,}"
            + (f" (answered as duplicate: {sent.duplicates_answered:,})" if sent.duplicates_answered >= 0 else ""),
        ),
        (
            "processed",
            f"{counts.get('processed', 0):,} (ignored {counts.get('ignored', 0)}, failed {counts.get('failed', 0)})",
        ),
        ("still waiting", f"{counts.get('received', 0):,} after {drained:.1f} s"),
        ("events lost", f"{lost:,}"),
        ("sessions created", f"{sessions:,}"),
    ]
    database = "PostgreSQL" if args.database_url else "SQLite"
    when = "after the deliveries" if args.worker_after else "beside the server"
    print(
        f"Cal.com webhooks → {'python -m core intake' if args.intake else 'streamlit run server.py'} on loopback "
        f"({database}), {args.redeliver:.0%} re-deliveries, "
        f"one job worker {when}"
    )
    for name, value in rows:
        print(f"  {name:<22} {value}")
    created = sessions == unique if args.sender == "python" else sessions >= unique  # wrk: unanswered ones too
    return 0 if lost == 0 and counts.get("received", 0) == 0 and created else 1


if __name__ == "__main__":
    sys.exit(main())
