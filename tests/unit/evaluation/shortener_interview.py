"""A short URL-shortener interview with one answer under test, scored by the offline evaluator: what the ladder
tests of each competency have in common."""

from __future__ import annotations

from core.content.problems import ProblemBank
from core.content.rubrics import Rubric
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.models import Utterance

OPENING = ("Design a URL shortener.", "Users shorten links and follow them; redirects must be fast.")


def score_of(bank: ProblemBank, rubric: Rubric, competency: str, *turns: tuple[str, str]) -> float:
    """The competency's score after the opening and the given (interviewer prompt, candidate answer) turns."""
    talk: list[Utterance] = []
    for prompt, answer in (OPENING, *turns):
        start = 40.0 * len(talk)
        talk += [
            Utterance("interviewer", prompt, start=start, end=start + 5),
            Utterance("candidate", answer, start=start + 6, end=start + 35),
        ]
    evaluation = OfflineEvaluator(rubric, bank.get("url_shortener"), bank=bank).evaluate("s1", talk)
    score = next(c.score for c in evaluation.competencies if c.key == competency)
    assert score is not None, "the interview is long enough to judge"
    return score
