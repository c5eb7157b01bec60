"""Sample interviews for a fresh database, played through the real services and engines.

The sessions are dated in the recent past so History looks like a workspace in use.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.candidates.services import create_candidate
from core.clock import utc_now
from core.interview.services import create_interview, end_interview, pause_interview, send_message, start_interview
from core.models import Level
from core.permissions.actor import Actor
from core.workspace import Workspace

DEMO = Actor.workspace("demo")

# (candidate, level, problem id, days ago, finish?, answers)
SCRIPTS: list[tuple[str, Level, str, int, bool, list[str]]] = [
    (
        "Priya Raman",
        Level.SENIOR,
        "url_shortener",
        6,
        True,
        [
            "Before designing, how many new URLs are created per month and what is the read to write ratio?",
            "So users create a short link for a long URL and get redirected when they open it; links "
            "should not be guessable and redirects must be fast, under 50 ms at p99, because they sit "
            "in front of every click.",
            "At 100 million new links a month that is about 40 writes per second; with 100 redirects per "
            "link, reads average 4,000 per second and peak near 20,000, so each link at about 500 bytes is "
            "50 GB a month, about 3 TB over five years.",
            "Clients call POST /links and GET /{code}. A load balancer spreads traffic over stateless app "
            "servers; the redirect path reads from a Redis cache first because 20% of links take most "
            "traffic, and falls back to the key-value store, which is sharded by the short code.",
            "Codes come from a counter range handed to each server and encoded in base62, so there are no "
            "collisions and no coordination per request. The trade-off is that codes are sequential, so I "
            "would shuffle the bits to keep them unguessable.",
            "If a cache node fails we lose only hot copies and reads go to the database, so I replicate the "
            "store three ways across zones; writes retry with an idempotency key so a timeout never creates "
            "two links. I'd monitor redirect latency, cache hit rate and error rates.",
            "To sum up: stateless API behind a load balancer, base62 codes from counter ranges, a sharded "
            "replicated key-value store with a read-through cache. The bottleneck at 10x would be cache "
            "memory, which we can grow by adding nodes.",
        ],
    ),
    (
        "Marco Bianchi",
        Level.MID,
        "url_shortener",
        3,
        True,
        [
            "Kafka, Redis, Cassandra, microservices, Kubernetes, CDN, sharding.",
            "Load balancer, cache, database, queue.",
            "I'd use a database.",
            "Maybe NoSQL because it scales.",
            "For the API there would be some endpoints, and the servers sit behind the load balancer.",
            "It should be fast and available, basically, and we can add more servers when traffic grows.",
        ],
    ),
    (
        "Dana Okafor",
        Level.JUNIOR,
        "url_shortener",
        1,
        False,
        [
            "How many users will use it?",
            "Users paste a long link and get a short one back, and clicking the short one redirects them.",
        ],
    ),
]


def fill_demo(ws: Workspace) -> int:
    """Add the sample sessions; returns how many were added (0 when the database has sessions)."""
    with ws.uow_factory() as uow:
        if uow.sessions.count() > 0:
            return 0
    added = 0
    for name, level, problem_id, days_ago, finish, answers in SCRIPTS:
        if problem_id not in {p.id for p in ws.problems.all()}:
            continue
        clock = _StepClock(utc_now() - timedelta(days=days_ago, hours=2))
        scripted = replace(ws, clock=clock)
        candidate = create_candidate(scripted, name=name)
        session = create_interview(scripted, problem_id=problem_id, candidate_id=candidate.id, level=level, actor=DEMO)
        start_interview(scripted, session.id, actor=DEMO)
        for answer in answers:
            clock.advance(minutes=4)
            send_message(scripted, session.id, answer, actor=DEMO)
        clock.advance(minutes=2)
        if finish:
            end_interview(scripted, session.id, actor=DEMO)
        else:
            pause_interview(scripted, session.id, actor=DEMO)
        added += 1
    return added


class _StepClock:
    """A clock that stands still until told to move: scripted sessions get realistic times."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, *, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)
