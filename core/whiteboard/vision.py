"""The whiteboard picture read by a vision-capable model: a richer reading beside the offline graph.

core.whiteboard.analysis reads the drawing's Fabric JSON (typed labels, lines between boxes) without any
model; a model that sees the PNG also reads handwriting, notes and arrows that join no box. At the
end of an LLM-evaluated interview the latest picture goes to the provider once, when it reads images
(core.llm.providers.vision_capable), with the prompt data/prompts/whiteboard.v*.md. The answer is held to
a schema like every LLM answer; the evaluation shows it as the model's reading, next to the offline
analysis, and passes it to the evaluating model as context. Anything that goes wrong — a picture
that is not a PNG or is over MAX_IMAGE_BYTES, a provider error, an answer out of shape — leaves a note
and no reading: the evaluation itself always completes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from core.content.problems import Problem
from core.content.prompts import Prompt
from core.llm.answer_cache import AnswerCache, answer_key
from core.llm.chat_models import CUT_OFF, ChatError, ChatMessage, ChatModel, Usage, json_part

MAX_IMAGE_BYTES = 4 * 1024 * 1024
"""Larger pictures are not sent (the canvas's PNGs are far smaller; Anthropic refuses images over 5 MB)."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_TOKENS = 1000
TEMPERATURE = 0.2  # what ChatModel.complete defaults to: the steadiest reading
_ONLY_OFFLINE = "the whiteboard was read from its shapes and labels only."
_ITEMS = 30
_ITEM_CHARS = 200


class _Answer(BaseModel):
    summary: str = Field(min_length=1, max_length=2000)
    components: list[str] = Field(default_factory=list)
    connections: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    concerns: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class WhiteboardReading:
    """The model's reading of the whiteboard picture, as stored with the evaluation."""

    summary: str
    components: list[str] = field(default_factory=list)
    connections: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    provider: str = ""
    model: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> WhiteboardReading | None:
        """A stored reading, or None when there is none (or it is not one)."""
        if not isinstance(data, dict) or not isinstance(data.get("summary"), str):
            return None
        lists = {k: [str(x) for x in data.get(k, []) if isinstance(x, str)] for k in _LIST_FIELDS}
        return cls(
            summary=data["summary"], provider=str(data.get("provider", "")), model=str(data.get("model", "")), **lists
        )

    def lines(self) -> list[str]:
        """The reading for people and for the evaluating model's prompt."""
        lines = [self.summary]
        for title, items in (
            ("Components", self.components),
            ("Connections", self.connections),
            ("Missing", self.missing),
            ("Concerns", self.concerns),
        ):
            if items:
                lines.append(f"{title}: {'; '.join(items)}.")
        return lines


_LIST_FIELDS = ("components", "connections", "missing", "concerns")


@dataclass
class PictureOutcome:
    reading: WhiteboardReading | None
    note: str | None = None  # why there is no reading, for the evaluation's notes
    usage: Usage | None = None  # tokens the call used, also when its answer was rejected
    cached: bool = False  # the reading came from the answer cache: the picture was read before, nothing was sent


def read_picture(
    chat: ChatModel,
    png: bytes,
    prompt: Prompt,
    problem: Problem | None,
    *,
    label: str,
    cache: AnswerCache | None = None,
) -> PictureOutcome:
    """Ask the model what the whiteboard picture shows; never raises for the picture's or the provider's sake.

    With `cache`, a picture read before by the same model with the same prompt is not sent again: its reading
    then costs nothing, and the evaluation that quotes it asks the same as before (core.llm.answer_cache)."""
    if not png.startswith(PNG_SIGNATURE):
        return PictureOutcome(None, "The whiteboard picture is not a PNG, so it was not sent for image analysis.")
    if len(png) > MAX_IMAGE_BYTES:
        size, limit = len(png) / 1024 / 1024, MAX_IMAGE_BYTES // 1024 // 1024
        note = f"The whiteboard picture ({size:.1f} MB) is over the {limit} MB limit for image analysis;"
        return PictureOutcome(None, f"{note} {_ONLY_OFFLINE}")
    system = prompt.render(
        problem_title=problem.title if problem else "a system-design problem",
        reference_components=", ".join(problem.reference_components) if problem else "(not given)",
    )
    request = ChatMessage("user", "The candidate's whiteboard, as drawn at the end of the interview.", images=(png,))
    key = answer_key(
        provider=chat.provider,
        model=chat.model,
        host=chat.host,
        system=system,
        messages=[request],
        sample=0,
        temperature=TEMPERATURE,
        versions={"prompt": prompt.label},
    )
    kept = cache.get(key) if cache is not None else None
    if kept is not None:
        try:
            return _reading(chat, _Answer.model_validate(json.loads(json_part(kept.text))), Usage(), cached=True)
        except (json.JSONDecodeError, ValidationError, ValueError):
            pass  # kept under an older schema: ask again
    usage: Usage | None = None
    try:
        result = chat.complete(system, [request], max_tokens=MAX_TOKENS, json_output=True, temperature=TEMPERATURE)
        usage = result.usage
        if result.truncated:
            return PictureOutcome(None, f"The {label} whiteboard image analysis {CUT_OFF}; {_ONLY_OFFLINE}", usage)
        answer = _Answer.model_validate(json.loads(json_part(result.text)))
    except ChatError as exc:
        return PictureOutcome(None, f"The {label} whiteboard image analysis failed ({exc}); {_ONLY_OFFLINE}")
    except (json.JSONDecodeError, ValidationError, ValueError):
        return PictureOutcome(
            None, f"The {label} whiteboard image analysis did not fit the expected format; {_ONLY_OFFLINE}", usage
        )
    if cache is not None:
        cache.put(
            key,
            text=result.text,
            usage=result.usage,
            provider=chat.provider,
            model=chat.model,
            prompt_version=prompt.label,
        )
    return _reading(chat, answer, usage)


def _reading(chat: ChatModel, answer: _Answer, usage: Usage | None, *, cached: bool = False) -> PictureOutcome:
    reading = WhiteboardReading(
        summary=_clip(answer.summary, 2000),
        provider=chat.provider,
        model=chat.model,
        **{name: [_clip(x, _ITEM_CHARS) for x in getattr(answer, name) if x.strip()][:_ITEMS] for name in _LIST_FIELDS},
    )
    return PictureOutcome(reading, None, usage, cached=cached)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
