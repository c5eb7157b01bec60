"""The offline fact reader: decision-makers, budget, timeline and alternatives read from notes and
transcript lines in many phrasings — and the denials, questions and look-alikes that must not become facts."""

from __future__ import annotations

import pytest

from core.live.fact_reader import NONE_STATED, SELF_LABEL, Money, asked_about, is_question, read_facts, sentences


def values(text: str, kind: str, **kw: object) -> list[str]:
    return [f.value for f in read_facts(text, **kw).facts if f.kind == kind]  # type: ignore[arg-type]


# --- the note from the issue ---------------------------------------------------------------------------


def test_one_note_holds_three_facts() -> None:
    reading = read_facts("Decision-maker is VP Ops (Karen); budget approx 50k EUR/yr; wants pilot in Q1")
    assert [(f.kind, f.value) for f in reading.facts] == [
        ("decision_makers", "VP Ops (Karen)"),
        ("budget", "approx. 50,000 EUR per year"),
        ("timeline", "pilot in Q1"),
    ]
    assert reading.only_facts and reading.statements == 3
    [budget] = reading.of("budget")
    assert budget.money == Money(50_000, 50_000, "EUR", "year", approximate=True)
    assert budget.quote == "budget approx 50k EUR/yr"


def test_a_note_with_a_fact_and_something_else_is_not_only_facts() -> None:
    reading = read_facts("Close the books in two days. Budget is about $20k a year.")
    assert [f.kind for f in reading.facts] == ["budget"]
    assert not reading.only_facts


# --- budget --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "money"),
    [
        ("budget approx 50k EUR/yr", Money(50_000, 50_000, "EUR", "year", True)),
        ("Our budget is $120k per year", Money(120_000, 120_000, "USD", "year")),
        ("Budget: €15,000 a month", Money(15_000, 15_000, "EUR", "month")),
        ("We could spend £2,000 a month on this", Money(2_000, 2_000, "GBP", "month")),
        ("budget around 1.5m USD annually", Money(1_500_000, 1_500_000, "USD", "year", True)),
        ("The budget is 30 000 EUR per annum", Money(30_000, 30_000, "EUR", "year")),
        ("annual budget of 50.000 euros", Money(50_000, 50_000, "EUR", "year")),
        ("They can afford roughly 8k dollars a quarter", Money(8_000, 8_000, "USD", "quarter", True)),
        ("budget 40-50k USD", Money(40_000, 40_000 + 10_000, "USD", None)),
        ("Budget is between $40k and $60k per year", Money(40_000, 60_000, "USD", "year")),
        ("Willing to pay 2m GBP", Money(2_000_000, 2_000_000, "GBP", None)),
        ("We'd spend 500 USD/month", Money(500, 500, "USD", "month")),
        ("Budget ~€1,2m/yr", Money(1_200_000, 1_200_000, "EUR", "year", True)),
        ("spend up to 10k a year", Money(10_000, 10_000, None, "year", True)),
    ],
)
def test_budget_amounts(text: str, money: Money) -> None:
    [fact] = read_facts(text).of("budget")
    assert fact.money == money
    assert fact.value == str(money)


def test_money_reads_as_a_sentence() -> None:
    assert str(Money(50_000, 50_000, "EUR", "year", approximate=True)) == "approx. 50,000 EUR per year"
    assert str(Money(40_000, 50_000, "USD", "month")) == "40,000–50,000 USD per month"
    assert str(Money(1_500.5, 1_500.5)) == "1,500.50"


@pytest.mark.parametrize(
    "text",
    [
        "we have no budget yet",
        "We don't have a budget for this",
        "Not budgeted this year",
        "There's no money for new tools",
        "Honestly we can't afford anything right now",
        "The budget is frozen until next year",
    ],
)
def test_no_budget_is_a_fact_stated_explicitly(text: str) -> None:
    [fact] = read_facts(text).of("budget")
    assert fact.stated_none and fact.value == NONE_STATED
    assert fact.money is None


