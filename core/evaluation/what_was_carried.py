"""Communication weighed by what the answers carried, not only by how they were delivered.

Delivery (length, fillers, signposts, a summary) is half the story: a clear, well-paced answer about
another product, a dodged figure or an empty claim tells the interviewer little. So communication is
blended with the substance the other competencies found in the same answers.
"""

from __future__ import annotations

from dataclasses import replace

from core.models import CompetencyScore

CARRIED_SHARE = 0.5
"""How much of communication is what the answers carried (the plain mean of the other competencies: the
rubric's weights decide the overall, not what an answer carried)."""


def weigh_what_was_carried(scores: list[CompetencyScore], delivery: tuple[str, ...]) -> list[CompetencyScore]:
    """The scores with each delivery competency moved towards the substance of the rest."""
    content = {s.key: s.score for s in scores if s.score is not None and s.key not in delivery}
    if not content:
        return scores
    carried = sum(content.values()) / len(content)
    out = []
    for s in scores:
        if s.key not in delivery or s.score is None:
            out.append(s)
            continue
        score = round((1 - CARRIED_SHARE) * s.score + CARRIED_SHARE * carried, 1)
        why = (
            f"{1 - CARRIED_SHARE:.0%} of this score is delivery ({s.score:.1f}/5), {CARRIED_SHARE:.0%} what the "
            f"answers carried ({carried:.1f}/5 across the other competencies). "
        )
        out.append(replace(s, score=score, rationale=why + s.rationale))
    return out
