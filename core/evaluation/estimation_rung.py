"""Which rung of the rubric's estimation ladder a candidate reached, read rung by rung.

Topic credit measures how well each size was worked out; graders read the descriptors as a ladder instead: a number
or two, then one size with arithmetic, then traffic, storage and bandwidth with the peak, then sizes that decide the
design. Correct arithmetic on one dimension, or sizes that drive nothing, stop below the top however well they are
worked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PEAK = re.compile(
    r"\b(?:peaks?|bursts?|spikes?|busiest|worst case|rush|\d+\s*(?:x|times) (?:the )?average|headroom"
    r"|in (?:\w+ )?(?:years?|months?)|growth|grows?|growing)\b",
    re.IGNORECASE,
)
"""Words that size the busiest moment or the growth, not only today's average."""
DECIDES = re.compile(
    r"\b(?:shards?|partitions?|nodes?|servers?|machines?|instances?|boxes|replicas?|brokers?|workers?|gateways?"
    r"|fits? (?:in|into|on)|(?:in|into) (?:memory|ram)|cache (?:size|the)|one (?:box|machine|node|instance|server)"
    r"|(?:is|are) enough|too (?:much|many|big) for|won't fit|does(?:n't| not) fit)\b",
    re.IGNORECASE,
)
"""What a size can decide: how many machines, whether something fits in memory, whether one node is enough."""


@dataclass(frozen=True)
class SizingEvidence:
    """What the candidate did to size the system, counted over the whole interview."""

    numbers: bool  # any figure of this system's size stated by the candidate
    worked: int  # dimensions (traffic, storage, bandwidth) sized with the working shown and not left wrong
    expected: int  # dimensions the problem asks to be sized
    peak: bool  # the busiest moment (or the growth) sized beside the average
    used: bool  # a size that then decides a part of the design
    unworked: tuple[str, ...] = ()  # names of the dimensions asked for, talked about, but not worked out


def sizing_note(e: SizingEvidence) -> str:
    """What kept the estimate off the next rung, in the report's words; empty at the top or with no numbers at all."""
    if not e.numbers or rung(e) == 5.0:
        return ""
    parts = []
    if e.unworked:
        parts.append(f"Not sized with working: {', '.join(e.unworked)}.")
    if not e.peak:
        parts.append("No peak or growth sized, only the average.")
    if e.worked and not e.used:
        parts.append("No size was used to decide a part of the design (how many machines, what fits in memory).")
    return " ".join(parts) + " " if parts else ""


def rung(e: SizingEvidence) -> float:
    """The rubric's levels 1-5 for estimation, with a half step for a rung half climbed."""
    if not e.numbers:
        return 1.0  # no numbers at all
    if not e.worked:
        return 2.0  # a number or two without showing where they come from
    complete = e.worked >= min(2, e.expected)  # the main dimensions: traffic and storage, bandwidth where it counts
    if complete and e.peak:
        return 5.0 if e.used else 4.0  # every dimension with the peak; then sizes that decide the design
    if complete or (e.worked >= 2 and e.peak):
        return 4.0 if e.used else 3.5  # a dimension or the peak short of level 4
    return 3.0  # one size with some arithmetic: "misses a dimension or the peak"
