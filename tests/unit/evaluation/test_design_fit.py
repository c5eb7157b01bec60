"""High-level design is judged for this problem: tidy generic boxes do not serve a video platform without its
transcoding and delivery, and communication weighs what the answers carried beside how they were delivered."""

from __future__ import annotations

from dataclasses import replace

from core.content.problems import ProblemBank
from core.content.rubrics import Rubric
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.evaluation.what_was_carried import CARRIED_SHARE, weigh_what_was_carried
from core.models import CompetencyScore, Evaluation
from tests.unit.evaluation.exchanges import interview

SCOPE = (
    "We're building an on-demand video platform. What would you like to know?",
    "Creators upload videos and viewers watch them on phones and TVs and resume where they stopped. Playback must "
    "start within 2 seconds at 99.99% availability; live streaming and recommendations are out of scope. How many "
    "viewers and uploads a day?",
)
SIZES = (
    "200 million viewers a day, 500,000 uploads a day of about 1 GB each, 30 million streams at peak at 3 Mbps.",
    "500,000 uploads times 1 GB is 500 TB a day of raw video. 30 million streams times 3 Mbps is 90 Tbps at peak, "
    "so delivery dominates the cost and the design.",
)
ASKED_DESIGN = "Show me the upload path and the playback path and the components each one touches."
GENERIC = (
    "The client calls POST /videos on the API server behind a load balancer, which writes the metadata row to "
    "PostgreSQL and stores the file because we need it later. For playback the client calls GET /videos/{id}, the "
    "API server reads the row and returns the file, and a Redis cache keeps popular metadata so reads stay fast. "
    "Watch progress is a row keyed by user and video, written every ten seconds."
)
FOR_THIS_PROBLEM = (
    GENERIC + " The upload lands in object storage through a presigned URL, a queue hands it to transcoding workers "
    "that split it into chunks and encode the renditions in parallel, because a 10-minute video must be watchable "
    "within 10 minutes. Players fetch a manifest and 4-second segments from CDN edges with an origin shield, because "
    "90 Tbps cannot come from our own servers, and adaptive bitrate drops to a lower rendition on slow networks."
)


def _design(evaluation: Evaluation) -> CompetencyScore:
    return next(c for c in evaluation.competencies if c.key == "high_level_design")


def test_a_design_without_the_problems_own_mechanisms_scores_lower_and_says_which(
    bank: ProblemBank, rubric: Rubric
) -> None:
    evaluator = OfflineEvaluator(rubric, bank.get("video_streaming"), bank=bank)
    generic = evaluator.evaluate("g", interview(SCOPE, SIZES, (ASKED_DESIGN, GENERIC)))
    fitted = evaluator.evaluate("f", interview(SCOPE, SIZES, (ASKED_DESIGN, FOR_THIS_PROBLEM)))
    boxes, fitting = _design(generic).score, _design(fitted).score
    assert boxes is not None and fitting is not None
    # boxes and a request path for any problem: "workable" at best here (rubric level 3), the fitted design well above
    assert boxes <= 3.2
    assert fitting >= boxes + 1.2
    assert "Transcoding pipeline" in _design(generic).rationale
    assert "CDN delivery" in _design(generic).rationale
    assert "not reasoned through" not in _design(fitted).rationale
    communication = next(c for c in generic.competencies if c.key == "communication")
    assert "50% what the answers carried" in communication.rationale


def _score(key: str, value: float | None) -> CompetencyScore:
    return CompetencyScore(key, key.title(), value, 0.8, "why")


def test_communication_moves_half_way_to_what_the_answers_carried() -> None:
    scores = [_score("requirements", 2.5), _score("high_level_design", 1.5), _score("communication", 5.0)]
    weighed = {s.key: s for s in weigh_what_was_carried(scores, ("communication",))}
    assert CARRIED_SHARE == 0.5
    assert weighed["communication"].score == 3.5  # half of 5.0, half of the mean 2.0
    assert weighed["requirements"] == scores[0] and weighed["high_level_design"] == scores[1]
    assert "50% what the answers carried (2.0/5" in weighed["communication"].rationale


