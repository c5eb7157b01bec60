"""An interview as (interviewer asks, candidate answers) pairs, a minute apart: how the evaluator's tests write one."""

from __future__ import annotations

from core.models import Utterance


def interview(*pairs: tuple[str, str]) -> list[Utterance]:
    """Each pair as two timed, numbered utterances: asked at the minute, answered ten seconds later."""
    out = []
    for i, (asked, answered) in enumerate(pairs):
        out.append(Utterance("interviewer", asked, start=60.0 * i, end=60.0 * i + 8, seq=2 * i))
        out.append(Utterance("candidate", answered, start=60.0 * i + 10, end=60.0 * i + 50, seq=2 * i + 1))
    return out
