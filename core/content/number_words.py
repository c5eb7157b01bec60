"""Numbers said in words, written as digits: a recogniser writes "eight billion a day over eighty six thousand four
hundred seconds", and the figures in it must be read, checked and quoted like typed ones.

text2num does the reading. Small numbers said alone ("one or two questions") stay words, as it leaves them; "five
nines" stays an availability; long results get thousands separators so quotes stay readable.
"""

from __future__ import annotations

import re

from text_to_num import alpha2digit

_NUMBER_WORD = re.compile(
    r"\b(?:three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen"
    r"|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion"
    r"|trillion|point)\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_NINES = re.compile(r"\bnines\b", re.IGNORECASE)
_KEPT = "xninesx"  # a word text2num does not read as a number, put back afterwards
_LONG = re.compile(r"(?<![\d.,])\d{4,}(?![\d.,]*\d)")


def with_digits(text: str) -> str:
    """The text with its numbers in words written as digits. Only speech is rewritten: text holding a digit was typed
    (or written by a recogniser that writes digits), and is returned as it is, so quotes from it stay word for word."""
    if _DIGIT.search(text) or not _NUMBER_WORD.search(text):
        return text
    digits = alpha2digit(_NINES.sub(_KEPT, text), "en")
    return _LONG.sub(lambda m: f"{int(m.group(0)):,}", digits).replace(_KEPT, "nines")
