"""The trade-offs ladder is climbed rung by rung: an alternative named, then a decision or two compared, then the
key decisions weighed against this problem's requirements, then trade-offs tied to numbers throughout."""

from __future__ import annotations

from core.content.problems import ProblemBank
from core.content.rubrics import Rubric
from core.evaluation.tradeoffs_rung import WeighingEvidence, rung
from tests.unit.evaluation.shortener_interview import score_of

NONE = WeighingEvidence(alternatives=0, compared=0, against_requirements=0, with_numbers=0)


def weighed(**counts: int) -> WeighingEvidence:
    return WeighingEvidence(**{**NONE.__dict__, **counts})


def test_each_rung_needs_the_ones_below_it() -> None:
    assert rung(NONE) == 1.0
    assert rung(weighed(alternatives=4)) == 2.0  # mentions alternatives without comparing
    assert rung(weighed(alternatives=2, compared=2, against_requirements=2, with_numbers=2)) == 3.0  # one or two
    assert rung(weighed(alternatives=3, compared=3)) == 3.5
    assert rung(weighed(alternatives=3, compared=3, against_requirements=1)) == 4.0
    assert rung(weighed(alternatives=3, compared=3, against_requirements=3, with_numbers=2)) == 5.0


ONE_COMPARISON = (
    "The API takes a long URL and returns a seven-character code, and a redirect looks the code up and answers. "
    "I'd use random codes rather than a counter, because a counter makes the codes guessable and needs coordination; "
    "the downside is a collision check on every write, but at 40 writes a second that costs us almost nothing, "
    "whereas a counter's coordination would cost us on every write. "
    "Links live in a key-value table keyed by code, with a cache in front for hot links."
)
THROUGHOUT = (
    "The API takes a long URL and returns a seven-character code, and a redirect looks the code up and answers. "
    "Random codes rather than a counter, because at 40 writes a second a collision retry is cheap and codes stay "
    "unguessable. "
    "A 302 instead of a 301, because the 99.99% redirect path must still count clicks, at the cost of every click "
    "reaching us. "
    "Replicate across regions asynchronously rather than synchronously, because redirects need under 100 ms at p99 "
    "and a link that appears a second late in another region costs nothing."
)


def tradeoffs(bank: ProblemBank, rubric: Rubric, design: str) -> float:
    return score_of(bank, rubric, "tradeoffs", ("Walk me through the design and its main decisions.", design))


def test_one_argued_comparison_is_not_trade_offs_made_throughout(bank: ProblemBank, rubric: Rubric) -> None:
    """Level 3 "compares alternatives for one or two decisions" against level 5, tied to the requirements' numbers."""
    once, throughout = tradeoffs(bank, rubric, ONE_COMPARISON), tradeoffs(bank, rubric, THROUGHOUT)
    assert once <= 3.5
    assert throughout >= 4.0  # the key decisions weighed against the requirements, with their numbers
    assert throughout - once >= 1.0


COSTS_SAID = (
    "The API takes a long URL and returns a seven-character code, and a redirect looks the code up and answers. "
    "Random codes over a counter: a counter is simpler, but its codes can be guessed one after another. "
    "A 302 rather than a 301: a 301 saves us load, but repeat clicks never come back to be counted. "
    "Unlike a synchronous copy, an asynchronous one adds nothing to a write, and a new link may be missing in "
    "another region for a second. "
    "Accepting a second of staleness in return for writes at local speed is the trade I'd make."
)
ONLY_NAMED = (
    "The API takes a long URL and returns a seven-character code, and a redirect looks the code up and answers. "
    "We could use random codes or a counter. "
    "A 302 rather than a 301. "
    "Asynchronous replication instead of synchronous replication. "
    "I'd pick the first one in each case."
)


def test_a_comparison_that_says_what_each_side_costs_is_a_comparison_without_because(
    bank: ProblemBank, rubric: Rubric
) -> None:
    """Level 3 and up is alternatives compared: what a side costs or buys ("saves us load, but repeat clicks never
    come back") compares them as surely as a "because" does; naming the options alone stays at level 2."""
    said, named = tradeoffs(bank, rubric, COSTS_SAID), tradeoffs(bank, rubric, ONLY_NAMED)
    assert said >= 3.0
    assert said - named >= 0.5
