"""An evaluating model's answers to the parts of a long interview, scripted from what each part holds.

Requirements are shown in the first part only, reliability in the last only, communication in every part,
the other competencies in none: merged, the scores are requirements 4.5, reliability 4.0, communication 3.0
and 1.0 elsewhere, whatever the number of parts. Each quote is the start of the part's first candidate line,
so it is a real quote with a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from core.evaluation.chunked_evaluation import PART_PREAMBLE
from tests.llm_fakes import Reply

SHOWN = {"requirements": 4.5, "reliability": 4.0, "communication": 3.0}  # the score where a part shows it
MERGED = dict(SHOWN)  # merged, each keeps the score of the parts showing it; every other competency: 1.0
QUOTE_CHARS = 50


def part_of(message: str) -> dict[str, Any]:
    """A part's user message read back: {"part": {"number", "of"}, "transcript": [...], "findings": [...]}."""
    assert message.startswith(PART_PREAMBLE), message[:80]
    data: dict[str, Any] = json.loads(message.removeprefix(PART_PREAMBLE))
    return data


def part_answer(message: str, keys: Sequence[str]) -> str:
    data = part_of(message)
    number, of = data["part"]["number"], data["part"]["of"]
    quote = next(e["text"] for e in data["transcript"] if e["speaker"] == "candidate")[:QUOTE_CHARS]
    shown_here = {"requirements": number == 1, "reliability": number == of, "communication": True}
    competencies = []
    for key in keys:
        shown = shown_here.get(key, False)
        competencies.append(
            {
                "key": key,
                "shown": shown,
                "score": SHOWN[key] if shown else 1.0,
                "confidence": 0.8 if shown else 0.1,
                "rationale": f"{key}, part {number}",
                "evidence": [quote] if shown else [],
            }
        )
    return json.dumps(
        {
            "competencies": competencies,
            "went_well": [f"Part {number} went well"],
            "improvement_plan": [{"title": "Estimate peaks", "detail": "Practise QPS maths."}],
        }
    )


def responder(keys: Sequence[str]) -> Callable[[dict[str, Any]], Reply]:
    """For a fake server's `respond`: the answer to a chat request's last user message."""

    def respond(body: dict[str, Any]) -> Reply:
        return Reply(text=part_answer(str(body["messages"][-1]["content"]), keys))

    return respond
