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
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
RUN_ON_WORDS = 30
"""A line this long without a full stop is speech as a recogniser wrote it (as core.content.text_signals reads it)."""
_SCALED_DIGITS = re.compile(r"(\d[\d,.]*)\s+(thousand|million|billion|trillion)\b", re.IGNORECASE)
"""Digits with a scale word ("1.5 billion") are a number already: text2num would write the word out beside them."""
_MARK = "xkeptx"
_SCALE_WORDS = {
    "1,000": "thousand",
    "1,000,000": "million",
    "1,000,000,000": "billion",
    "1,000,000,000,000": "trillion",
}
_SPLIT_DECIMAL = re.compile(r"(\d+\.\d+) (1,000(?:,000){0,3})(?![\d,])")
"""text2num reads "eight point six million" as "8.6 1000000": the scale is put back as a word."""
_LONG = re.compile(r"(?<![\d.,])\d{4,}(?![\d.,]*\d)")


def with_digits(text: str) -> str:
    """The text with its numbers in words written as digits. Only speech is rewritten: text holding a digit was typed
    (or written by a recogniser that writes digits), and is returned as it is, so quotes from it stay word for word,
    unless it reads as a recogniser's run-on line, which writes "115" beside "twenty eight gigabytes"."""
    if not _NUMBER_WORD.search(text) or (_DIGIT.search(text) and not _run_on(text)):
        return text
    kept = _SCALED_DIGITS.sub(lambda m: f"{m.group(1)} {_MARK}{m.group(2)}", _NINES.sub(_KEPT, text))
    digits = alpha2digit(kept, "en")
    digits = _LONG.sub(lambda m: f"{int(m.group(0)):,}", digits)
    digits = _SPLIT_DECIMAL.sub(lambda m: f"{m.group(1)} {_SCALE_WORDS[m.group(2)]}", digits)
    return digits.replace(_KEPT, "nines").replace(_MARK, "")


def _run_on(text: str) -> bool:
    return not _SENTENCE_END.search(text) and len(text.split()) >= RUN_ON_WORDS
