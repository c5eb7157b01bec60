"""Substance: how much of what the candidate said commits to something specific about this problem.

A strong answer can be short and plain ("one counter per key in Redis, INCR with a 60-second
TTL"); a weak one can be long and polished ("a scalable, highly available, cloud-native platform
with no single point of failure"). What separates them is not vocabulary but commitment: a
number, a named part of this problem, a field, an endpoint, a mechanism. A sentence that only
claims qualities, or promises the impossible (five nines, sub-millisecond, unlimited scale) without
saying how, is an empty claim, and so is a hard problem waved away ("a non-issue", "effectively
free"); a transcript full of them is shallow however long it is. Hedged sentences ("maybe a
database?", "I'm not sure how") commit to nothing either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.content.problems import Problem
from core.content.text_signals import find_phrases, hedges, quantities, sentences

_QUALITY_CLAIMS = re.compile(
    r"\b(?:scalable|massively|highly available|high availability|reliable|robust|seamless(?:ly)?|world class"
    r"|low latency|ultra low|real time everything|elastic(?:ally)?|cloud native|best practices?|state of the art"
    r"|industry standard|enterprise grade|enterprise scale|at scale|future proof|modern|flexible|resilient"
    r"|performant|efficient|leverage|ecosystem|huge|a lot of|tons of|lots of|all the things|everything"
    r"|no single point of failure|battle tested|proven|industry|hyperscale|web scale|bulletproof|blazing"
    r"|unlimited|infinite(?:ly)?|zero downtime|never (?:go(?:es)? down|fails?|loses?)|five nines|sub millisecond"
    r"|the backbone|non negotiable|game changer|magic)\b",
    re.IGNORECASE,
)
_DISMISSALS = re.compile(
    r"\b(?:(?:is|it's|that's|are|it is|that is) (?:\w+ )?(?:trivial|a non ?issue|a non ?problem|not (?:really )?a "
    r"(?:concern|problem|issue))|(?:effectively|basically|essentially|practically|totally) (?:free|instant|unlimited"
    r"|infinite|trivial)|for free|just works|no downside|never (?:a|an) (?:concern|issue|problem)"
    r"|(?:handles?|takes care of) (?:all of )?(?:that|it|everything) for (?:us|me|free)|old ?school"
    r"|nobody (?:does|ships|uses) \w+ anymore"
    r"|(?:we|you) (?:don't|do not|never) (?:need|have) to (?:worry|think|choose)|(?:isn't|is not|aren't) (?:really )?"
    r"(?:a )?(?:real )?(?:constraint|concern|problem|issue)(?: anymore)?|magic|just (?:autoscale|scale it|add more))\b",
    re.IGNORECASE,
)
"""A hard problem waved away: "it's a non-issue", "effectively free", "Kubernetes handles that for us"."""
_IDENTIFIER = re.compile(
    r"\b[a-z]+_[a-z_]+\b|\b(?:GET|POST|PUT|DELETE|PATCH)\b|(?<!\w)/[a-z{:][\w/{}:.-]*|\b[a-z]+[A-Z]\w+|\b[A-Z]{3,}\b"
)


@dataclass(frozen=True)
class Substance:
    sentences: int
    specific: int  # sentences that commit to a number, a part of this problem, a field or an endpoint
    empty: int  # sentences that claim qualities without anything specific, or wave a hard problem away
    hedged: int = 0  # sentences that do not commit ("maybe a database?", "I'm not sure how")

    @property
    def empty_share(self) -> float:
        return self.empty / self.sentences if self.sentences else 0.0

    @property
    def uncommitted_share(self) -> float:
        """Empty and hedged sentences together: what the candidate said without standing behind it."""
        return (self.empty + self.hedged) / self.sentences if self.sentences else 0.0

    @property
    def specific_share(self) -> float:
        return self.specific / self.sentences if self.sentences else 0.0


def problem_terms(problem: Problem | None) -> list[str]:
    """The words that name parts of this problem: its vocabulary, components and own topics."""
    if problem is None:
        return []
    return [*problem.vocabulary, *problem.components, *(p for t in problem.extra_topics.values() for p in t.phrases)]


def substance(texts: Sequence[str], problem: Problem | None) -> Substance:
    """Count specific and empty sentences over the candidate's answers."""
    terms = problem_terms(problem)
    total = specific = empty = hedged = 0
    for text in texts:
        for s in sentences(text):
            total += 1
            plain = s.replace("-", " ")
            concrete = bool(quantities(s) or _IDENTIFIER.search(s) or (terms and find_phrases(s, terms)))
            if hedges(s) and not concrete:
                hedged += 1  # "maybe a database?"; "I think, um, 200 ms at p99" still commits to the figure
                continue
            if _DISMISSALS.search(plain):
                empty += 1  # however specific the rest of the sentence
            elif concrete:
                specific += 1
            elif _QUALITY_CLAIMS.search(plain):
                empty += 1
    return Substance(total, specific, empty, hedged)
