"""How far judgements of one interview agree: the LLM's samples among themselves, and with the offline reader.

One answer from a model is one draw: asked again it may score a competency a point higher. So the LLM
evaluator asks several times and keeps the median per competency; the spread (highest minus lowest)
says how steady that judgement was, lowers its confidence, and is shown beside the score. The offline
reader's scores for the same transcript are a second opinion: a large gap goes to the reviewer as a note.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.models import Evaluation

LLM_SAMPLES = "llm_samples"
"""The key in Evaluation.communication under which the samples' record is kept (SampleRecord.to_dict)."""

DISAGREEMENT_GAP = 1.5
"""An LLM median this far (or further) from the offline reader's score is flagged to the reviewer."""

SPREAD_PENALTY = 0.2
"""Confidence lost per point of spread between samples: spread 1 keeps 80% of it, spread 3 keeps 40%."""


@dataclass(frozen=True)
class SampleRecord:
    """What the samples were: how many were asked and usable, each competency's scores, the offline scores."""

    requested: int
    scores: dict[str, list[float]]  # competency key -> the usable samples' scores, in the order asked
    offline: dict[str, float]  # competency key -> the offline reader's score (competencies it scored)

    @property
    def used(self) -> int:
        return max((len(values) for values in self.scores.values()), default=0)

    def median(self, key: str) -> float:
        return round(statistics.median(self.scores[key]), 1)

    def spread(self, key: str) -> float:
        values = self.scores[key]
        return round(max(values) - min(values), 1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for Evaluation.communication[LLM_SAMPLES]."""
        return {
            "requested": self.requested,
            "used": self.used,
            "scores": self.scores,
            "spread": {key: self.spread(key) for key in self.scores},
            "offline": self.offline,
        }


def steadied(confidence: float, spread: float) -> float:
    """The model's own confidence, lowered as its samples disagree."""
    return round(max(0.0, confidence * (1 - SPREAD_PENALTY * spread)), 2)


def disagreements(
    llm: Mapping[str, float], offline: Mapping[str, float], names: Mapping[str, str], *, gap: float = DISAGREEMENT_GAP
) -> list[str]:
    """A note for each competency where the LLM and the offline reader are `gap` or more apart."""
    notes = []
    for key, name in names.items():
        if key in llm and key in offline and abs(llm[key] - offline[key]) >= gap:
            notes.append(
                f"LLM and offline reader disagree on {name}: {llm[key]:.1f} vs {offline[key]:.1f} — check the evidence."
            )
    return notes


def samples_text(evaluation: Evaluation, key: str) -> str | None:
    """ "3 samples, spread 0.5" for one competency of an LLM evaluation that sampled; None otherwise."""
    record = evaluation.communication.get(LLM_SAMPLES)
    if not isinstance(record, dict):
        return None
    spread = record.get("spread", {}).get(key)
    used = record.get("used")
    if spread is None or not used:
        return None
    return "1 sample" if used == 1 else f"{used} samples, spread {spread:.1f}"
