"""An answer about another problem is recognised, whatever its quality."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.content.problems import ProblemBank, load_problem_bank
from core.correctness.relevance import about_the_problem, excludes, pulled_back, relevance
from core.models import Utterance


@pytest.fixture(scope="module")
def bank() -> ProblemBank:
    return load_problem_bank(Path(__file__).resolve().parents[3] / "data" / "problems")


URL_ANSWER = (
    "We take a long URL and hand back a short link: a base62 short code from a counter, stored code to long URL "
    "in a key-value store, and a 302 redirect so we can count clicks; custom aliases are checked for collisions."
)


def test_a_url_shortener_answer_to_a_chat_question_is_off_topic(bank: ProblemBank) -> None:
    r = relevance(URL_ANSWER, bank.get("chat_messaging"), bank)
    assert not r.on_topic
    assert r.closer_problem_id == "url_shortener"


def test_the_same_answer_is_on_topic_for_its_own_problem(bank: ProblemBank) -> None:
    assert relevance(URL_ANSWER, bank.get("url_shortener"), bank).on_topic


def test_generic_words_and_one_shared_term_do_not_make_an_answer_off_topic(bank: ProblemBank) -> None:
    said = "Messages go through a gateway that holds each WebSocket; we store them in Cassandra keyed by chat."
    assert relevance(said, bank.get("chat_messaging"), bank).on_topic
    plain = "We would use a cache and a database behind a load balancer."
    assert relevance(plain, bank.get("news_feed"), bank).on_topic


def test_naming_another_problem_to_set_it_aside_is_not_answering_about_it(bank: ProblemBank) -> None:
    aside = (
        "Fans pick seats and pay. Refunds, payouts, the ledger and the payment provider's card processing are out "
        "of scope: I won't cover them."
    )
    assert relevance(aside, bank.get("ticket_booking"), bank).on_topic
    taken_up = "Refunds, payouts, the ledger and the payment provider's card processing come first."
    assert not relevance(taken_up, bank.get("ticket_booking"), bank).on_topic


@pytest.mark.parametrize(
    ("question", "scopes"),
    [
        ("Can I use Kafka for the delivery queue?", False),
        ("Are we on AWS or GCP?", False),
        ("Is there a house language, Java or Go?", False),
        ("How big is the team?", False),
        ("Are users allowed to edit a message after sending it?", True),
        ("How many messages a day, and how long do we keep history?", True),
        ("Do group chats need read receipts?", True),
    ],
)
def test_a_question_about_tools_or_the_team_scopes_nothing_and_one_about_the_product_does(
    bank: ProblemBank, question: str, scopes: bool
) -> None:
    assert about_the_problem(question, bank.get("chat_messaging")) is scopes


def test_setting_a_part_aside_in_plain_words_is_an_exclusion_and_selling_out_is_not() -> None:
    assert excludes("Payments, search and shipping are out.")
    assert excludes("Analytics is out for now; we add it later.")
    assert excludes("The payment processor itself isn't ours, right?")
    assert not excludes("The concert sold out in two minutes.")
    assert not excludes("Tickets are out of stock once the last seat is held.")


def _turns(*lines: str) -> list[Utterance]:
    return [Utterance(("interviewer", "candidate")[i % 2], t, start=10.0 * i, seq=i) for i, t in enumerate(lines)]


def test_an_answer_the_interviewer_steers_back_drifted() -> None:
    turns = _turns(
        "How do you record the money in a ledger?",
        "Before that, fraud matters: I'd train a gradient-boosted model on card velocity and retrain weekly.",
        "Fraud models are out of scope; assume a risk service. The ledger, please.",
        "Every movement is two entries, a debit and a credit, and entries are never edited.",
        "Where are the links stored?",
        "For the analytics, Kafka into ClickHouse with a world map of clicks.",
        "I'm asking about the redirect itself. What happens when the database node is down?",
        "Replicas take over; the cache keeps serving hot links.",
        "Good. Walk me through a celebrity post.",
    )
    assert pulled_back(turns) == {id(turns[1]), id(turns[5])}


def test_out_of_scope_in_reply_to_a_question_is_an_answer_not_a_pull_back() -> None:
    """ "Payments are out of scope" answers "Do we take payments?"; and a challenge of a figure is not a pull back."""
    turns = _turns(
        "What should the system do?",
        "Fans pick seats and hold them. Do we also take payments?",
        "Payments are out of scope; a provider handles them.",
        "Then a hold lasts 8 minutes and 1,000 holds a second at peak is 86 million a day.",
        "Let me stop you there: you said 86 million a day. Check the peak against the day.",
    )
    assert pulled_back(turns) == set()
