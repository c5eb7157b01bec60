"""A challenge quotes the candidate and hints; the answer waits for the retry."""

from __future__ import annotations

from core.correctness.findings import Finding, FindingKind
from core.interview.challenges import arithmetic_hint, figure_parts, from_finding, reveal_text, stuck_on

SLIP = Finding(
    FindingKind.ARITHMETIC,
    quote="10 billion redirects a month works out to about 400 redirects per second.",
    explanation="By the candidate's own numbers this is about 3,900 per second, not 400 redirects per second.",
    said="400 redirects per second",
    right="about 3,900 per second",
)


def test_an_arithmetic_challenge_quotes_and_hints_without_the_result() -> None:
    challenge = from_finding(SLIP)
    text = challenge.text(0)
    assert text == (
        "You said “400 redirects per second”. Walk me through that arithmetic: how many seconds are there in a month?"
    )
    assert (
        challenge.meta()["reveal"] == "by your own numbers it's about 3,900 per second, not 400 redirects per second."
    )
    assert "3,900" in reveal_text(challenge.meta(), 0)


def test_hints_follow_what_the_sum_is_about() -> None:
    assert "bytes are there in a GB" in arithmetic_hint("6 billion links times 500 bytes is about 3 GB")
    assert "step by step" in arithmetic_hint("3 times 7 is 12")


def test_a_figure_challenge_points_at_what_was_told() -> None:
    finding = Finding(FindingKind.FIGURE, "about 1,000 links a day", "off", said="about 1,000 links a day",
                      right="100 million new links a month")  # fmt: skip
    assert figure_parts("100 million new links a month") == ("100 million", "new links a month")
    told = from_finding(finding, told=True).text(0)
    assert "what I told you about new links a month" in told and "100 million" not in told
    untold = from_finding(finding).text(0)
    assert "scale this problem assumes for new links a month" in untold


def test_stuck_means_the_same_mistake_again_or_no_idea() -> None:
    meta = from_finding(SLIP).meta()
    assert stuck_on("I don't know", set(), meta)
    assert stuck_on("I still think it's 400 a second", set(), meta)
    assert stuck_on("So 400 per second", {meta["key"]}, meta)
    assert not stuck_on("Oh, 10 billion over 2.6 million seconds is about 3,900 a second", set(), meta)
