"""How fast the offline interviewer and evaluator answer, and a full send_message round trip.

Targets from the requirements: a reply on screen within 1 s, so the engine plus storage
must stay well under that. Prints figures; asserts nothing.

    .venv/bin/python bench/interviewer_latency.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import Settings
from core.interview.services import create_interview, end_interview, send_message, start_interview
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE

ANSWERS = [
    "How many requests per second do we need to support at peak, and how much data do we keep?",
    "Users should be able to create items and read them back; reads dominate, so latency matters most.",
    "At 100 million writes a day that is about 1,200 per second, peaking near 5,000; storage grows 50 GB a day.",
    "A load balancer in front of stateless API servers, a cache for hot reads and a sharded database.",
    "Kafka, Redis, Cassandra, microservices.",
    "I would use a database.",
    "If a shard fails we fail over to a replica; writes retry with an idempotency key so nothing doubles.",
    "The trade-off is consistency versus latency: we accept eventual consistency on reads to stay fast.",
    "I am not sure.",
    "To summarise: API servers, cache, sharded replicated store, async queue for side effects.",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = build_workspace(Settings(runtime_dir=Path(tmp)))
        round_trips: list[float] = []
        evaluations: list[float] = []
        for problem in ws.problems.all():
            session = create_interview(ws, problem_id=problem.id, actor=CANDIDATE)
            start_interview(ws, session.id, actor=CANDIDATE)
            for answer in ANSWERS:
                started = time.perf_counter()
                send_message(ws, session.id, answer, actor=CANDIDATE)
                round_trips.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            end_interview(ws, session.id, actor=CANDIDATE)
            evaluations.append((time.perf_counter() - started) * 1000)

    print(f"problems: {len(ws.problems.all())}, answers per interview: {len(ANSWERS)}")
    print(
        "send_message (store answer + interviewer reply, SQLite): "
        f"median {statistics.median(round_trips):.1f} ms, p95 {percentile(round_trips, 0.95):.1f} ms, "
        f"max {max(round_trips):.1f} ms over {len(round_trips)} turns"
    )
    print(
        "end_interview (evaluate + store, one commit): "
        f"median {statistics.median(evaluations):.1f} ms, max {max(evaluations):.1f} ms"
    )


if __name__ == "__main__":
    main()