def test_nothing_scored_leaves_communication_as_delivered() -> None:
    scores = [_score("requirements", None), _score("communication", 4.0)]
    assert weigh_what_was_carried(scores, ("communication",)) == scores
    unscored = [_score("requirements", 3.0), replace(_score("communication", 4.0), score=None)]
    assert weigh_what_was_carried(unscored, ("communication",)) == unscored


def test_a_topic_reasoned_twice_is_worked_through_and_once_is_touched(bank: ProblemBank, rubric: Rubric) -> None:
    """Depth is two well-reasoned sentences per topic: the same store and schema argued once score below the same
    argued again from another query."""
    evaluator = OfflineEvaluator(rubric, bank.get("url_shortener"), bank=bank)
    once = (
        "The links table is keyed by short code with the long URL, owner and expiry, because every redirect looks up "
        "one code. I'd use a key-value store like DynamoDB because the redirect is a single-key read at high volume."
    )
    twice = once + (
        " A second table keyed by owner and creation time lists a user's links, because that page reads by owner, "
        "not by code. And the key-value store rather than Postgres because we never join and it shards by key."
    )
    asked = "How do you store the links?"
    touched = evaluator.evaluate("t", interview(SHORTENER_SCOPE, SIZES_SHORTENER, (asked, once)))
    worked = evaluator.evaluate("w", interview(SHORTENER_SCOPE, SIZES_SHORTENER, (asked, twice)))
    model = {e.session_id: next(c.score for c in e.competencies if c.key == "data_model") for e in (touched, worked)}
    assert model["t"] is not None and model["w"] is not None
    assert model["w"] >= model["t"] + 0.9  # the second query's key and the store's trade-off, and depth on top


SHORTENER_SCOPE = (
    "Design a URL shortener. What would you like to clarify?",
    "Create short links with custom aliases and expiry, redirect fast, analytics out of scope. How many links?",
)
SIZES_SHORTENER = (
    "About 100 million new links a month and 10 billion redirects a month.",
    "10 billion a month is about 3,900 redirects a second; 100 million links a month is 40 a second.",
)


def test_a_rate_limiters_own_subject_is_no_reliability_work(bank: ProblemBank, rubric: Rubric) -> None:
    """Designing a rate limiter is talking about rate limits: that is the design, not abuse protection added to it, so
    a limiter that never says what happens when its store fails shows no reliability."""
    evaluator = OfflineEvaluator(rubric, bank.get("rate_limiter"), bank=bank)
    design = (
        "Each gateway calls INCR on a Redis key per API key and minute, with a TTL of 60 seconds, because the count "
        "has to be shared across gateways. Over the limit it returns 429 with Retry-After and the limit headers. A "
        "token bucket instead of a fixed window, because the window edge lets 20,000 through in a few seconds."
    )
    talk = interview(
        ("Design a rate limiter for our API. What would you like to know?", "Limits per API key? How many keys?"),
        ("Per key per minute by plan; 10 million keys, 1 million requests a second.", design),
    )
    reliability = next(c for c in evaluator.evaluate("r", talk).competencies if c.key == "reliability")
    assert reliability.score is not None and reliability.score <= 2.0
    assert "Rate limiting" not in reliability.rationale


def test_a_service_for_every_noun_is_no_minimal_design(bank: ProblemBank, rubric: Rubric) -> None:
    """Rubric level 5 keeps components minimal: fourteen services for a URL shortener stay a workable design at best,
    and the report says why."""
    evaluator = OfflineEvaluator(rubric, bank.get("url_shortener"), bank=bank)
    many = (
        "The gateway service takes every request and hands it to the auth service, which checks the API key. The user "
        "service owns accounts, and the link creation service asks the ID generation service for a number and the "
        "alias service to reserve custom names. The URL safety service scans each target, the expiry service "
        "tracks deadlines and the redirect service answers clicks. The analytics service counts them, the billing "
        "service charges, the notification service emails owners, the audit service logs changes and the search "
        "service indexes links, because separation of concerns keeps every team independent."
    )
    few = (
        "The API servers sit behind a load balancer and write each link to a key-value store keyed by short code, "
        "because every redirect reads one code. A Redis cache in front of the store serves hot links, because reads "
        "outnumber writes a hundred to one, and a counter service hands out code ranges so servers never collide."
    )
    asked = "Sketch the design and walk me through creating a link and redirecting."
    split = evaluator.evaluate("m", interview(SHORTENER_SCOPE, SIZES_SHORTENER, (asked, many)))
    minimal = evaluator.evaluate("f", interview(SHORTENER_SCOPE, SIZES_SHORTENER, (asked, few)))
    assert _design(split).score is not None and _design(split).score <= 3.0
    assert "not kept minimal" in _design(split).rationale
    assert "not kept minimal" not in _design(minimal).rationale


