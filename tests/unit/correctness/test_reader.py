"""The reader over a whole interview: mistakes, corrections, repeats, off-topic answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.content.problems import ProblemBank, load_problem_bank
from core.content.rubrics import Rubric, load_rubric
from core.correctness.figures import facts_of
from core.correctness.findings import FindingKind
from core.correctness.reader import TranscriptReading, check_statement, read_transcript
from core.models import Utterance

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.fixture(scope="module")
def bank() -> ProblemBank:
    return load_problem_bank(DATA / "problems")


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(DATA / "rubrics" / "system_design.yaml")


def _talk(*lines: str) -> list[Utterance]:
    speakers = ("interviewer", "candidate")
    return [Utterance(speakers[i % 2], t, start=10.0 * i, seq=i) for i, t in enumerate(lines)]


def _read(bank: ProblemBank, rubric: Rubric, problem: str, *lines: str) -> TranscriptReading:
    """The reader's pass over an interview of `problem` whose turns alternate interviewer, candidate."""
    return read_transcript(_talk(*lines), bank.get(problem), rubric, bank)


def test_check_statement_finds_a_slip_and_a_misconception(bank: ProblemBank, rubric: Rubric) -> None:
    said = "That's about 400 redirects per second from 10 billion a month. Three replicas survive three node failures."
    found = check_statement(said, bank.get("url_shortener"), rubric)
    kinds = [f.kind for f in found]
    assert FindingKind.ARITHMETIC in kinds or FindingKind.FIGURE in kinds
    [wrong] = [f for f in found if f.kind is FindingKind.MISCONCEPTION]
    assert wrong.competency == "reliability" and wrong.topic == "replication"


def test_a_slip_put_right_after_a_challenge_is_marked_corrected(bank: ProblemBank, rubric: Rubric) -> None:
    reading = _read(
        bank,
        rubric,
        "notification_service",
        "Peak is about 50,000 notifications a second; 5% are texts.",
        "5% of 50,000 is 250 a second, well under the SMS limit.",
        "Can you double-check the SMS figure?",
        "Ah, 5% of 50,000 is 2,500, not 250 — that's over the limit, so we need a pacer.",
    )
    [slip] = reading.mistakes(include_corrected=True)
    assert slip.corrected and reading.mistakes() == []


def test_an_uncorrected_slip_stays(bank: ProblemBank, rubric: Rubric) -> None:
    reading = _read(
        bank,
        rubric,
        "url_shortener",
        "How big?",
        "6 billion links times 500 bytes is about 300 gigabytes.",
        "OK.",
        "Then one SSD is enough.",
    )
    [slip] = reading.mistakes()
    assert "3 TB" in (slip.right or "") and slip.message_seq == 1


def test_a_figure_of_another_thing_near_the_right_one_is_no_correction(bank: ProblemBank, rubric: Rubric) -> None:
    """The read rate was 10x off; a later "10,000 writes per second" is about writes, whatever its size."""
    reading = _read(
        bank,
        rubric,
        "news_feed",
        "Feed reads?",
        "1.5 billion feed views a day. Dividing by roughly 100,000 seconds, that's about 150,000 reads per second.",
        "A celebrity posts. What happens?",
        "Each worker does 10,000 writes per second and we run 500 workers, so the post is out in 10 seconds.",
    )
    [slip] = reading.mistakes()
    assert slip.said == "150,000 reads per second" and not slip.corrected


def test_pastes_and_junk_are_dropped_from_what_may_be_scored(bank: ProblemBank, rubric: Rubric) -> None:
    paste = "Our platform will use a scalable microservices architecture with a CDN for global delivery of videos."
    reading = _read(
        bank,
        rubric,
        "video_streaming",
        "Scope?",
        paste,
        "Numbers?",
        paste + " <script>alert(1)</script>",
        "Design?",
        paste,
    )
    assert reading.repeated_share > 0.6
    assert reading.junk == 1
    candidate = [u.text for u in reading.utterances if u.speaker == "candidate"]
    assert candidate == [paste]
    assert not any("<script>" in u.text for u in reading.utterances)


def test_a_whole_interview_about_another_problem_is_off_topic(bank: ProblemBank, rubric: Rubric) -> None:
    reading = _read(
        bank,
        rubric,
        "chat_messaging",
        "Design a chat service for phones and the web.",
        "A user pastes a long URL and gets a short link; we redirect with a 302 to count clicks.",
        "This is chat: messages between users.",
        "Right, the short code is base62 from a counter, and custom aliases are checked for collisions.",
    )
    assert reading.off_topic and reading.relevance.closer_problem_id == "url_shortener"
    assert reading.off_topic_share > 0.9


def test_an_answer_the_interviewer_steers_back_counts_as_off_topic(bank: ProblemBank, rubric: Rubric) -> None:
    """A card-network switch shares the payment system's words, so only the interviewer's reaction marks the drift."""
    reading = _read(
        bank,
        rubric,
        "payment_system",
        "What happens in the call to the provider?",
        "I'd build an authorisation switch that formats ISO 8583 messages for Visa and Mastercard, with a card vault.",
        "We use external providers and never hold card numbers. Let's come back to our side: the ledger?",
        "Two entries per movement, a debit and a credit, never edited; refunds are new entries.",
    )
    [drift] = reading.of_kind(FindingKind.OFF_TOPIC)
    assert "ISO 8583" in drift.quote
    assert not reading.off_topic and 0.4 < reading.off_topic_share < 0.7


def test_a_result_worked_out_right_is_derived_not_a_misremembered_fact(bank: ProblemBank, rubric: Rubric) -> None:
    """ "Posts a second" served is not "posts a day" published: a result the candidate's own inputs give is held to
    them, not to a stated figure that shares its noun."""
    facts = facts_of(["About 30 million new posts a day."])
    derived = "Reads: 17,000 feed pages a second times 20 posts is 340,000 posts a second."
    assert check_statement(derived, bank.get("news_feed"), rubric, facts=facts) == []
    [slip] = check_statement("We publish about 340,000 posts a second.", bank.get("news_feed"), rubric, facts=facts)
    assert slip.kind is FindingKind.FIGURE
