"""Phone numbers for text messages: made E.164 from the ways people type them, anything else refused clearly."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.notifications.phone_numbers import e164


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+44 7700 900123", "+447700900123"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("0039 347.123.4567", "+393471234567"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_the_usual_ways_of_typing_a_number_are_made_e164(typed: str, stored: str) -> None:
    assert e164(typed) == stored


@pytest.mark.parametrize("typed", ["07700 900123", "+0 7700 900123", "+44 77", "+44 7700 900123 ext 5", "call me"])
def test_a_number_without_its_country_code_or_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match=r"international form: a \+ then the country code"):
        e164(typed)
