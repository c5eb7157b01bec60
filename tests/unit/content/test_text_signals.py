"""Reading answers without a model: the signals the interviewer reacts to and the evaluator scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.content.rubrics import Rubric, Topic, load_rubric
from core.content.text_signals import (
    NumericClaim,
    canonical_noun,
    causal_markers,
    describe_figure,
    failure_markers,
    figure_claim,
    figure_distances,
    fillers,
    find_phrases,
    format_number,
    has_arithmetic,
    is_bare_list,
    is_buzzword_list,
    is_check_in,
    is_question,
    is_stuck,
    is_vague,
    list_items,
    numeric_claims,
    quantities,
    question_sentences,
    sentences,
    signals,
    structure_markers,
    topic_positions,
    topics_in,
    tradeoff_markers,
    word_count,
)

RUBRIC_FILE = Path(__file__).resolve().parents[3] / "data" / "rubrics" / "system_design.yaml"


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


def test_a_look_alike_phrase_does_not_show_the_topic() -> None:
    replicas = Topic(
        name="Replication", competency="reliability", stage="deep_dive", phrases=["primary", "replica"],
        not_phrases=["primary key"], probe="?",
    )  # fmt: skip
    assert topics_in("the primary key is (user id, video id)", {"r": replicas}) == set()
    assert topics_in("the primary keys and indexes", {"r": replicas}) == set()
    assert topics_in("writes go to the primary, reads to a replica", {"r": replicas}) == {"r"}
    text = "primary key first, then the primary"
    assert topic_positions(text, {"r": replicas}) == {"r": text.rindex("primary")}


def test_rubric_data_words_are_not_reliability(rubric: Rubric) -> None:
    """A delivery log is data, a primary key is a schema, a page's three versions are content."""
    assert "replication" not in topics_in(
        "a watch_progress table with the primary key on user and video", rubric.topics
    )
    assert "replication" in topics_in("writes go to the primary and two followers", rubric.topics)
    assert "monitoring" not in topics_in("each attempt is appended to the delivery log", rubric.topics)
    assert "monitoring" in topics_in("we alert when the error rate passes 1%", rubric.topics)
    assert "consistency" not in topics_in("keep the last three versions of every page", rubric.topics)
    assert "consistency" in topics_in("each row carries a version number checked on update", rubric.topics)


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


def test_arithmetic_with_units_between_the_numbers_shows_working_and_a_count_of_times_does_not() -> None:
    assert has_arithmetic("Locations: 1.25 M/s times 100 B, about 125 MB/s in.")
    assert has_arithmetic("300 pings times 2 parties times 100 B")
    assert not has_arithmetic("The job runs 3 times a day.")
    assert not has_arithmetic("5 servers over 2 regions")


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


# --- numeric claims --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "head", "period", "quoted"),
    [
        ("I expect about 1,000 links a day.", 1000, "link", "day", "about 1,000 links a day"),
        ("We'll see 10 QPS.", 10, "request", "second", "10 QPS"),
        ("That's 10k QPS at peak", 10_000, "request", "second", "10k QPS"),
        ("so ≈ 40 writes per second", 40, "write", "second", "≈ 40 writes per second"),
        ("4,000 redirects/s on average", 4000, "redirect", "second", "4,000 redirects/s"),
        ("We have 200M daily active users.", 200e6, "user", None, "200M daily active users"),
        ("1 million DAU", 1e6, "user", None, "1 million DAU"),
        ("8 billion messages daily", 8e9, "message", "day", "8 billion messages daily"),
        ("1.2k new URLs per hour", 1200, "link", "hour", "1.2k new URLs per hour"),
        ("100 million links are created each month", 1e8, "link", "month", "100 million links are created each month"),
        ("We crawl 5 billion pages a month.", 5e9, "page", "month", "5 billion pages a month"),
        ("2.5 million people", 2.5e6, "user", None, "2.5 million people"),
    ],
)
def test_numeric_claims_read_value_noun_and_period(
    text: str, value: float, head: str, period: str | None, quoted: str
) -> None:
    [claim] = numeric_claims(text)
    assert (claim.value, claim.head, claim.period, claim.text) == (pytest.approx(value), head, period, quoted)


def test_numeric_claims_keep_the_kind_qualifiers_of_a_count() -> None:
    [claim] = numeric_claims("about 5 million concurrent users")
    assert claim.qualifiers == {"concurrent"} and claim.period is None
    [dau] = numeric_claims("1 million DAU")
    assert dau.qualifiers == {"daily", "active"}