def _competency(evaluation: Evaluation, key: str) -> CompetencyScore:
    return next(c for c in evaluation.competencies if c.key == key)


def test_a_scaling_step_counts_where_the_numbers_call_for_it(bank: ProblemBank, rubric: Rubric) -> None:
    """Rubric: caching and partitioning "where the numbers call for them". Named for their own sake ("so it scales")
    they stay near mention credit."""
    evaluator = OfflineEvaluator(rubric, bank.get("url_shortener"), bank=bank)
    asked = "How does this scale?"
    named = (
        "We put a Redis cache in front so it's fast, shard the store so it scales horizontally, and add servers "
        "behind the load balancer so we can handle growth."
    )
    sized = (
        "Redirects peak near 12,000 a second, so a Redis cache for the hot 20% of links, about 600 GB, takes most "
        "of them off the store. 3 TB of links outgrow one node, so we shard the store by short code across 8 nodes. "
        "At about 2,000 requests a second per server, 8 servers behind the load balancer carry the peak."
    )
    by_name = evaluator.evaluate("n", interview(SHORTENER_SCOPE, SIZES_SHORTENER, (asked, named)))
    by_number = evaluator.evaluate("s", interview(SHORTENER_SCOPE, SIZES_SHORTENER, (asked, sized)))
    low, high = _competency(by_name, "scalability").score, _competency(by_number, "scalability").score
    assert low is not None and high is not None and high >= low + 1.2  # named only: near mention credit


def test_a_reliability_measure_counts_with_the_failure_it_handles(bank: ProblemBank, rubric: Rubric) -> None:
    evaluator = OfflineEvaluator(rubric, bank.get("url_shortener"), bank=bank)
    asked = "What about reliability?"
    named = "We keep three replicas so it's reliable, and we add monitoring dashboards so the team knows the state."
    planned = (
        "We keep three replicas across zones, so when a node dies reads fail over to a follower within seconds, and "
        "we alert when redirect errors pass 0.1% so the on-call knows before users do."
    )
    by_name = evaluator.evaluate("n", interview(SHORTENER_SCOPE, SIZES_SHORTENER, (asked, named)))
    by_plan = evaluator.evaluate("p", interview(SHORTENER_SCOPE, SIZES_SHORTENER, (asked, planned)))
    low, high = _competency(by_name, "reliability").score, _competency(by_plan, "reliability").score
    assert low is not None and high is not None and high >= low + 0.8


def test_scalability_weighs_the_problems_own_limits(bank: ProblemBank, rubric: Rubric) -> None:
    """Rubric level 5: "finds the real scaling limits (hot keys, fan-out, skew)". For a news feed that is the
    celebrity's fan-out: the same cache and shards with and without it."""
    evaluator = OfflineEvaluator(rubric, bank.get("news_feed"), bank=bank)
    scope = ("Design a news feed. What would you like to know?", "How many users, and how many do they follow?")
    sizes = ("150 million daily users following about 200 accounts; the largest have 50 million followers.", "Got it.")
    generic = (
        "Feeds are read 17,000 times a second, so a Redis cache holds each user's latest 500 post IDs, about 4 KB, "
        "600 GB in all. Posts are sharded by author across 16 nodes, because 30 million a day outgrow one."
    )
    limits = generic + (
        " A post fans out on write to followers' cached feeds, but an account with 50 million followers would mean "
        "50 million writes per post, so above a million followers we skip the fan-out and merge those posts at read "
        "time; that keeps the hot celebrity keys off the write path."
    )
    asked = "How does this scale?"
    plain = evaluator.evaluate("g", interview(scope, sizes, (asked, generic)))
    deep = evaluator.evaluate("l", interview(scope, sizes, (asked, limits)))
    before, after = _competency(plain, "scalability"), _competency(deep, "scalability")
    assert before.score is not None and after.score is not None and after.score >= before.score + 0.8
    assert "own scaling limits, not handled" in before.rationale
