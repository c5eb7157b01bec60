"""Registry of interviewer/evaluator providers, built-in and (later) remote.

Only the offline engine works today; the others are listed so Setup can show what is coming
and so adding one is a registry entry, not a change to every page.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.evaluator import OfflineEvaluator
from core.interviewer import OfflineInterviewer
from core.problems import Problem
from core.rubrics import Rubric


@dataclass(frozen=True)
class ProviderInfo:
    key: str
    label: str
    available: bool
    note: str


PROVIDERS: dict[str, ProviderInfo] = {
    p.key: p
    for p in [
        ProviderInfo("offline", "Offline (built in)", True, "Runs on this machine: no API key, no network."),
        ProviderInfo("openai", "OpenAI", False, "Coming soon."),
        ProviderInfo("anthropic", "Anthropic", False, "Coming soon."),
        ProviderInfo("openai-compatible", "OpenAI-compatible server", False, "Coming soon."),
    ]
}


def make_interviewer(provider: str, problem: Problem, rubric: Rubric) -> OfflineInterviewer:
    """Only the offline engine runs yet; a session naming another provider falls back to it."""
    return OfflineInterviewer(problem, rubric)


def make_evaluator(provider: str, rubric: Rubric, problem: Problem | None) -> OfflineEvaluator:
    return OfflineEvaluator(rubric, problem)
