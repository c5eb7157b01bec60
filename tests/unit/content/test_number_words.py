"""Numbers said in words are written as digits, so a spoken transcript's figures are read like typed ones."""

from __future__ import annotations

import pytest

from core.content.number_words import with_digits
from core.correctness.arithmetic import arithmetic_slips
from core.correctness.conversation import clean


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("eight billion a day over eighty six thousand seconds", "8,000,000,000 a day over 86,000 seconds"),
        ("about two point four terabytes a day", "about 2.4 terabytes a day"),
        ("p ninety nine under three hundred milliseconds", "p 99 under 300 milliseconds"),
        ("four nines on the redirect path", "4 nines on the redirect path"),  # an availability, not "4 9"
        ("Five years is 60 months", "Five years is 60 months"),  # typed: left word for word
        ("one or two questions first", "one or two questions first"),  # small numbers alone stay words
        ("no numbers here at all", "no numbers here at all"),
    ],
)
def test_numbers_said_in_words_are_written_as_digits(said: str, written: str) -> None:
    assert with_digits(said) == written


def test_a_spoken_sum_is_checked_like_a_typed_one() -> None:
    said = "so um eight billion a day over eighty six thousand four hundred seconds is about {} a second"
    right, wrong = said.format("ninety three thousand"), said.format("nine thousand")
    assert arithmetic_slips(clean(right)) == []
    [slip] = arithmetic_slips(clean(wrong))
    assert slip.said == "9,000 a second" and "93,000" in (slip.right or "")


def test_a_recognisers_run_on_line_is_rewritten_even_beside_digits() -> None:
    """Recognisers write "115" and "twenty eight gigabytes" in one line; read as it is, "twenty eight" is "eight"."""
    said = (
        "okay um so ten million a day over eighty six thousand four hundred seconds is about 115 a second and "
        "two point eight kb times ten million is twenty eight gigabytes a day and 1.5 billion reads"
    )
    written = with_digits(said)
    assert "86,400 seconds is about 115 a second" in written
    assert "2.8 kb times 10,000,000 is 28 gigabytes a day" in written
    assert written.endswith("1.5 billion reads")  # digits with a scale word are a number already
    assert with_digits("we need like eight point six million of those per day in the busiest region at peak time") == (
        "we need like 8.6 million of those per day in the busiest region at peak time"
    )
    typed = "We keep 3 copies. That's about ten million links, so twenty eight shards are plenty for a few years."
    assert with_digits(typed) == typed  # punctuated and typed: quotes stay word for word