@pytest.mark.parametrize(
    "text",
    [
        "a 302 redirect",
        "99.99% availability",
        "5 years of retention",
        "100:1 reads to writes",
        "2.6 million seconds in a month",
        "40 per second",  # no noun: what does it count?
        "Each link is about 500 bytes",  # bytes are not counted things here, and "each" scopes it
    ],
)
def test_numbers_that_count_nothing_are_not_claims(text: str) -> None:
    assert [c for c in numeric_claims(text) if c.head not in ("byte",)] == []


@pytest.mark.parametrize(
    "text",
    [
        "Each daily user sends about 40 messages a day.",
        "Users send about 40 messages a day each.",
        "A single viral link can take 50,000 redirects per second.",
        "Anonymous users can create 10 links per hour.",
        "Free keys get 100 requests per minute.",
        "Each shard handles about 500 redirects per second.",
        "If we grew to 10 links a second we'd be fine.",
        "At 10x we'd need 40,000 redirects per second.",
        "Limited to 1,000 links per hour.",
        "Up to 50 million followers.",
    ],
)
def test_scoped_hypothetical_and_limit_numbers_are_not_whole_system_claims(text: str) -> None:
    assert numeric_claims(text) == []
    assert numeric_claims(text, whole_system_only=False) != []


def test_scoping_is_per_clause() -> None:
    claims = numeric_claims("Each daily user sends about 40 messages a day, so around 8 billion messages a day.")
    assert [c.text for c in claims] == ["around 8 billion messages a day"]


def test_canonical_nouns() -> None:
    assert [canonical_noun(w) for w in ("URLs", "queries", "searches", "people", "trips", "users'", "status")] == [
        "link", "query", "search", "user", "ride", "user", "status",
    ]  # fmt: skip


def test_figure_names_read_as_claims() -> None:
    peak = figure_claim("peak_redirects_per_second", 20_000)
    assert (peak.head, peak.period, peak.peak, peak.text) == (
        "redirect", "second", True, "20,000 redirects per second at peak"
    )  # fmt: skip
    daily = figure_claim("daily_active_users", 2e8)
    assert (
        daily.period is None
        and daily.qualifiers == {"daily", "active"}
        and daily.text == "200 million daily active users"
    )
    monthly = figure_claim("new_links_per_month", 1e8)
    assert monthly.per_second == pytest.approx(1e8 / (30 * 86400))
    assert monthly.text == "100 million new links a month"


@pytest.mark.parametrize("name", ["Links_per_day", "links-per-day", "links_per_fortnight", "per_second", "peak"])
def test_bad_figure_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        figure_claim(name, 10)


def test_figures_must_be_positive() -> None:
    with pytest.raises(ValueError):
        figure_claim("links_per_day", 0)


def test_describe_and_format_numbers() -> None:
    assert [format_number(v) for v in (1e8, 1.5e9, 4000, 40, 1.25e6, 0.5, 3e12)] == [
        "100 million", "1.5 billion", "4,000", "40", "1.25 million", "0.5", "3 trillion",
    ]  # fmt: skip
    assert describe_figure("messages_per_hour", 10) == "10 messages an hour"
    assert describe_figure("hosts", 1e8) == "100 million hosts"


def _figures(**named: float) -> list[NumericClaim]:
    return [figure_claim(name, value) for name, value in named.items()]


def test_claims_are_compared_only_with_figures_that_measure_the_same_thing() -> None:
    figures = _figures(monthly_active_users=5e8, daily_active_users=2e8, concurrent_users=5e7, messages_per_second=1e5)
    [concurrent] = numeric_claims("5 million concurrent users")
    assert [i for _, i in figure_distances(concurrent, figures)] == [2]
    [users] = numeric_claims("1 million users")
    assert [i for _, i in figure_distances(users, figures)] == [0, 1, 2]
    [qps] = numeric_claims("10 QPS")
    assert [i for _, i in figure_distances(qps, figures)] == [3]  # a generic rate: any rate figure
    [count] = numeric_claims("8 billion messages")
    assert figure_distances(count, figures) == []  # a count is not a rate
    off, _ = figure_distances(qps, figures)[0]
    assert off == pytest.approx(4.0)  # four orders of magnitude


def test_qualified_claims_prefer_the_figures_they_name() -> None:
    figures = _figures(peak_page_views_per_second=5000, flash_sale_requests_per_second=5e5, api_keys=1e6,
                       active_api_keys=5e4)  # fmt: skip
    [flash] = numeric_claims("5,000 flash sale requests per second")
    assert [i for _, i in figure_distances(flash, figures)] == [1]
    [keys] = numeric_claims("10,000 API keys")
    assert [i for _, i in figure_distances(keys, figures)] == [2]  # unqualified: the plain total
    [active] = numeric_claims("10,000 active API keys")
    assert [i for _, i in figure_distances(active, figures)] == [3]


