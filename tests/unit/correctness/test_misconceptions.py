"""Known wrong claims, as data: each is caught as said, and not when it is denied or known better."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.content.rubrics import load_rubric

RUBRIC = load_rubric(Path(__file__).resolve().parents[3] / "data" / "rubrics" / "system_design.yaml")
DENIALS = {
    "replication": [
        "With a replication factor of 3 we can survive two node failures.",
        "We shard with consistent hashing, and we replicate each key to the next two nodes on the ring.",
    ],
    "data_model_schema": ["Two different URLs can collide on the first seven characters of the MD5, so we check."],
    "database_choice": ["Postgres can be sharded by user id, so it scales past one machine with some work."],
    "caching": ["The CDN can't cache personalised feeds, only the images and videos."],
    "consistency": [
        "In a partition we have to choose between consistency and availability, so we pick availability.",
        "Inside one transaction we update the seat only where its status is still available, so two fans can't both "
        "hold it.",
        "A transaction alone doesn't stop two buyers both reading the last unit, so I'd lock the row with FOR UPDATE.",
        "Redis is single threaded, so one Lua script that checks and sets the driver means two requests can't both "
        "take him.",
        "Even with NTP the clocks skew, so one owner assigns sequence numbers to order the messages.",
        "Presence is last write wins, which is safe because losing an older status costs nothing.",
        "Cassandra is last write wins, so a second hold would silently overwrite the first; holds use a lightweight "
        "transaction instead.",
    ],
    "sharding": ["Read replicas help reads, but writes still go to the primary."],
    "async_processing": ["Kafka is at least once, so the consumer must be idempotent."],
    "failure_handling": [
        "Retries are safe only because every request carries an idempotency key.",
        "When the provider times out we mark the payment unknown and check its status before calling it failed.",
        "On a timeout we retry three times with backoff, then mark the page fetch failed until the next crawl.",
    ],
    "non_functional_requirements": [
        "We need 99.99% availability, and when the recommender is down the page shows best-sellers.",
        "There is no such thing as 100% availability, so I'd target 99.9%.",
        "We do zero downtime deploys with blue-green releases.",
        "Servers load the new snapshot next to the old one and swap a pointer, so there is no downtime.",
        "The service must never be down for more than 8 hours a year.",
        "100% of requests are served from the cache.",
    ],
}


def test_the_rubric_keeps_the_general_misconceptions_with_topics_and_truths() -> None:
    assert len(RUBRIC.misconceptions) >= 6
    for m in RUBRIC.misconceptions:
        assert m.topic in RUBRIC.topics, m.correction
        assert m.truth and m.correction.endswith("?")


@pytest.mark.parametrize("index", range(len(RUBRIC.misconceptions)))
def test_each_example_is_caught(index: int) -> None:
    m = RUBRIC.misconceptions[index]
    assert m.found_in(m.example), m.example


@pytest.mark.parametrize(("topic", "denial"), [(t, d) for t, ds in DENIALS.items() for d in ds])
def test_denials_and_right_claims_are_not_caught(topic: str, denial: str) -> None:
    assert not any(m.found_in(denial) for m in RUBRIC.misconceptions if m.topic == topic), denial


def test_a_negative_claim_is_found_despite_its_own_not() -> None:
    [cap] = [m for m in RUBRIC.misconceptions if m.topic == "database_choice"]
    assert cap.negative_claim
    assert cap.found_in("Honestly SQL databases can't scale horizontally, so Mongo it is.")


@pytest.mark.parametrize("index", range(len(RUBRIC.misconceptions)))
def test_the_same_words_asked_as_a_question_claim_nothing(index: int) -> None:
    """ "Do truncated hashes never collide?" asks the interviewer; only the statement is a misconception."""
    m = RUBRIC.misconceptions[index]
    asked = m.example.rstrip(" .!") + "?"
    assert not m.found_in(asked), asked
    assert m.found_in(asked[:-1] + ". " + m.example)  # said as well as asked: still the claim
