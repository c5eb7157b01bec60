"""Which of the problem's facts answer the candidate's clarifying questions — each question on its own.

Matching the whole message at once lets the question with the most keyword hits crowd out the others
("how many links, what latency, custom aliases?" got only the first). Each question, and each part of
a question joined by "and …how/what…", is matched alone; a question no fact answers is reported, so
the reply can say it is the candidate's call instead of ignoring it.

A fact scores by its keywords in the question, the question's words in its answer ("how long is a seat
held while the fan pays" → "seats are held for 8 minutes while the fan pays"), and whether its answer
has the kind of quantity asked for ("how big" → bytes, "how long" → minutes or years).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.content.problems import Fact
from core.content.text_signals import content_words, has_phrase, normalize, sentences

MAX_FACTS_PER_PART = 2
MIN_OVERLAP = 2  # a fact none of whose keywords is asked needs this many of the question's words in its answer

_UNSPECIFIC = frozenset(
    {"many", "much", "long", "big", "large", "need", "needs", "get", "take", "one", "expect", "kind", "sort", "exactly"}
)
_ASKS = (  # what kind of quantity a question asks for, and how an answer states one
    (re.compile(r"\b(?:how big|how large|how much space|size)\b"), re.compile(r"\b(?:bytes?|kb|mb|gb|tb|pb)\b")),
    (
        re.compile(r"\bhow long\b"),
        re.compile(r"\b\d+\s*(?:ms|seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b(?!\s*(?:per|a|an)\b)"),
    ),
    (re.compile(r"\b(?:how fast|latency|how quickly)\b"), re.compile(r"\b\d+\s*(?:ms|milliseconds?)\b")),
)

_PARTS = re.compile(
    r"\s*;\s*|,\s*(?:and\s+|or\s+)?(?=(?:how|what|which|who|when|where|why|do|does|is|are|can|could|should|will"
    r"|would|any|also)\b)|\s+(?:and|or)\s+(?=(?:how|what|which|who|when|where|why|do|does|is|are|can|could"
    r"|should|will|would|also)\b)",
    re.IGNORECASE,
)


@dataclass
class Matched:
    """Facts that answer the questions (in the order asked, each once) and the questions none answers."""

    facts: list[int] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)


def _keyword_hits(text: str, fact: Fact) -> int:
    return sum(1 for keyword in fact.keywords if has_phrase(text, [keyword]))


def stem(word: str) -> str:
    """A crude stem, enough to see "opens", "opened" and "opening", or "message" and "messages", as one word."""
    for suffix in ("sses", "shes", "xes"):
        if word.endswith(suffix):
            return word[:-2]
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text) if w not in _UNSPECIFIC}


def _score(part: str, fact: Fact) -> int:
    """How well a fact answers one part of a question; 0: it does not."""
    hits = _keyword_hits(part, fact)
    asked_about = _stems(part)
    overlap = len(asked_about & _stems(fact.answer))
    if not hits and (not overlap or overlap < min(MIN_OVERLAP, len(asked_about))):
        return 0
    asked, answer = normalize(part), normalize(fact.answer)
    kind = sum(1 for question, stated in _ASKS if question.search(asked) and stated.search(answer))
    return hits + overlap + kind


def facts_for(question: str, facts: Sequence[Fact]) -> list[int]:
    """The facts that answer one question: per part, the best-scoring ones (at most two on a tie)."""
    found: list[int] = []
    for part in _PARTS.split(question):
        if not part or not part.strip():
            continue
        scores = [(score, i) for i, fact in enumerate(facts) if (score := _score(part, fact))]
        if not scores:
            continue
        best = max(h for h, _ in scores)
        for _, i in [s for s in scores if s[0] == best][:MAX_FACTS_PER_PART]:
            if i not in found:
                found.append(i)
    return found


def match_questions(questions: Sequence[str], facts: Sequence[Fact], text: str) -> Matched:
    """Facts for every question in a message. A question no fact answers counts as unanswered only
    when nothing but questions follows it: "what if the cache fails? we fall back…" answers itself."""
    matched = Matched()
    said = sentences(text)
    for question in questions:
        found = facts_for(question, facts)
        for i in found:
            if i not in matched.facts:
                matched.facts.append(i)
        if not found:
            after = said[said.index(question) + 1 :] if question in said else []
            if all(s in questions for s in after):
                matched.unanswered.append(question)
    return matched
