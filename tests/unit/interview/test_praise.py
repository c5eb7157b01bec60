"""Acknowledgements quote what they acknowledge; extra credit only for reasoning the answer has."""

from __future__ import annotations

from core.interview.praise import acknowledgement, extra, names_something, quote_for

CACHE = ["cache", "redis"]


def test_the_nod_quotes_the_candidates_words_for_the_topic() -> None:
    nod = acknowledgement(
        "Sure. We keep the hottest codes in Redis in front of Cassandra.", "caching", CACHE, "a cache helps", 0
    )
    assert nod == "Good — “We keep the hottest codes in Redis in front of Cassandra”: a cache helps."


def test_no_nod_when_the_words_name_nothing_specific() -> None:
    assert acknowledgement("I'd keep improving it step by step.", "request_flow", ["step by step"], "ok", 0) == ""
    assert names_something("a short link", ["short link"]) and names_something("about 40 per second")
    assert not names_something("we keep improving it")


def test_long_clauses_are_quoted_around_the_first_mention_without_cutting_a_number() -> None:
    text = "Honestly after a lot of thinking about the whole thing we would put 10 billion keys in a Redis cache."
    quoted = quote_for(text, CACHE)
    assert quoted is not None and quoted.startswith("…") and "10 billion keys in a Redis cache" in quoted


def test_extra_credit_is_quoted_and_only_for_what_was_said() -> None:
    assert extra("We return a 302 over a 301 so every click is counted.", "caching") == (
        " Good that you weighed it against “301”."
    )
    assert extra("If Redis fails we read from Cassandra.", "caching") == " And you covered the case “If Redis fails”."
    assert extra("We shard by code because lookups are always by code.", "sharding") == (
        " And you said why: “because lookups are always by code”."
    )
    assert extra("We cache the hottest codes in Redis.", "caching") == ""
