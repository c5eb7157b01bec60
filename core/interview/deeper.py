"""What to ask when the candidate has covered a stage with time to spare: harder questions, not a wrap-up.

Three kinds, in order: the problem's harder follow-ups on what the candidate covered (hardest first, one
per topic in turn), ten times the load on the problem's own busiest figure, and failure drills on the
problem's reference components. All come from the problem's data, so every problem gets its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import zip_longest

from core.content.problems import Problem
from core.content.text_signals import describe_figure, figure_claim
from core.models import Stage

DRILL_STAGES = (Stage.DEEP_DIVE, Stage.WRAP_UP)


@dataclass(frozen=True)
class DeeperQuestion:
    question: str
    topic: str | None  # the rubric topic it probes, when one fits
    drill: str | None = None  # "scale" or "failure" for a drill; None for a follow-up


def deeper_questions(
    problem: Problem, stage_topics: Iterable[str], covered: Iterable[str], stage: Stage
) -> list[DeeperQuestion]:
    """Harder questions for a stage whose topics are covered early, most natural first. A drill is labelled
    with the stage topic it exercises, when the stage has one."""
    known = set(stage_topics)
    covered_topics = [t for t in covered if t in known]
    per_topic = [
        [DeeperQuestion(" ".join(q.split()), topic) for q in reversed(problem.follow_ups.get(topic, []))]
        for topic in covered_topics
    ]
    questions = [q for round_ in zip_longest(*per_topic) for q in round_ if q is not None]
    if stage in DRILL_STAGES:
        questions.append(_scale_drill(problem, known))
        questions.extend(_failure_drills(problem, known))
    return questions


def _first(options: Iterable[str], known: set[str]) -> str | None:
    return next((t for t in options if t in known), None)


def _scale_drill(problem: Problem, known: set[str]) -> DeeperQuestion:
    """Ten times the busiest rate the problem states (its peak when it has one)."""
    rates = [
        (name, value, figure_claim(name, value))
        for fact in problem.facts
        for name, value in fact.figures.items()
        if figure_claim(name, value).period is not None
    ]
    topic = _first(("bottlenecks", "hotspots", "sharding"), known)
    if not rates:
        load = "ten times today's load"
    else:
        name, value, _ = max(rates, key=lambda r: (r[2].per_second or 0.0, r[2].peak))
        load = f"ten times the load — {describe_figure(name, value * 10)}"
    question = f"Let's try {load}. Which part of your design gives first, and what would you change?"
    return DeeperQuestion(question, topic, "scale")


def _failure_drills(problem: Problem, known: set[str]) -> list[DeeperQuestion]:
    topic = _first(("failure_handling", "replication"), known)
    return [
        DeeperQuestion(
            f"A failure drill: the {component} goes down at peak traffic. What do users see in the first minute, "
            "and how does the system recover?",
            topic,
            "failure",
        )
        for component in problem.components
    ]
