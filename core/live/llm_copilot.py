"""Copilot follow-ups written by an LLM, held to what the offline copilot would accept.

One plain (non-streaming) request per ask: the stage, its open goals, the latest transcript lines
and notes go in; a JSON list of questions comes out, validated (each question short and non-empty,
each goal one of the open goals or none). Anything that fails — no answer, a refused key, an answer
in the wrong shape — gives the offline copilot's suggestions with a one-sentence note saying why,
so the interviewer always has something and always knows which engine produced it.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, ValidationError, field_validator

from core.ai_budget.guard import COPILOT, budget_stop
from core.content.prompts import load_prompt
from core.content.templates import InterviewTemplate
from core.live.copilot import Suggestion, suggest
from core.live.goal_coverage import GoalStatus, note_text
from core.llm.chat_models import CUT_OFF, ChatError, ChatMessage, Usage, json_part
from core.llm.pricing import usage_entry
from core.llm.providers import LLMChoice, base_url_of, chat_model_for, provider
from core.models import LiveNote, TranscriptEntry
from core.workspace import Workspace

log = logging.getLogger(__name__)

OPERATION = "copilot"  # token_usage.operation
MAX_QUESTION_CHARS = 300
TRANSCRIPT_LINES = 12  # the latest lines sent: enough for the thread, not the whole interview
NOTES_SENT = 5
_MAX_TOKENS = 600
_MIN_TOKENS = 250  # a few questions with their reasons; less left in the context window: no call


@dataclass(frozen=True)
class CopilotAnswer:
    """What the copilot offers, which engine wrote it ("offline" or the provider key) and, after a
    fallback, why the offline copilot answered instead."""

    suggestions: list[Suggestion] = field(default_factory=list)
    engine: str = "offline"
    note: str | None = None


class _Item(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    why: str = ""
    goal: str | None = None

    @field_validator("question", "why", mode="before")
    @classmethod
    def _stripped(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("goal", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """Models write "" or "null" for no goal as often as null."""
        return None if isinstance(value, str) and value.strip().lower() in ("", "null", "none") else value


class _Answer(BaseModel):
    suggestions: list[_Item] = Field(min_length=1)


def llm_suggest(
    ws: Workspace,
    session_id: str,
    *,
    template: InterviewTemplate,
    stage: str,
    transcript: Sequence[TranscriptEntry],
    notes: Sequence[LiveNote],
    coverage: Mapping[str, GoalStatus],
    choice: LLMChoice,
    limit: int = 3,
) -> CopilotAnswer:
    """The model's follow-ups for the interviewer, or the offline ones with a note saying why."""
    offline = suggest(template, stage=stage, transcript=transcript, notes=notes, coverage=coverage, limit=limit)
    try:
        info = provider(choice.provider)
    except ChatError as exc:  # a provider this build does not know: a setup mistake, said as such
        return _fallback(offline, choice, _first_sentence(str(exc)))
    if not info.is_llm:
        return CopilotAnswer(offline)
    open_now, open_before = _open_goals(template, stage, coverage)
    endpoint = f"{choice.provider}:{base_url_of(ws.settings, choice) or 'default'}"
    if wait := ws.provider_health.wait_left(endpoint):
        return _fallback(offline, choice, f"{info.label} failed a moment ago and is tried again in {wait:.0f} s")
    if (spent := budget_stop(ws, session_id, instead=COPILOT)) is not None:
        return CopilotAnswer(offline, engine="offline", note=spent)
    started = time.perf_counter()
    chat = None
    try:
        chat = chat_model_for(ws.settings, choice)
        prompt = load_prompt(ws.settings.resolve(ws.settings.prompts_dir), "copilot")
        system = prompt.render(
            template_title=template.title,
            limit=max(limit, 1),
            stage_title=template.stage(stage).title,
            stage_purpose=template.stage(stage).purpose or "(no purpose given)",
            open_goals=_listed(open_now),
            earlier_goals=_listed(open_before),
        )
        result = chat.complete(
            system,
            [ChatMessage("user", _context(transcript, notes))],
            max_tokens=_MAX_TOKENS,
            min_tokens=_MIN_TOKENS,
            json_output=True,
        )
    except ChatError as exc:
        if exc.transient and chat is not None:
            ws.provider_health.failed(endpoint)
        log.warning("copilot provider failed, offline suggestions used", extra={"provider": info.key, "kind": exc.kind})
        return _fallback(offline, choice, f"{info.label} could not be used: {_first_sentence(str(exc))}")
    finally:
        if chat is not None:
            chat.close()
    ws.provider_health.succeeded(endpoint)
    _record_usage(ws, session_id, choice, result.usage, int((time.perf_counter() - started) * 1000))
    if result.truncated:
        return _fallback(offline, choice, f"the {info.label} answer {CUT_OFF}")
    try:
        suggestions = _validated(result.text, [g.key for g in open_now + open_before], limit)
    except (json.JSONDecodeError, ValidationError, ValueError) as exc:
        return _fallback(offline, choice, f"the {info.label} answer did not fit the expected format ({_short(exc)})")
    return CopilotAnswer(suggestions, engine=info.key)