def test_a_statement_with_a_tag_question_states() -> None:
    """ "I'd leave out search and shipping, if that's okay?" draws scope; only the tag asks for a nod."""
    said = "I'm assuming payment is a black box, and I'd leave out search and shipping, if that's okay?"
    assert question_sentences(said) == []
    assert question_sentences("We keep a hold for ten minutes and release it on timeout, right?") == []
    assert question_sentences("Is it okay to leave out search?") == ["Is it okay to leave out search?"]
    assert question_sentences("So we shard by user, right?") == ["So we shard by user, right?"]  # too short to state


def test_statements_starting_with_when_are_not_questions() -> None:
    assert not is_question("When a user opens the app we query the latest posts from everyone they follow.")
    assert is_question("When do links expire")
    assert is_question("Where does the cache sit?")


def test_speech_without_punctuation_is_split_where_a_question_starts() -> None:
    """A recogniser's run-on line holds several questions; each is found, and fillers go with the clause they open."""
    spoken = (
        "um okay so before i start how many requests per second are we talking about and is the limit per user "
        "or per api key and um what happens if the limiter itself goes down do we fail open or closed"
    )
    assert sentences(spoken) == [
        "um okay so before i start how many requests per second are we talking about",
        "and is the limit per user or per api key",
        "and um what happens if the limiter itself goes down do we fail open or closed",
    ]
    assert question_sentences(spoken) == sentences(spoken)[1:]
    punctuated = "So how many requests per second, and is the limit per user? We cache the counters and move on."
    assert len(sentences(punctuated)) == 2
    short = "and is the limit per user or per key"
    assert sentences(short) == [short]


def test_a_long_spoken_statement_is_cut_where_the_speaker_moves_on() -> None:
    """Design said out loud reaches the recogniser as one line; read as one sentence it names every topic at once and
    none is credited with the reasoning beside it."""
    spoken = (
        "sure so the clients hold a web socket to a gateway in the nearest region and the gateways just forward frames "
        "um the chat service owns each conversation and assigns the order because ordering is per conversation "
        "then the message store is cassandra partitioned by conversation id so history reads stay on one partition "
        "okay and if a gateway dies the client reconnects and resends from its outbox"
    )
    parts = sentences(spoken)
    assert parts[0].startswith("sure so the clients hold a web socket")  # an opening "sure" is no statement
    assert parts[1].startswith("um the chat service owns each conversation")
    assert parts[-1].startswith("okay and if a gateway dies")
    assert len(parts) == 5
    assert " ".join(parts) == spoken
    short = "so the gateway forwards frames um then the chat service orders them by conversation id"
    assert sentences(short) == [short]  # under thirty words: one statement, as before


def test_a_spoken_aside_too_short_to_stand_alone_stays_with_its_statement() -> None:
    spoken = (
        "the fetchers pull due urls from per host queues so no host is hit more than once a second "
        "um right okay "
        "and robots rules are cached per host for a day then the parser extracts links and pushes them to the frontier"
    )
    parts = sentences(spoken)
    assert all(len(p.split()) >= 6 for p in parts)
    assert parts[1] == "so no host is hit more than once a second um right"


def test_an_opening_so_takes_the_floor_and_gives_no_reason() -> None:
    assert causal_markers("So we'll have an API gateway, then a notification service and a scheduler.") == []
    assert causal_markers("Okay, so the cache sits in front because reads dominate.") == ["because"]
    assert causal_markers("So that reads stay local, we pin each user to a region.") == ["so that"]
    assert causal_markers("We shard by user, so reads stay on one node.") == ["so reads"]


def test_a_virtue_of_the_tool_is_no_reason_for_this_design() -> None:
    """ "Because Kafka scales" holds for any system; a reason with our figures or our needs in it is one."""
    assert causal_markers("Between them I'd put Kafka, because Kafka scales to millions of messages per second.") == []
    assert causal_markers("Cassandra, because it scales horizontally.") == []
    assert causal_markers("Microservices, so every piece can scale independently.") == []
    assert causal_markers("Kafka, because our peak is 50,000 a second and one partition handles 5,000.") == ["because"]
    assert causal_markers("A queue, because we must absorb the campaign peak while login codes stay fast.") == [
        "because"
    ]
