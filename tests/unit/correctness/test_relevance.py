"""An answer about another problem is recognised, whatever its quality."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.content.problems import ProblemBank, load_problem_bank
from core.correctness.relevance import about_the_problem, excludes, relevance


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
