"""The intake asks whether the workspace is built at most once a second, not for every delivery."""

from __future__ import annotations

from typing import Any, cast

from core.workspace import Workspace
from entry.intake import recheck_at_most_every


def test_a_built_workspace_is_kept_for_the_interval_and_a_missing_one_asked_for_again() -> None:
    answers: list[Workspace | None] = [None, None, cast("Workspace", object()), cast("Any", object())]
    asked: list[int] = []

    def built() -> Workspace | None:
        asked.append(1)
        return answers[len(asked) - 1]

    recent = recheck_at_most_every(60.0, built)
    assert recent() is None and recent() is None  # not built yet: asked each time
    first = recent()
    assert first is answers[2]
    assert [recent() for _ in range(5)] == [first] * 5
    assert len(asked) == 3

    every_time = recheck_at_most_every(0.0, lambda: answers[3])
    assert every_time() is answers[3]
