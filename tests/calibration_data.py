"""A small, fully known set of reviewed interviews for calibration tests, with figures worked by hand.

Built through the unit of work and the reviewers' own service (override_score), so the same rows
exist in the fake and in SQLite. r1…r4 are reviewed (at least one adjusted score); u1 is not and
must not count. Scores, evaluator → reviewer ("=" kept, "·" not scored by the evaluator):

    competency        r1           r2           r3                 r4           u1
    requirements      3.0 =        2.0 → 2.5    4.0 =              3.0 → 3.5    4.0 =
    estimation        4.0 → 3.0    3.5 → 3.0    3.0 → 1.0 → 2.0    2.0 =        5.0 =
    tradeoffs         3.0 =        3.0 =        3.0 =              ·            3.0 =
    communication     · → 3.0      3.0 → 2.0    ·                  2.5 =        3.0 =

r3's estimation was adjusted twice: the later adjustment (2.0) is in force. r1's communication was
adjusted although the evaluator did not score it: with no evaluator score there is no pair.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from core.evaluation.reviews import override_score
from core.models import CompetencyScore, Evaluation, Session, SessionStatus
from core.permissions.actor import Actor
from core.workspace import Workspace

T0 = datetime(2025, 5, 6, 9, 0, tzinfo=UTC)
NAMES = {
    "requirements": "Requirements gathering",
    "estimation": "Back-of-the-envelope estimation",
    "tradeoffs": "Trade-off analysis",
    "communication": "Communication",
}
# Evaluator's scores per interview (None: not scored), in the rubric's order.
SCORES: dict[str, dict[str, float | None]] = {
    "r1": {"requirements": 3.0, "estimation": 4.0, "tradeoffs": 3.0, "communication": None},
    "r2": {"requirements": 2.0, "estimation": 3.5, "tradeoffs": 3.0, "communication": 3.0},
    "r3": {"requirements": 4.0, "estimation": 3.0, "tradeoffs": 3.0, "communication": None},
    "r4": {"requirements": 3.0, "estimation": 2.0, "tradeoffs": None, "communication": 2.5},
    "u1": {"requirements": 4.0, "estimation": 5.0, "tradeoffs": 3.0, "communication": 3.0},
}
# Reviewers' adjustments, in the order they are made.
ADJUSTMENTS: list[tuple[str, str, float]] = [
    ("r1", "estimation", 3.0),
    ("r1", "communication", 3.0),
    ("r2", "estimation", 3.0),
    ("r2", "requirements", 2.5),
    ("r2", "communication", 2.0),
    ("r3", "estimation", 1.0),
    ("r3", "estimation", 2.0),
    ("r4", "requirements", 3.5),
]


def build_reviews(ws: Workspace) -> dict[str, str]:
    """The five completed, evaluated interviews and the adjustments; r1… → session id."""
    sessions = {name: uuid.uuid4().hex for name in SCORES}
    with ws.uow_factory() as uow:
        for day, (name, scores) in enumerate(SCORES.items()):
            created = T0 + timedelta(days=day)
            uow.sessions.add(
                Session(
                    id=sessions[name],
                    problem_id="url_shortener",
                    problem_title="Design a URL Shortener",
                    status=SessionStatus.COMPLETED,
                    created_at=created,
                    started_at=created,
                    ended_at=created + timedelta(minutes=40),
                )
            )
            uow.evaluations.add(
                Evaluation(
                    session_id=sessions[name],
                    overall_score=3.0,
                    competencies=[
                        CompetencyScore(key=key, name=NAMES[key], score=score, confidence=0.7)
                        for key, score in scores.items()
                    ],
                )
            )
        uow.commit()
    for name, key, score in ADJUSTMENTS:
        override_score(
            ws,
            sessions[name],
            key,
            score,
            f"Reviewed the {key} evidence again.",
            actor=Actor.workspace("Dana Reviewer"),
        )
    return sessions
