"""One place that turns a provider key, a model name and a key into a ChatModel."""

from __future__ import annotations

from core.llm.anthropic_chat import AnthropicChatModel
from core.llm.chat_models import ChatModel
from core.llm.openai_chat import PROVIDERS as OPENAI_PROTOCOL_PROVIDERS
from core.llm.openai_chat import OpenAIChatModel
from core.provider_ids import ANTHROPIC, OPENAI, OPENAI_COMPATIBLE

CHAT_PROVIDERS = (OPENAI, ANTHROPIC, OPENAI_COMPATIBLE)


def make_chat_model(
    provider: str,
    model: str,
    *,
    api_key: str | None,
    base_url: str | None = None,
    timeout: float = 30.0,
    context_window: int | None = None,
) -> ChatModel:
    """Build a ChatModel without any network call (an OpenAI-compatible server is asked its context window
    at the first request; `context_window` is config's, used where the server does not say).

    Raises ChatError before any request when it cannot work: kind "missing_key" (no key for
    OpenAI or Anthropic; an OpenAI-compatible server may need none), "model" (no model named)
    or "bad_request" (an OpenAI-compatible provider without a base URL). An unknown provider
    is a programming error: ValueError.
    """
    if provider in OPENAI_PROTOCOL_PROVIDERS:
        return OpenAIChatModel(
            model,
            api_key=api_key,
            base_url=base_url,
            provider=provider,
            timeout=timeout,
            context_window=context_window,
            ask_window=provider == OPENAI_COMPATIBLE,
        )
    if provider == ANTHROPIC:
        return AnthropicChatModel(
            model, api_key=api_key, base_url=base_url, timeout=timeout, context_window=context_window
        )
    raise ValueError(f"No chat model for provider {provider!r}; expected one of {CHAT_PROVIDERS}")