@pytest.mark.parametrize(
    "text",
    [
        "what's your budget?",
        "What's your budget for this",  # a recogniser dropped the question mark
        "Do you have budget set aside?",
        "How much would you spend on this?",
        "It costs us about $5k a month in overtime",  # the pain's cost, not money to spend
        "We lost 20k customers last year",
        "We can't spend 50k on this",
        "Stay within budget",
        "It takes 6 weeks and 3 people",
    ],
)
def test_questions_and_look_alikes_are_not_a_budget(text: str) -> None:
    assert read_facts(text, speaker="interviewer").of("budget") == []
    assert read_facts(text, speaker="other").of("budget") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Budget: €15k, allocated for Q3", "15,000 EUR, allocated"),
        ("The budget isn't approved yet", "awaiting approval"),
        ("$30k budget, not approved yet", "30,000 USD, awaiting approval"),
        ("The COO owns the budget", "The COO owns the budget"),
        ("Budget comes from the ops line", "Budget comes from the ops line"),
    ],
)
def test_budget_without_or_with_a_status(text: str, value: str) -> None:
    assert values(text, "budget") == [value]


# --- decision-makers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("Decision-maker is VP Ops (Karen)", ["VP Ops (Karen)"]),
        ("the CFO signs off", ["the CFO"]),
        ("The CFO has to sign off on anything above 10k", ["The CFO"]),
        ("Karen (VP Ops) is the decision maker", ["Karen (VP Ops)"]),
        ("Maria Lopez (CFO) decides; IT security signs off", ["Maria Lopez (CFO)", "IT security"]),
        ("It's the CFO who decides", ["the CFO"]),
        ("I think our Head of Finance makes the call", ["our Head of Finance"]),
        ("Decision-maker: Karen and the CFO", ["Karen", "the CFO"]),
        ("Needs approval from procurement", ["procurement"]),
        ("Final say is with the board", ["the board"]),
        ("Maria and the CTO decide together", ["Maria", "the CTO"]),
    ],
)
def test_decision_makers(text: str, people: list[str]) -> None:
    assert values(text, "decision_makers") == people


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("Karen doesn't decide, the CFO does", ["the CFO"]),
        ("Karen does not decide; the CFO does", []),  # a new sentence: "the CFO does" alone says nothing
        ("Karen isn't the decision-maker, it's the CFO", ["the CFO"]),
        ("Not Karen but the CFO decides", ["the CFO"]),
        ("The decision-maker is not Karen, it's the CFO", ["the CFO"]),
        ("Karen won't sign off, but the CFO will", ["the CFO"]),
        ("I don't know who decides", []),
        ("Nobody decides yet", []),
        ("We need to meet the decision-maker", []),
    ],
)
def test_denied_decision_makers_are_not_facts(text: str, people: list[str]) -> None:
    assert values(text, "decision_makers", speaker="other") == people


def test_i_decide_is_the_person_interviewed_only_when_they_say_it() -> None:
    assert values("I decide on tools like this", "decision_makers", speaker="other") == [SELF_LABEL]
    assert values("I decide", "decision_makers", speaker="interviewer") == []
    assert values("Who decides on this?", "decision_makers", speaker="interviewer") == []
    assert values("Be the one who made the numbers trustworthy for the CFO", "decision_makers") == []


# --- timeline ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("wants pilot in Q1", ["pilot in Q1"]),
        ("by March", ["by March"]),
        ("within 6 weeks", ["within 6 weeks"]),
        ("We want to go live within six weeks", ["go live within six weeks"]),
        ("Need it in place before the end of the quarter", ["in place before the end of the quarter"]),
        ("Timeline: Q3 2026", ["Q3 2026"]),
        ("Maybe next quarter, once peak season is over", ["next quarter"]),
        ("They'd like to start a trial next month", ["trial next month"]),
        ("The contract renewal is in June", ["renewal is in June"]),
        ("Decision by end of year", ["Decision by end of year"]),
        ("Rollout ASAP", ["Rollout ASAP"]),
        ("No rush, not this year", ["No rush", "not this year"]),
    ],
)
def test_timelines(text: str, when: list[str]) -> None:
    assert values(text, "timeline", speaker="other") == when


