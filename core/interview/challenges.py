"""Challenging a mistake as it is said: the candidate's own words and a hint first, the answer only when stuck.

A challenge that states the right figure at once turns the candidate's thinking into copying; one that
quotes what they said and points at where to look lets them find it. If they are stuck on the retry
("I don't know", or the same claim again), the interviewer gives the right answer and moves on. The
challenge's meta carries everything the retry needs (the stateless interviewer reads it back).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.content.text_signals import has_phrase, is_stuck, normalize, words
from core.correctness.findings import Finding, FindingKind

CHALLENGED_KINDS = (FindingKind.ARITHMETIC, FindingKind.FIGURE, FindingKind.MISCONCEPTION)
MAX_QUOTE_WORDS = 18
STILL = ("still think", "still get", "still say", "still believe", "still sure", "i think it's right",
         "i think that's right", "what's wrong", "whats wrong", "don't see", "dont see", "i stand by")  # fmt: skip

_PERIODS = ("year", "month", "week", "day", "hour", "minute")
_SIZES = re.compile(r"\b(?:bytes?|kb|mb|gb|tb|pb|kilobytes?|megabytes?|gigabytes?|terabytes?|petabytes?)\b")


@dataclass(frozen=True)
class Challenge:
    """One mistake to challenge: what the candidate said, a hint, and the answer kept for the retry."""

    key: str  # identifies the mistake; it is challenged at most once
    kind: FindingKind
    said: str  # the candidate's words, quoted back
    hint: str  # a question that points at the mistake without giving the answer
    reveal: str  # the right answer, said only when the candidate is stuck on the retry
    topic: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()  # what else the meta records (the problem's figure or misconception)

    def text(self, n: int) -> str:
        return (
            f"{('You said', 'Hold on — you said', 'Let me stop you there: you said')[n % 3]} “{self.said}”. {self.hint}"
        )

    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "kind": "pushback",
            "reason": "misconception" if self.kind is FindingKind.MISCONCEPTION else "numbers",
            "finding": self.kind.value,
            "key": self.key,
            "claim": self.said,
            "question": self.hint,
            "reveal": self.reveal,
        }
        if self.topic:
            meta["topic"] = self.topic
        meta.update(self.extra)
        return meta


def quote(text: str) -> str:
    """The candidate's words, short enough to quote back."""
    ws = text.strip().rstrip(".!?").split()
    return " ".join(ws) if len(ws) <= MAX_QUOTE_WORDS else " ".join(ws[:MAX_QUOTE_WORDS]) + "…"


def arithmetic_hint(said: str) -> str:
    """Where to look in a sum, without its result: the period conversion, the size units, or the steps."""
    t = normalize(said)
    periods = [p for p in _PERIODS if re.search(rf"\b{p}s?\b|\b{p}ly\b", t)]
    per_second = re.search(r"\b(?:per second|a second|/ ?s|qps|rps)\b", t)
    if periods and per_second:
        return f"Walk me through that arithmetic: how many seconds are there in a {periods[0]}?"
    if _SIZES.search(t):
        return "Walk me through that arithmetic and check the units: how many bytes are there in a GB, and in a TB?"
    return "Walk me through that arithmetic step by step: what do you multiply or divide at each step?"


_AMOUNT = re.compile(r"^(?:about |around |roughly )?[\d.,]+(?: (?:thousand|million|billion|trillion))?\s+")


def figure_parts(right: str) -> tuple[str, str]:
    """ "100 million new links a month" → ("100 million", "new links a month"): the amount and what it counts."""
    m = _AMOUNT.match(right.strip())
    if not m:
        return "", right.strip()
    return m.group(0).strip(), right.strip()[m.end() :]


def from_finding(
    finding: Finding,
    *,
    told: bool = False,
    hint: str | None = None,
    reveal: str | None = None,
    key: str | None = None,
    extra: tuple[tuple[str, Any], ...] = (),
) -> Challenge:
    """A challenge for a finding of the correctness reader (core.correctness.reader.check_statement).

    `told`: the candidate has heard the figure the finding compares with (the hint then points at what
    they were told). A misconception's own question and answer, when known, are passed as `hint` and
    `reveal`; otherwise the finding says what is right.
    """
    said = quote(finding.said or finding.quote)
    if hint is None:
        if finding.kind is FindingKind.ARITHMETIC:
            hint = arithmetic_hint(finding.quote or said)
        elif finding.kind is FindingKind.FIGURE:
            _, subject = figure_parts(finding.right or "")
            subject = subject or "that"
            hint = (
                f"Check it against what I told you about {subject}: does it match?"
                if told
                else f"That's far from the scale this problem assumes for {subject}. How did you get there?"
            )
        elif finding.explanation.rstrip().endswith("?"):
            hint = finding.explanation.strip()
        else:
            hint = "Are you sure that holds here? Think it through: what actually happens in that case?"
    if reveal is None:
        reveal = finding.explanation.strip()
        if finding.kind is FindingKind.FIGURE and finding.right:
            reveal = f"the problem works with about {finding.right}."
        elif finding.kind is FindingKind.ARITHMETIC and finding.right:
            reveal = f"by your own numbers it's {finding.right}, not {finding.said}."
    key = key or f"{finding.kind.value}:{' '.join(words(finding.right or finding.said or finding.quote))}"
    return Challenge(key, finding.kind, said, hint, reveal, finding.topic, extra)


def stuck_on(text: str, statement_keys: set[str], previous: dict[str, Any]) -> bool:
    """After a challenge: the candidate repeats the same mistake or says they still think it's right."""
    return previous.get("key") in statement_keys or is_stuck(text) or has_phrase(text, STILL)


def reveal_text(previous: dict[str, Any], n: int) -> str:
    lead = ("Let me help:", "Here's the answer:", "Let me give you this one:")[n % 3]
    follow = (
        "How does that change your numbers?"
        if previous.get("reason") == "numbers"
        else "How would you change that part of the design?"
    )
    return f"{lead} {previous['reveal'].rstrip()} {follow}"
