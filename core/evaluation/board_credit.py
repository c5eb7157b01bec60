"""What the whiteboard earns in the evaluation: the drawing as a scoring input, driven by rubric data.

The board is read as core.whiteboard.analysis reads it (boxes, labels, connectors; eraser strokes delete)
and credited through the rubric's `whiteboard:` section plus the problem's `board_topics`:

- a box whose kind maps to topics ("Redis" is a cache → caching) credits them PLACED_CREDIT when
  it is connected to another component — where it sits in a request's path is drawn — and only
  MENTION_CREDIT (as if named in passing) when it stands alone;
- the `coverage` topics get credit for the share of the problem's reference components drawn,
  most of it for those that are also connected;
- the `connections` topics get credit for connections between recognised components.

No board credit reaches "shown with reasoning" (0.6) except a fully drawn and connected reference
design: the why still has to be said. The evaluator takes a topic's best showing, in words or on
the board, and cites the board as "Whiteboard: Redis → Postgres". The board never scores on its own:
a transcript the quality gate refuses stays unscored (core.evaluation.offline_evaluator).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.content.problems import Problem
from core.content.rubrics import Rubric
from core.whiteboard.analysis import BoardAnalysis, BoardGraph, Box, analyse

MENTION_CREDIT = 0.25  # the same as a topic named in passing (core.evaluation.offline_evaluator)
PLACED_CREDIT = 0.5  # a component drawn and connected: its role in the flow is shown, not why it is there
DESIGN_CREDIT = 0.6  # the most a whole drawing earns a coverage or connections topic
EVIDENCE_PREFIX = "Whiteboard: "
_EDGES_SHOWN = 4
_LABEL_CHARS = 40


@dataclass(frozen=True)
class BoardCredit:
    topic: str
    strength: float  # 0 … DESIGN_CREDIT, on the evaluator's scale
    evidence: str  # "Whiteboard: API servers → Redis"


@dataclass(frozen=True)
class BoardReading:
    """One drawing, read and compared with the problem's reference components."""

    graph: BoardGraph
    analysis: BoardAnalysis

    @property
    def is_empty(self) -> bool:
        return self.analysis.is_empty

    def stats(self) -> dict[str, Any]:
        """The board's part of the communication analysis (how the candidate used the whiteboard)."""
        return {
            "components": list(self.analysis.components),
            "connections": len(self.analysis.edges),
            "unconnected": list(self.analysis.unconnected),
            "missing": list(self.analysis.missing),
            "summary": list(self.analysis.summary),
        }


_NONE = BoardCredit("", 0.0, "")


def read_for(graph: BoardGraph, problem: Problem | None) -> BoardReading:
    """The drawing compared with the problem's reference components (none without a problem)."""
    return BoardReading(graph, analyse(graph, problem.reference_components if problem else ()))


def board_credits(reading: BoardReading, rubric: Rubric, problem: Problem | None) -> dict[str, BoardCredit]:
    """Each topic the drawing shows, with its strength and the board evidence for it (the best per topic)."""
    graph, analysis = reading.graph, reading.analysis
    known = set(rubric.topics) | set(problem.extra_topics if problem else {})
    mapping: dict[str, list[str]] = {k: list(v) for k, v in rubric.whiteboard.components.items()}
    for kind, topics in (problem.board_topics if problem else {}).items():
        mapping[kind] = [*mapping.get(kind, []), *topics]

    credits: dict[str, BoardCredit] = {}

    def offer(credit: BoardCredit) -> None:
        if credit.topic in known and credit.strength > credits.get(credit.topic, _NONE).strength:
            credits[credit.topic] = credit

    joined = {i for pair in graph.edges for i in pair}
    for box in graph.boxes:
        topics = mapping.get(box.kind or "", [])
        if not topics:
            continue
        if box.index in joined:
            evidence = _edges_text(graph, [e for e in graph.edges if box.index in e])
            strength = PLACED_CREDIT
        else:
            evidence, strength = f"{_label(box)} (not connected to anything)", MENTION_CREDIT
        for topic in topics:
            offer(BoardCredit(topic, strength, EVIDENCE_PREFIX + evidence))

    reference = [*analysis.present, *analysis.missing]
    if reference and analysis.present:
        connected_kinds = {graph.box(i).kind for i in joined}
        connected = [k for k in analysis.present if k in connected_kinds]
        strength = MENTION_CREDIT * len(analysis.present) / len(reference)
        strength += (DESIGN_CREDIT - MENTION_CREDIT) * len(connected) / len(reference)
        evidence = (
            f"{len(analysis.present)} of the {len(reference)} reference components drawn, {len(connected)} connected "
            f"({', '.join(analysis.present)})"
        )
        for topic in rubric.whiteboard.coverage:
            offer(BoardCredit(topic, round(strength, 3), EVIDENCE_PREFIX + evidence))

    recognised = [(a, b) for a, b in graph.edges if graph.box(a).kind and graph.box(b).kind]
    if recognised:
        pairs = {frozenset((graph.box(a).kind, graph.box(b).kind)) for a, b in recognised}
        expected = max(2, (len(reference) or len(analysis.components)) - 1)  # a path through every component
        strength = MENTION_CREDIT + (DESIGN_CREDIT - MENTION_CREDIT) * min(1.0, len(pairs) / expected)
        for topic in rubric.whiteboard.connections:
            offer(BoardCredit(topic, round(strength, 3), EVIDENCE_PREFIX + _edges_text(graph, recognised)))
    return credits


def _label(box: Box) -> str:
    text = box.label or box.kind or f"unlabelled {box.shape}"
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1].rstrip() + "…"


def _edges_text(graph: BoardGraph, edges: Sequence[tuple[int, int]]) -> str:
    shown = [f"{_label(graph.box(a))} → {_label(graph.box(b))}" for a, b in edges[:_EDGES_SHOWN]]
    return "; ".join(shown) + ("; …" if len(edges) > _EDGES_SHOWN else "")
