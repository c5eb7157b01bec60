"""The candidate's figures against the interview's facts, compared only with a fact of the same kind.

"400 redirects per second" is wrong when the facts say about 4,000 per second; "Redis starts to
struggle at around 200k per second" is a per-node capacity and says nothing about total traffic,
so it is never compared with it. Kinds come from the counted noun and its period (a rate, a count
of users, of links…) and from the clause: a number said of one machine or one technology, with a
capacity verb, is a capacity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from core.content.text_signals import NumericClaim, figure_distances, numeric_claims, sentences
from core.correctness.findings import Finding, FindingKind

FIGURE_RATIO = 8.0
"""A figure this many times away from every fact of its kind — about an order of magnitude —
contradicts the facts; a factor of a few is an assumption (a peak, a growth margin), not a mistake."""
_NEAR = math.log10(1.5)
NOT_COUNTED = frozenset(
    {"time", "byte", "kb", "mb", "gb", "tb", "pb", "bit", "x", "percent", "ms", "metre", "meter", "kilometre",
     "kilometer", "km", "mile", "foot", "feet"}
)  # fmt: skip
"""Heads that measure rather than count: a size, a duration or a distance (a cell's width, the GPS error) is no
"thing" to compare by kind."""

_CAPACITY_VERBS = re.compile(
    r"\b(?:handles?|handling|struggle[sd]?|struggling|tops? out|max(?:es)? out|maxed out|can do|can take|can serve"
    r"|can handle|sustains?|saturates?|saturating|capacity|limit|ceiling|comfortably|chokes?|falls? over|keeps? up"
    r"|good for|rated (?:at|for)|benchmarks?|does about|do about|takes about|up to|at most)\b"
)
_ONE_MACHINE = re.compile(
    r"\b(?:redis|memcached|postgres(?:ql)?|mysql|kafka|cassandra|dynamodb|mongo(?:db)?|elasticsearch|nginx|haproxy"
    r"|broker|partition|shard|node|server|instance|machine|box|host|replica|core|worker|pod|database|db|cache)s?\b"
)


def is_capacity(clause: str) -> bool:
    """Whether a number's clause states what one machine or technology can take, not the system's load."""
    t = clause.lower()
    return bool(_CAPACITY_VERBS.search(t) and _ONE_MACHINE.search(t))


_HYPOTHETICAL = re.compile(r"\b(?:\d+\s?x|ten times|10 times|grows?|grew|growth|double[sd]?|triple[sd]?)\b")
_ENTITIES = (
    r"(?:host|user|server|node|shard|machine|instance|partition|region|site|domain|account|customer|driver|device"
    r"|key|tenant|creator|celebrity|group|conversation|room|request|order|post|page|message|query)s?\b"
)
_PER_ENTITY = re.compile(r"\b(?:per|each|every) " + _ENTITIES)
"""Anywhere in the sentence: "1 req/s is 86k pages a day per host" is about one host."""
_EACH_DOING = re.compile(
    _ENTITIES + r" (?:doing|making|sending|running|opening|posting|watching|reading|writing|averaging|generating)"
    r"(?: about| around| roughly| maybe)? $"
)
"""What each of many does: "100 million daily users doing 10 searches a day" counts one user's searches."""
_ONE_ENTITY = re.compile(r"\b(?:a single|one) " + _ENTITIES)
"""Only in the number's own clause: "40 a second, so one server will do" is still about the system."""
_A_PART = re.compile(r"\b(?:busiest|largest|biggest|hottest|smallest|most popular|top \d[\d,.]*\w*)\b")
"""Anywhere in the sentence: "the busiest city has 100,000 drivers, so 25,000 updates a second" counts one part."""
_HELD_BY_ONE = re.compile(
    r"\b(?:set|channel|group|room|city|region|batch|shard|partition|table|list|conversation|venue|tenant|account|event"
    r"|page|file|segment|job)s? (?:with|of|holding|containing|that has|that have)(?: about| around| up to| roughly)? $"
)
"""Just before the number: "channels with 100,000 members", "a training set with 300 features" count what one holds."""
_WHOLE = re.compile(
    r"\b(?:assum\w*|we have|we've got|we'll have|there are|there's|in total|total|in all|overall|altogether)\b",
    re.IGNORECASE,
)
"""A count said as the whole: "I'll assume about 1 million users", "we have 20,000 products in total"."""
_QUOTING = re.compile(r"\byou(?:'ve| have)? (?:said|mentioned|got|estimated|assumed)\b|[“”\"]", re.IGNORECASE)


def facts_of(statements: Sequence[str]) -> list[NumericClaim]:
    """The figures the interviewer stated: the interview's facts, which the candidate is held to.

    Questions and quotes of the candidate ("How did you get the 1,700 reads per second?") are
    not facts.
    """
    facts = []
    for statement in statements:
        for s in sentences(statement):
            if s.rstrip().endswith("?") or _QUOTING.search(s):
                continue
            facts += [c for c in numeric_claims(s) if c.head not in NOT_COUNTED]
    return facts


_ASSUMES = re.compile(
    r"\b(?:assum\w*|i'll treat|i will treat|i'd treat|treat (?:it|that|this|them|\S+) as|read (?:it|that) as)\b"
)


def _counts_a_part(claim: NumericClaim, clause: str, sentence: str, facts: Sequence[NumericClaim]) -> bool:
    """A figure that counts a part, not the whole the facts state: what one container holds ("channels with 100,000
    members"), a number inside a name ("the clicks-in-5-minutes feature"), or a share of a stated figure worked out
    ("the 0.1% mismatch, 10,000 payments a day")."""
    at = clause.find(claim.text)
    before = clause[:at].lower() if at >= 0 else ""
    after = clause[at + len(claim.text) :] if at >= 0 else ""
    if _HELD_BY_ONE.search(before) or _EACH_DOING.search(before) or before.endswith("-") or after.startswith("-"):
        return True
    shares = [float(m.group(1)) / 100 for m in re.finditer(r"(\d+(?:\.\d+)?)\s?%", sentence) if float(m.group(1))]
    same = [f for f in facts if f.head == claim.head]
    return any(
        off < _NEAR
        for share in shares
        for off, _ in figure_distances(
            NumericClaim(claim.value / share, claim.head, claim.qualifiers, claim.period), same
        )
    )


def _rereads_a_fact(sentence: str, facts: Sequence[NumericClaim]) -> set[str]:
    """The heads of facts a sentence quotes and then reads another way on purpose ("100 bookings a second sustained
    would be 8.6 million a day, more than our users, so I'll treat 100 as the peak and assume 1 million a day"):
    a reasoned assumption against a figure the candidate has just used is a judgement, not a slip."""
    if not _ASSUMES.search(sentence.lower()):
        return set()
    quoted = set()
    for claim in numeric_claims(sentence):
        same = [f for f in facts if f.head == claim.head]
        if any(off < _NEAR for off, _ in figure_distances(claim, same)):
            quoted.add(claim.head)
    return quoted


def figure_slips(
    text: str, facts: Sequence[NumericClaim], *, ratio: float = FIGURE_RATIO, competency: str = "estimation"
) -> list[Finding]:
    """Each whole-system figure in text that is `ratio` times or more away from every fact of its kind."""
    if not facts:
        return []
    findings: list[Finding] = []
    scaled = False  # "At ten times: … 200k redirects a second": the rest of the answer is about the scaled system
    for sentence in sentences(text):
        scaled = scaled or bool(_HYPOTHETICAL.search(sentence.lower()))
        if scaled or _PER_ENTITY.search(sentence.lower()) or _A_PART.search(sentence.lower()):
            continue  # "at 10x, 200,000 a second"; "1 req/s is 86k pages a day per host"; "the busiest city has…"
        reread = _rereads_a_fact(sentence, facts)
        for clause in re.split(r"[;,]\s+|\s+(?:but|while|whereas|so)\s+", sentence):
            if is_capacity(clause) or _ONE_ENTITY.search(clause.lower()):
                continue
            for claim in numeric_claims(clause):
                if claim.head in NOT_COUNTED or claim.head in reread or _counts_a_part(claim, clause, sentence, facts):
                    continue
                same = [f for f in facts if f.head == claim.head]  # a generic "requests" is not "redirects"
                options = figure_distances(claim, same)
                if not options:
                    continue
                best = min(off for off, _ in options)
                if best < math.log10(ratio):
                    continue
                # of facts about as close (one fact is often stated per month and per second), quote the one
                # in the candidate's own period
                near = [i for off, i in options if off <= best + _NEAR]
                fact = same[next((i for i in near if same[i].period == claim.period), near[0])]
                if (
                    claim.period is None
                    and fact.period is None
                    and claim.value < fact.value
                    and not _WHOLE.search(clause)
                ):
                    continue  # fewer than the whole, not said as the whole: a part ("the 5 million sellable products")
                right = fact.text or f"{fact.value:,.0f}"
                findings.append(
                    Finding(
                        kind=FindingKind.FIGURE,
                        quote=" ".join(sentence.split()),
                        explanation=f"“{claim.text}” is {10**best:.0f}x away from the stated figure of {right}.",
                        said=claim.text,
                        right=right,
                        competency=competency,
                    )
                )
    return findings
