"""Reading answers without a model: the signals the interviewer reacts to and the evaluator scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.rubrics import Rubric, Topic, load_rubric
from core.text_signals import (
    causal_markers,
    failure_markers,
    fillers,
    find_phrases,
    has_arithmetic,
    is_bare_list,
    is_buzzword_list,
    is_check_in,
    is_question,
    is_stuck,
    is_vague,
    list_items,
    quantities,
    sentences,
    signals,
    structure_markers,
    topic_positions,
    topics_in,
    tradeoff_markers,
    word_count,
)

RUBRIC_FILE = Path(__file__).resolve().parents[2] / "data" / "rubrics" / "system_design.yaml"


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(RUBRIC_FILE)


def _topic(*phrases: str) -> Topic:
    return Topic(name="t", competency="c", stage="deep_dive", phrases=list(phrases), probe="?")


# --- splitting -------------------------------------------------------------------------------


def test_sentences_keep_decimals_abbreviations_and_split_lines_and_bullets() -> None:
    text = "First, e.g. a cache. Then 99.9% uptime! Is it ok?\n- bullet one\n2. bullet two"
    assert sentences(text) == [
        "First, e.g. a cache.",
        "Then 99.9% uptime!",
        "Is it ok?",
        "bullet one",
        "bullet two",
    ]


def test_sentences_of_empty_or_punctuation_only_text() -> None:
    assert sentences("") == []
    assert sentences("  ...  \n ?! ") == []


def test_word_count_handles_contractions_and_decimals() -> None:
    assert word_count("I'd keep 99.9% of reads in-memory.") == 7  # i'd keep 99.9 of reads in memory


# --- topics ----------------------------------------------------------------------------------


def test_topics_match_case_insensitively_on_word_boundaries() -> None:
    topics = {"caching": _topic("cache", "redis"), "sharding": _topic("shard")}
    assert topics_in("We put REDIS in front", topics) == {"caching"}
    assert topics_in("a cachet of prestige; reshard nothing", topics) == set()
    assert topics_in("two caches and many shards", topics) == {"caching", "sharding"}  # plurals


def test_topic_phrases_match_across_hyphens_spaces_and_symbols() -> None:
    topics = {"tradeoffs": _topic("trade-off"), "api": _topic("post /")}
    assert topics_in("the trade off here", topics) == {"tradeoffs"}
    assert topics_in("Trade-offs everywhere", topics) == {"tradeoffs"}
    assert topics_in("POST /api/v1/links", topics) == {"api"}


def test_rubric_phrases_recognise_plain_language(rubric: Rubric) -> None:
    found = topics_in("We keep the hot links in memory with a TTL so they get evicted", rubric.topics)
    assert "caching" in found
    assert "sharding" in topics_in("split the data across machines by a hash of the code", rubric.topics)
    assert "failure_handling" in topics_in("if the primary goes down we fail over", rubric.topics)


def test_topic_positions_give_first_occurrence() -> None:
    topics = {"a": _topic("cache"), "b": _topic("queue")}
    assert topic_positions("a queue then a cache and a queue", topics) == {"b": 2, "a": 15}


# --- reasoning signals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100M URLs a month", ["100 m urls"]),
        ("about 10k QPS at peak", ["about 10 k qps"]),
        ("5 TB over 5 years", ["5 tb", "5 years"]),
        ("99.9% availability and p99 under 100 ms", ["99.9%", "100 ms", "p99"]),
        ("reads outnumber writes 100:1", ["100:1"]),
        ("reads are 100 to 1", ["100 to 1"]),
        ("62^7 is 3.5 trillion codes", ["62^7", "3.5 trillion"]),
        ("a million users", ["a million"]),
        ("4,000 per second", ["4,000 per second"]),
    ],
)
def test_quantities_find_measured_numbers(text: str, expected: list[str]) -> None:
    assert quantities(text) == expected


@pytest.mark.parametrize("text", ["1. create links 2. redirect", "return a 302 redirect", "since 2024", "step 3"])
def test_quantities_ignore_labels(text: str) -> None:
    assert quantities(text) == []


def test_arithmetic_shows_working() -> None:
    assert has_arithmetic("100M / 86400 ≈ 1,200 writes per second")
    assert has_arithmetic("500 bytes x 6 billion comes to 3 TB")
    assert not has_arithmetic("we need 3 TB")


def test_causal_tradeoff_and_failure_markers() -> None:
    assert causal_markers("We cache it because reads dominate") == ["because"]
    assert causal_markers("reads dominate, so we cache them") == ["so we"]
    assert causal_markers("reads dominate, so caching pays off") == ["so"]
    assert causal_markers("sharding and so on") == []
    assert "instead of" in tradeoff_markers("a counter instead of hashing")
    assert "at the cost of" in tradeoff_markers("fast, at the cost of stale counts")
    found = failure_markers("If the cache node fails we fall back to the DB and retry with backoff")
    assert found[0] == "if the cache node fails"
    assert {"fall back", "retry", "backoff"} <= set(found)


def test_signals_count_kinds_of_reasoning_not_flow() -> None:
    sig = signals("Reads go to Redis first because 80% of clicks hit 20% of links, but memory costs more.")
    assert {"causal", "tradeoff", "quantity", "flow"} <= sig.kinds
    assert sig.reasoning == 3
    assert signals("Then it goes to the database.").reasoning == 0


def test_find_phrases_returns_matches_in_order() -> None:
    assert find_phrases("Redis, then redis again", ["redis"]) == ["redis", "redis"]


# --- answer quality --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["I'd use a database", "it depends", "yes", "", "Something like a cache, not sure, it depends on stuff"],
)
def test_vague_answers(text: str) -> None:
    assert is_vague(text)


@pytest.mark.parametrize(
    "text",
    [
        "40 writes/s, 4k reads/s",
        "Users create short links and get redirected; links expire after 5 years.",
        "It depends on the ratio: reads are 100:1 so we cache the hot links.",
    ],
)
def test_concrete_answers_are_not_vague(text: str) -> None:
    assert not is_vague(text)


def test_stuck_answers() -> None:
    assert is_stuck("I don't know")
    assert is_stuck("Not sure, can I get a hint?")
    assert not is_stuck("Not sure about the exact number, but 100M / 86400 ≈ 1,200 writes per second")


@pytest.mark.parametrize(
    "text",
    [
        "Redis, Kafka, Cassandra, CDN",
        "I'd use Redis, Kafka and Cassandra.",
        "Load balancer, app servers, Redis cache, Cassandra, Kafka for analytics.",
        "- nginx\n- postgres\n- memcached",
    ],
)
def test_buzzword_lists(text: str) -> None:
    assert is_buzzword_list(text)


@pytest.mark.parametrize(
    "text",
    [
        "We put Redis in front of Cassandra because reads dominate 100:1.",
        "Shorten, redirect, custom aliases, expiry",  # a feature list, not technologies
        "Redis and Kafka",  # too short to be a list
        "Redis for hot links, Kafka for clicks, Cassandra for links so that each scales on its own",
    ],
)
def test_not_buzzword_lists(text: str) -> None:
    assert not is_buzzword_list(text)


def test_buzzword_list_accepts_domain_terms() -> None:
    text = "fan-out workers, feed cache, ranking service"
    assert is_buzzword_list(text, ["fan-out workers", "ranking service"])


def test_bare_lists_need_no_technology_but_no_verb_or_reason() -> None:
    assert is_bare_list("Functional requirements, non-functional requirements, latency, scope.")
    assert not is_bare_list("Users can create links, set aliases, and see counts")
    assert not is_bare_list("40 writes/s, 4k reads/s, 3 TB")  # measured results are content


def test_list_items_drop_lead_ins() -> None:
    assert list_items("I'd use Redis, Kafka and a CDN.") == ["redis", "kafka", "cdn"]


# --- questions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "How many users?",
        "Should I assume 100M links per month",
        "Do we need custom aliases",
        "ok, what's the peak?",
    ],
)
def test_questions(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "What I'd do is shard by code.",
        "How we scale is by sharding.",
        "Which means we cache.",
        "We shard by code.",
    ],
)
def test_statements_are_not_questions(text: str) -> None:
    assert not is_question(text)


def test_check_ins_ask_for_a_nod() -> None:
    assert is_check_in("Does that make sense?")
    assert is_check_in("Right?")
    assert is_check_in("Is that ok?")
    assert not is_check_in("How many redirects per second at peak?")


# --- communication ---------------------------------------------------------------------------


def test_fillers_are_counted_but_not_in_what_kind_of() -> None:
    found = fillers("Um, so I, like, basically use what kind of cache, you know, it is kind of slow")
    assert sorted(found) == sorted(["um", "basically", "you know", "kind of", "like"])
    assert fillers("Which kind of database fits?") == []


def test_structure_markers() -> None:
    text = "First, the API. Then the data model. Finally, caching.\n1. create\n2. redirect"
    found = structure_markers(text)
    assert {"first", "then", "finally"} <= set(found)
    assert found.count("1.") == 1 and found.count("2.") == 1


def test_plurals_of_words_ending_in_y() -> None:
    topics = {"hot": _topic("celebrity", "key")}
    assert topics_in("two celebrities posted", topics) == {"hot"}
    assert topics_in("hot keys", topics) == {"hot"}


def test_plain_functional_requirements(rubric: Rubric) -> None:
    found = topics_in("Users publish posts and see a ranked feed of the people they follow.", rubric.topics)
    assert "functional_requirements" in found
