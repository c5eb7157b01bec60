"""Stage timing for interviewer-led sessions: time left in the stage, a gentle overrun warning,
and the plan of all stages for the navigator. Pure functions over the session clock (seconds since
the start, pauses excluded), so a reload or a restart shows the same numbers."""

from __future__ import annotations

from dataclasses import dataclass

from core.content.templates import InterviewTemplate
from core.models import LiveSession

ENDING_SECONDS = 120  # "wrap up" from this much time left (or a fifth of the stage, if shorter)


def format_duration(seconds: float) -> str:
    """m:ss, or h:mm:ss from an hour."""
    total = int(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class StageTimer:
    stage: str
    title: str
    planned_seconds: float
    spent_seconds: float

    @property
    def remaining_seconds(self) -> float:
        return self.planned_seconds - self.spent_seconds

    @property
    def state(self) -> str:
        """ "on_track", "ending" (wrap up soon) or "over"."""
        if self.remaining_seconds < 0:
            return "over"
        if self.remaining_seconds <= min(ENDING_SECONDS, self.planned_seconds / 5):
            return "ending"
        return "on_track"

    @property
    def fraction(self) -> float:
        """Share of the planned time used, capped at 1 for a progress bar."""
        return min(1.0, self.spent_seconds / self.planned_seconds) if self.planned_seconds else 1.0

    @property
    def message(self) -> str:
        left = format_duration(self.remaining_seconds)
        if self.state == "over":
            return f"{left} over the planned {self.planned_seconds / 60:.0f} min — move on when it suits you."
        if self.state == "ending":
            return f"{left} left — start wrapping up this stage."
        return f"{left} left of {self.planned_seconds / 60:.0f} min."


@dataclass(frozen=True)
class StageSlot:
    """One stage in the navigator: done, current or upcoming, with planned and actual minutes."""

    key: str
    title: str
    planned_minutes: int
    status: str  # "done" | "current" | "upcoming"
    spent_seconds: float


def stage_timer(template: InterviewTemplate, live: LiveSession, elapsed: float) -> StageTimer:
    stage = template.stage(live.stage)
    return StageTimer(
        stage=stage.key,
        title=stage.title,
        planned_seconds=stage.planned_minutes * 60.0,
        spent_seconds=max(0.0, elapsed - live.stage_started_seconds),
    )


def stage_plan(template: InterviewTemplate, live: LiveSession, elapsed: float) -> list[StageSlot]:
    spent: dict[str, float] = {}
    for visit in live.stage_log:
        spent[visit["stage"]] = spent.get(visit["stage"], 0.0) + max(0.0, visit["end"] - visit["start"])
    spent[live.stage] = spent.get(live.stage, 0.0) + max(0.0, elapsed - live.stage_started_seconds)
    current = template.stage_keys().index(live.stage)
    slots = []
    for index, stage in enumerate(template.stages):
        status = "current" if index == current else ("done" if stage.key in spent else "upcoming")
        slots.append(StageSlot(stage.key, stage.title, stage.planned_minutes, status, spent.get(stage.key, 0.0)))
    return slots