def _open_goals(
    template: InterviewTemplate, stage: str, coverage: Mapping[str, GoalStatus]
) -> tuple[list[GoalStatus], list[GoalStatus]]:
    """The open goals of the current stage and of the stages before it: the ones a suggestion may serve."""
    current = template.stage(stage)
    earlier = {s.key for s in template.stages[: template.stages.index(current)]}
    open_now = [g for g in coverage.values() if g.stage == stage and not g.covered]
    return open_now, [g for g in coverage.values() if g.stage in earlier and not g.covered]


def _listed(goals: list[GoalStatus]) -> str:
    return "\n".join(f"- {g.key}: {g.text}" for g in goals) or "(none)"


def _context(transcript: Sequence[TranscriptEntry], notes: Sequence[LiveNote]) -> str:
    """The latest transcript lines and notes, as the user message."""
    lines = [
        f"[{_clock(e.start)}] {e.speaker.upper()}: {e.text.strip()}" for e in transcript[-TRANSCRIPT_LINES:] if e.text
    ]
    written = [n for n in notes if not n.draft][-NOTES_SENT:]
    noted = [f"[{_clock(n.at_seconds)}] " + (f"({n.tag}) " if n.tag else "") + note_text(n) for n in written]
    parts = ["The latest transcript lines:", *(lines or ["(nothing said yet)"])]
    parts += ["", "The interviewer's latest notes:", *(noted or ["(no notes yet)"])]
    return "\n".join(parts)


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60):02d}:{int(seconds % 60):02d}"


def _validated(text: str, open_keys: list[str], limit: int) -> list[Suggestion]:
    answer = _Answer.model_validate(json.loads(json_part(text)))
    for index, item in enumerate(answer.suggestions):
        if item.goal is not None and item.goal not in open_keys:
            raise ValueError(f"suggestions[{index}].goal {item.goal!r} is not an open goal")
    kept: list[Suggestion] = []
    seen: set[str] = set()
    for item in answer.suggestions:
        key = " ".join(re.findall(r"[a-z0-9]+", item.question.lower()))
        if key not in seen:
            seen.add(key)
            kept.append(Suggestion(item.question, item.why, item.goal, "llm"))
    return kept[: max(limit, 0)]


def _record_usage(ws: Workspace, session_id: str, choice: LLMChoice, usage: Usage, duration_ms: int) -> None:
    """Tokens are paid for whether or not the answer fits, so they are recorded before it is checked."""
    entry = usage_entry(
        ws.settings.prices,
        session_id=session_id,
        provider=choice.provider,
        model=choice.model,
        operation=OPERATION,
        usage=usage,
        duration_ms=duration_ms,
    )
    entry.created_at = ws.clock()
    with ws.uow_factory() as uow:
        uow.token_usage.add(entry)
        uow.commit()


def _fallback(offline: list[Suggestion], choice: LLMChoice, reason: str) -> CopilotAnswer:
    note = f"Offline suggestions shown because {reason}."
    if choice.api_key:
        note = note.replace(choice.api_key, "[redacted]")  # ChatError hides keys already; this is a second lock
    return CopilotAnswer(offline, engine="offline", note=note)


def _first_sentence(message: str) -> str:
    """A ChatError's first sentence: the rest is advice the Setup page gives better."""
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", message.strip(), maxsplit=1)[0]
    return first.rstrip(".")


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        return f"{where}: {error['msg']}" if where else error["msg"]
    if isinstance(exc, json.JSONDecodeError):
        return "not valid JSON"
    return str(exc)[:160]
