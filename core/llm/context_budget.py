"""Fitting one request into a model's context window: the prompt's tokens estimated, the oldest history left
out first, the output limit set from what is left.

A small self-hosted model has a few thousand tokens for prompt and answer together. Sent more, llama.cpp
refuses, answers an empty stream, or silently shrinks the output so that a JSON answer ends cut off;
Ollama drops the start of the prompt (the instructions). So every call is fitted before it is sent
(core/llm/openai_chat.py, core/llm/anthropic_chat.py do it for every caller) and one that cannot fit is a
ChatError "too_long", never a request.

The estimate. The served model's tokenizer is not at hand (each model has its own, and loading one would
mean a download at run time), so tokens are counted from UTF-8 bytes, on the safe side: BYTES_PER_TOKEN = 3,
where English prose runs about 4 characters a token with the GPT-4 and Llama 3 tokenizers and 3.5 with
Llama 2 / Mistral's, JSON and figures less (Llama-family tokenizers split numbers into single digits); a
character outside ASCII is 2-4 bytes, so Cyrillic or CJK text counts 1-2 tokens a character. Each message
adds MESSAGE_OVERHEAD tokens for its chat-template markers, each picture IMAGE_TOKENS (a full-size picture
costs OpenAI about 765 tokens and Anthropic up to about 1,600), and MARGIN_SHARE of the window stays free.

Trimming. The system prompt and the latest message are always kept; older messages go oldest first, the
kept part starting with a user turn (chat templates want one there). To let a server's prefix cache
reuse the start of the conversation over several turns, the first kept message is one whose index is a
multiple of TRIM_STEP when such a cut fits, so the cut moves by TRIM_STEP messages at a time rather than
one every turn.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

from core.llm import chat_errors
from core.llm.chat_errors import Endpoint
from core.llm.chat_models import ChatMessage

log = logging.getLogger(__name__)

BYTES_PER_TOKEN = 3
MESSAGE_OVERHEAD = 8  # tokens a chat template puts around one message (role markers, separators)
REQUEST_OVERHEAD = 16  # the system message's markers and the start of the assistant's turn
IMAGE_TOKENS = 1_600
MARGIN_SHARE = 0.02  # of the window, left free on top of the conservative estimate
TRIM_STEP = 8  # history is cut at message indices on this grid when it can be, for prefix caches


def estimate_tokens(text: str) -> int:
    """Tokens `text` takes, estimated on the safe side (see the module's docstring)."""
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN) if text else 0


def message_tokens(message: ChatMessage) -> int:
    return MESSAGE_OVERHEAD + estimate_tokens(message.content) + IMAGE_TOKENS * len(message.images)


def prompt_tokens(system: str, messages: Sequence[ChatMessage]) -> int:
    """The estimated prompt of a request: the system prompt, every message, the template's markers."""
    return REQUEST_OVERHEAD + estimate_tokens(system) + sum(message_tokens(m) for m in messages)


def usable_tokens(window: int) -> int:
    """What a request may take of `window` in all, prompt and answer: the window less its free margin."""
    return window - math.ceil(window * MARGIN_SHARE)


def message_room(system: str, *, window: int, answer_tokens: int) -> int:
    """Tokens one user message may take (its text, estimated as estimate_tokens counts) in a request with this
    system prompt that leaves `answer_tokens` for the answer; negative when even an empty message leaves less."""
    return usable_tokens(window) - REQUEST_OVERHEAD - estimate_tokens(system) - MESSAGE_OVERHEAD - answer_tokens


def default_min_tokens(max_tokens: int) -> int:
    """The smallest output worth asking for when the caller names none: a quarter of its limit, at least 32."""
    return min(max_tokens, max(32, max_tokens // 4))


@dataclass(frozen=True)
class FittedRequest:
    """What is sent: the messages kept (the latest ones), the output limit, and the prompt's estimate."""

    messages: list[ChatMessage]
    max_tokens: int
    prompt_tokens: int
    dropped: int  # oldest messages left out


@dataclass(frozen=True)
class Overflow:
    """Why a request cannot be fitted: even its smallest form leaves less than `min_tokens` for the answer."""

    prompt_tokens: int
    window: int
    min_tokens: int


def fit(
    system: str,
    messages: Sequence[ChatMessage],
    *,
    window: int,
    max_tokens: int,
    min_tokens: int | None = None,
) -> FittedRequest | Overflow:
    """The request fitted into `window` tokens, or why it cannot be.

    History is kept as long as the full `max_tokens` still fits; when even the latest turn alone leaves less,
    the output limit shrinks to what is left, down to `min_tokens`.
    """
    least = default_min_tokens(max_tokens) if min_tokens is None else min(min_tokens, max_tokens)
    usable = usable_tokens(window)
    base = REQUEST_OVERHEAD + estimate_tokens(system)
    # the prompt when messages[i:] are sent, for every i (suffix sums)
    suffix = [0] * (len(messages) + 1)
    for i in range(len(messages) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + message_tokens(messages[i])

    def fitted(start: int) -> FittedRequest:
        prompt = base + suffix[start]
        return FittedRequest(list(messages[start:]), min(max_tokens, usable - prompt), prompt, start)

    if base + suffix[0] + max_tokens <= usable:
        return fitted(0)
    cuts = _cuts(messages)
    full = [i for i in cuts if base + suffix[i] + max_tokens <= usable]
    if full:
        on_grid = [i for i in full if i % TRIM_STEP == 0]
        return fitted(on_grid[0] if on_grid else full[0])
    last = cuts[-1] if cuts else 0
    if base + suffix[last] + least <= usable:
        return fitted(last)
    return Overflow(prompt_tokens=base + suffix[last], window=window, min_tokens=least)


def fitted_or_refused(
    system: str,
    messages: Sequence[ChatMessage],
    *,
    window: int,
    max_tokens: int,
    min_tokens: int | None,
    endpoint: Endpoint,
    model: str,
) -> FittedRequest:
    """What the adapters send: the request fitted, or ChatError "too_long" (and a log line) instead of a request."""
    fitted = fit(system, messages, window=window, max_tokens=max_tokens, min_tokens=min_tokens)
    extra = {"provider": endpoint.provider, "model": model, "window": window, "prompt_tokens": fitted.prompt_tokens}
    if isinstance(fitted, Overflow):
        log.warning("request does not fit the context window; not sent", extra=extra)
        raise chat_errors.too_long(
            endpoint, model, prompt_tokens=fitted.prompt_tokens, window=window, min_tokens=fitted.min_tokens
        )
    if fitted.dropped:
        log.info(
            "the %d oldest messages left out to fit the context window",
            fitted.dropped,
            extra={**extra, "max_tokens": fitted.max_tokens},
        )
    return fitted


def _cuts(messages: Sequence[ChatMessage]) -> list[int]:
    """Where the kept part may start, earliest first: at a user message after the first, else at the last one."""
    starts = [i for i in range(1, len(messages)) if messages[i].role == "user"]
    return starts or ([len(messages) - 1] if messages else [])
