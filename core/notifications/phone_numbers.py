"""Phone numbers as text messages need them: E.164, a "+", the country code and the number, digits only.

People type numbers with spaces, dashes, dots and brackets; those are dropped. Anything else (letters, no
"+", too short or too long) is refused with a sentence that shows the form wanted.
"""

from __future__ import annotations

import re

from core.errors import InvalidInput

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_SEPARATORS = re.compile(r"[\s\-.()/]")


def e164(value: str) -> str:
    """'+44 7700 900123' -> '+447700900123'; "" for nothing typed. Raises InvalidInput for anything else."""
    number = _SEPARATORS.sub("", value or "")
    if not number:
        return ""
    if number.startswith("00"):
        number = "+" + number[2:]
    if not _E164.match(number):
        raise InvalidInput(
            "The phone number must be in international form: a + then the country code and the number, "
            "8 to 15 digits, e.g. +44 7700 900123 or +1 415 555 0100."
        )
    return number
