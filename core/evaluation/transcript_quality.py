"""The transcript-quality gate: is there enough readable candidate text to judge at all?

Scoring a handful of words, or a recogniser's garble, produces confident-looking numbers that
mean nothing. The evaluators ask this gate first; when it says no, the evaluation says "not
enough to judge" and why, instead of inventing minimum scores.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from core.models import Utterance

MIN_CANDIDATE_WORDS = 40
"""Fewer words than this from the candidate cannot show any competency."""
MAX_GARBLED_SHARE = 0.35
"""Above this share of unreadable or stuttered-repeat tokens the text is noise, not answers."""
MAX_FRAGMENT_SHARE = 0.6
"""Above this share of 1–3 word lines (with enough lines to tell) the answers are broken fragments."""
MIN_LINES_FOR_FRAGMENTS = 5
FRAGMENT_WORDS = 3

_TOKEN = re.compile(r"[A-Za-z][A-Za-z']*")
_VOWELS = set("aeiouy")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{6,}")
_SAME_LETTER_RUN = re.compile(r"([a-z])\1\1")
_NOISES = frozenset({"hmm", "mm", "mhm", "hm", "shh", "psst", "brr", "tsk", "nth"})


@dataclass(frozen=True)
class TranscriptQuality:
    judgeable: bool
    reason: str  # why not, in a sentence fit for the report; "" when judgeable
    candidate_words: int
    candidate_lines: int
    garbled_share: float  # unreadable or immediately repeated tokens / all tokens
    fragment_share: float  # lines of at most FRAGMENT_WORDS words / all lines

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def assess(candidate: list[Utterance]) -> TranscriptQuality:
    """Judge only the candidate's own lines (the interviewer's text proves nothing about them)."""
    lines = [u.text for u in candidate if u.text.strip()]
    tokens_per_line = [_TOKEN.findall(text) for text in lines]
    tokens = [t for line in tokens_per_line for t in line]
    words_total = len(tokens)
    bad = sum(_garbled_flags(line).count(True) for line in tokens_per_line)
    garbled = round(bad / words_total, 2) if words_total else 0.0
    short = sum(1 for line in tokens_per_line if len(line) <= FRAGMENT_WORDS)
    fragments = round(short / len(lines), 2) if lines else 0.0

    reason = ""
    if words_total < MIN_CANDIDATE_WORDS:
        reason = (
            f"Not enough to judge: the candidate said only {words_total} word(s) (at least {MIN_CANDIDATE_WORDS} "
            "are needed), so no competency is scored."
        )
    elif garbled > MAX_GARBLED_SHARE:
        reason = (
            f"Not enough to judge: {garbled:.0%} of the candidate's words are unreadable or stuttered repeats, "
            "which usually means the recording or transcription failed; no competency is scored."
        )
    elif len(lines) >= MIN_LINES_FOR_FRAGMENTS and fragments > MAX_FRAGMENT_SHARE:
        reason = (
            f"Not enough to judge: {fragments:.0%} of the candidate's lines are fragments of at most "
            f"{FRAGMENT_WORDS} words, so the transcript is too broken to follow; no competency is scored."
        )
    return TranscriptQuality(not reason, reason, words_total, len(lines), garbled, fragments)


def _garbled_flags(tokens: list[str]) -> list[bool]:
    """Per token: unreadable (no vowel, impossible letter runs) or a stutter of the previous word(s)."""
    flags = []
    lowered = [t.lower() for t in tokens]
    for i, (token, low) in enumerate(zip(tokens, lowered, strict=True)):
        repeat = i >= 1 and low == lowered[i - 1]
        repeat = repeat or (i >= 3 and lowered[i - 1 : i + 1] == lowered[i - 3 : i - 1])
        flags.append(repeat or _unreadable(token, low))
    return flags


def _unreadable(token: str, low: str) -> bool:
    if len(token) < 2 or low in _NOISES:
        return False
    if token.isupper():  # an acronym: QPS, CDN, TTL
        return False
    word = low.replace("'", "")
    return not (_VOWELS & set(word)) or bool(_CONSONANT_RUN.search(word) or _SAME_LETTER_RUN.search(word))
