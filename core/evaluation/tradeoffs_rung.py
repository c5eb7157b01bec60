"""Which rung of the rubric's trade-offs ladder a candidate reached, read rung by rung.

Topic credit rewards comparison words wherever they fall ("but", "instead of"); graders read the descriptors as a
ladder instead: an alternative named, then alternatives compared for a decision or two, then the key decisions
weighed against this problem's requirements, then trade-offs tied to numbers throughout. One well-argued comparison
stays at level 3 however eloquent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WeighingEvidence:
    """How the candidate weighed the design's choices, counted over the whole interview."""

    alternatives: int  # sentences that name another option ("instead of", "rather than", "versus")
    compared: int  # decisions compared with a reason (the option and what it costs or buys)
    against_requirements: int  # comparisons made in terms of this problem's requirements (a quality or a figure)
    with_numbers: int  # comparisons that put a number on what is gained or lost


def rung(e: WeighingEvidence) -> float:
    """The rubric's levels 1-5 for trade-offs, with a half step for a rung half climbed."""
    if not e.alternatives and not e.compared:
        return 1.0  # presents choices as the only option
    if not e.compared:
        return 2.0  # mentions an alternative without comparing
    if e.compared < KEY_DECISIONS or not e.against_requirements:
        return 3.0 if e.compared < KEY_DECISIONS else 3.5  # one or two decisions compared
    if e.with_numbers >= 2 and e.against_requirements >= KEY_DECISIONS:
        return 5.0  # explicit throughout and tied to numbers
    return 4.5 if e.with_numbers else 4.0  # the key decisions weighed against the requirements


KEY_DECISIONS = 3
"""Decisions compared before trade-offs count as made throughout rather than once or twice."""
