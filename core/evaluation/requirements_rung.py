"""Which rung of the rubric's requirements ladder a candidate reached, read rung by rung.

Topic credit measures how broadly requirements were talked about; graders read the descriptors as a ladder
instead: features, then qualities with a question or two, then targeted questions with numbers and a stated
scope, then priorities. A rung is reached only with the ones below it, so a long list of generic qualities
("scalable, fast, secure") does not stand in for one quantified target, and many questions never played back
stop below the top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from core.content.text_signals import content_words

GENERIC_QUALITIES = frozenset(
    {
        "scalable", "scalability", "fast", "quickly", "reliable", "reliability", "secure", "security",
        "highly available", "available", "availability", "low latency", "latency", "real time", "realtime",
        "fault tolerant", "durable", "durability", "consistent", "consistency", "throughput", "response time",
    }
)  # fmt: skip
"""Quality words every system claims: named alone, without a number, they set no requirement."""
_ONLY_SIZE = re.compile(r"\b(?:how (?:many|big|large)|what(?:'s| is) the scale|what scale|how much traffic)\b", re.I)
_ASKS_A_TARGET = re.compile(r"\b(?:target|p9\d|how (?:fast|quick\w*|soon|fresh|long)|within|percent|nines)\b|%", re.I)
_ASKS_NOTHING_IN_PARTICULAR = frozenset(
    {
        "requirement", "requirements", "general", "generally", "want", "wants", "need", "needs", "anything", "else",
        "know", "clarify", "expect", "expected", "expectations", "looking", "scope", "details", "detail", "questions",
        "question", "what", "which", "should", "must", "does", "exactly", "overall", "functional", "non-functional",
        "system", "build", "building", "design", "designing", "here", "okay", "like",
    }
)  # fmt: skip
"""The words of "so what are the requirements?" or "anything else I should know?": asks the interviewer to do the
scoping instead of asking about this problem."""
LATE_QUESTION = 0.5
"""A question asked only once the design has begun scopes less: the design did not wait for its answer."""


@dataclass(frozen=True)
class ScopingEvidence:
    """What the candidate did to scope the problem, counted from the scoping part of the interview."""

    features: bool  # the core features stated (or restated) while scoping
    qualities_named: bool  # any quality named while scoping, generic ones included
    specific_qualities: int  # scoping sentences naming a quality beyond the generic adjectives
    quantified: int  # scoping sentences that put a number on a requirement
    targeted_questions: float  # questions about this problem's behaviour or targets (late ones count half)
    scope_drawn: bool  # something said to be out of scope, deferred or assumed
    ranked: bool  # one requirement put above the others (an assumption draws scope, it ranks nothing)
    skipped: bool = False  # answered the request to scope with a design
    only_size_asked: bool = False  # asked questions, every one of them "how many?"


def question_weight(question: str, names_behaviour: bool, names_quality: bool, early: bool) -> float:
    """A question about what this system does, or about a target, is targeted; "how many users?" alone
    asks little, and "what are the requirements?" nothing."""
    if set(content_words(question)) <= _ASKS_NOTHING_IN_PARTICULAR:
        return 0.0
    targeted = (names_behaviour and not _ONLY_SIZE.search(question)) or (
        names_quality and bool(_ASKS_A_TARGET.search(question))
    )
    weight = 1.0 if targeted else 0.5
    return weight if early else weight * LATE_QUESTION


def rung(e: ScopingEvidence) -> float:
    """The rubric's levels 1-5 for requirements, with a half step for a rung half climbed."""
    if e.skipped:  # "jumps straight into a solution": scoping done only once pushed back climbs a rung less
        return max(1.0, rung(replace(e, skipped=False)) - 1.0)
    questions = e.targeted_questions
    qualities = e.specific_qualities >= 1 or e.quantified >= 1
    numbers = e.quantified >= 1
    level = 1.0  # jumps straight into a solution
    if e.features or questions >= 0.5 or e.qualities_named:
        level = 2.0  # a feature or two, asks little
    volunteered = numbers and e.scope_drawn  # drives the scoping without needing to ask
    if e.features and qualities and (questions >= 1 or volunteered):
        level = 3.0  # main features and some qualities, with a question or two
    elif sum([e.features, qualities, questions >= 1]) >= 2 or questions >= 3:
        return 2.5
    if level < 3:
        return level
    if numbers and e.scope_drawn and (questions >= 2 or e.ranked) and not e.only_size_asked:
        # targeted questions, requirements with numbers and scope; then priorities and every key quality quantified
        return 4.0 + 0.5 * e.ranked + 0.5 * (e.quantified >= 2 and questions >= 2)
    if sum([numbers, e.scope_drawn, questions >= 2]) >= 2:
        return 3.5
    return level
