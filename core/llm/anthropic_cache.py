"""Anthropic's prompt caching: where a request's `cache_control` breakpoints go.

Anthropic caches a prompt prefix only where the request asks for it, with `"cache_control": {"type":
"ephemeral"}` on a block: the prefix up to and including that block (tools, then system, then messages) is
written to the cache (billed at 1.25x the input price) and read back by a later request that starts the same
(0.1x), for five minutes after its last use. The API takes at most MAX_BREAKPOINTS markers and caches nothing
shorter than a model's minimum (MIN_CACHEABLE_TOKENS; a shorter one is silently not cached); a request's
breakpoint also finds a cached prefix ending up to 20 blocks before it, so one that moves on by a turn or two
each request keeps hitting.

Our prompts are laid out for this (core/interview/llm_interviewer.py): the system prompt holds what stays the
same through an interview, the conversation follows, and what changes each turn goes in the final user turn.
So two breakpoints: one on the system prompt (reused even when the oldest history is trimmed), and one on the
last turn before the final user turn (the whole stable history). The final turn is cached too when the caller
says the same request will be sent again (an evaluation's samples). Each is placed only where the estimated
prefix reaches the model's minimum (core.llm.context_budget's estimate, which errs on the large side, so a
prefix near the minimum may be marked and not cached: that costs nothing).
"""

from __future__ import annotations

from typing import Any

from core.llm.context_budget import IMAGE_TOKENS, MESSAGE_OVERHEAD, REQUEST_OVERHEAD, estimate_tokens

EPHEMERAL = {"type": "ephemeral"}
MAX_BREAKPOINTS = 4
DEFAULT_MIN_TOKENS = 1024
# Anthropic's documented minimum cacheable prompt per model (by model-name prefix, longest match first).
MIN_CACHEABLE_TOKENS: dict[str, int] = {
    "claude-opus-4-6": 4096,
    "claude-opus-4-5": 4096,
    "claude-haiku-4-5": 4096,
    "claude-3-5-haiku": 2048,
    "claude-3-haiku": 2048,
    "claude-sonnet-4-6": 2048,
}


def min_cacheable_tokens(model: str) -> int:
    """The shortest prefix `model` caches (DEFAULT_MIN_TOKENS for a model not named in the table)."""
    for prefix in sorted(MIN_CACHEABLE_TOKENS, key=len, reverse=True):
        if model.startswith(prefix):
            return MIN_CACHEABLE_TOKENS[prefix]
    return DEFAULT_MIN_TOKENS


def mark(params: dict[str, Any], *, model: str, whole_request: bool = False) -> int:
    """Put the breakpoints into Messages API `params` (`system` a string, `messages` as core.llm.anthropic_chat
    shapes them), in place; returns how many were placed. `whole_request`: the final turn is cached too."""
    minimum = min_cacheable_tokens(model)
    turns: list[dict[str, Any]] = params.get("messages", [])
    system = params.get("system") or ""
    prefix = REQUEST_OVERHEAD + estimate_tokens(system)
    placed = 0
    if system and prefix >= minimum:
        params["system"] = [{"type": "text", "text": system, "cache_control": EPHEMERAL}]
        placed += 1
    marked_turns = [len(turns) - 2] if len(turns) >= 2 else []
    if whole_request and turns:
        marked_turns.append(len(turns) - 1)
    for index, turn in enumerate(turns):
        prefix += MESSAGE_OVERHEAD + _turn_tokens(turn)
        if index in marked_turns and prefix >= minimum and placed < MAX_BREAKPOINTS:
            _mark_turn(turn)
            placed += 1
    return placed


def _turn_tokens(turn: dict[str, Any]) -> int:
    content = turn["content"]
    if isinstance(content, str):
        return estimate_tokens(content)
    return sum(
        IMAGE_TOKENS if block.get("type") == "image" else estimate_tokens(block.get("text", "")) for block in content
    )


def _mark_turn(turn: dict[str, Any]) -> None:
    """The breakpoint goes on the turn's last block; a plain string becomes one text block to carry it."""
    content = turn["content"]
    blocks: list[dict[str, Any]] = (
        [{"type": "text", "text": content}] if isinstance(content, str) else [dict(b) for b in content]
    )
    blocks[-1]["cache_control"] = EPHEMERAL
    turn["content"] = blocks