@pytest.mark.parametrize(
    "text",
    [
        "Close the books in two days",
        "If we could close faster, in two days, that changes everything",
        "Orders in the TMS within minutes of arriving",
        "Last March we tried Acme",
        "We may pilot it",
        "In March we tried a pilot with Acme",
        "When would you want to start?",
        "Could you start in Q1?",
    ],
)
def test_durations_of_work_past_dates_and_questions_are_no_timeline(text: str) -> None:
    assert values(text, "timeline", speaker="other") == []


# --- alternatives --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("they use spreadsheets today", ["spreadsheets (used today)"]),
        ("evaluating Acme", ["Acme (evaluating)"]),
        ("Also looking at Acme and Globex as alternatives", ["Acme (evaluating)", "Globex (evaluating)"]),
        ("Alternatives: Excel, Acme", ["Excel (alternative)", "Acme (alternative)"]),
        ("Tried a BlackLine trial last year", ["BlackLine trial (tried)"]),
        ("We switched from Zendesk", ["Zendesk (switched away)"]),
        ("Everything currently runs on email, we rely on email for this", ["email (used today)"]),
        ("They might build it ourselves", ["build in-house"]),
    ],
)
def test_alternatives(text: str, found: list[str]) -> None:
    assert values(text, "alternatives", speaker="other") == found


@pytest.mark.parametrize(
    "text",
    [
        "We use Slack to talk",  # a tool they use, not one for this job
        "We're not evaluating anyone else",
        "We don't use spreadsheets anymore",
        "Looking at the numbers, it is bad",
        "What else have you looked at?",
        "We won't build it ourselves",
    ],
)
def test_no_alternative(text: str) -> None:
    assert values(text, "alternatives", speaker="other") == []


# --- questions and their answers -----------------------------------------------------------------------


def test_sentences_and_questions() -> None:
    assert sentences("Budget approx. 50k; CFO signs off.\nPilot in Q1 — maybe") == [
        "Budget approx 50k",
        "CFO signs off.",
        "Pilot in Q1",
        "maybe",
    ]
    assert is_question("what's your budget?") and is_question("Who decides on this")
    assert not is_question("What we need is a pilot by March")


def test_the_answer_to_a_question_is_read_as_that_fact() -> None:
    assert asked_about("What's your budget for this?") == {"budget"}
    assert asked_about("Who else would need to say yes, and by when?") == {"decision_makers", "timeline"}
    assert asked_about("The CFO signs off.") == set()

    budget = asked_about("How much could you spend on this?")
    assert values("About 50k a year.", "budget", speaker="other", asked=budget) == ["approx. 50,000 per year"]
    assert values("Nothing yet.", "budget", speaker="other", asked=budget) == [NONE_STATED]
    assert values("About 50k a year.", "budget", speaker="other") == []  # without the question: just a number
    assert values("About 50k a year.", "budget", speaker="interviewer", asked=budget) == []

    who = asked_about("Who decides on this?")
    assert values("Karen, our VP Ops.", "decision_makers", speaker="other", asked=who) == ["Karen, our VP Ops"]
    assert values("Not sure, to be honest.", "decision_makers", speaker="other", asked=who) == []
    when = asked_about("When would you want this?")
    assert values("Probably by the summer.", "timeline", speaker="other", asked=when) == ["by the summer"]
    alternatives = asked_about("What else have you looked at?")
    assert values("Mostly Acme.", "alternatives", speaker="other", asked=alternatives) == ["Acme"]
