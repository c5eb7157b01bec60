"""The provider registry shared by the interviewer and the evaluator.

`offline` is built in; `openai`, `anthropic` and `openai-compatible` are LLM providers whose
models and endpoints come from config and whose keys come from the environment, Streamlit
secrets or the Setup page — in that order of precedence: what the user typed wins. The ids are
spelled in core.provider_ids; `config_key` below is the one map from an id to its config section.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.config import LOCAL_TIMEOUT_SECONDS, ProviderSection, Settings
from core.llm.chat_models import ChatError, ChatModel
from core.llm.context_windows import configured_window
from core.provider_ids import ANTHROPIC, OFFLINE, OPENAI, OPENAI_COMPATIBLE


@dataclass(frozen=True)
class ProviderInfo:
    key: str
    label: str
    note: str
    config_key: ProviderSection | None = None  # its section under `providers:` in config.yaml; None for offline
    key_variable: str | None = None  # environment variable / secrets name holding its API key
    key_required: bool = False

    @property
    def is_llm(self) -> bool:
        return self.config_key is not None


PROVIDERS: dict[str, ProviderInfo] = {
    p.key: p
    for p in [
        ProviderInfo(OFFLINE, "Offline (built in)", "Runs on this machine: no API key, no network."),
        ProviderInfo(
            OPENAI, "OpenAI", "GPT models through the OpenAI API.", "openai", "OPENAI_API_KEY", key_required=True
        ),
        ProviderInfo(
            ANTHROPIC,
            "Anthropic",
            "Claude models through the Anthropic API.",
            "anthropic",
            "ANTHROPIC_API_KEY",
            key_required=True,
        ),
        ProviderInfo(
            OPENAI_COMPATIBLE,
            "OpenAI-compatible server",
            "Any server speaking the OpenAI Chat Completions protocol (vLLM, Ollama, LM Studio…).",
            "openai_compatible",
            "OPENAI_COMPATIBLE_API_KEY",
        ),
    ]
}


@dataclass(frozen=True)
class LLMChoice:
    """Which model to talk to and with which key. The key is never printed or stored.

    `base_url` is the server entered on the Setup page (or on the command line); None: config's.
    """

    provider: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    server_key: bool = False  # the key is the server's (secrets or environment): a worker can find it too
    base_url: str | None = None


def provider(key: str) -> ProviderInfo:
    try:
        return PROVIDERS[key]
    except KeyError:
        raise ChatError("bad_request", f"Unknown provider {key!r}; choose one of {', '.join(PROVIDERS)}.") from None


def models_for(settings: Settings, key: str) -> list[str]:
    info = provider(key)
    return list(settings.providers[info.config_key].models) if info.config_key else []


def base_url_for(settings: Settings, key: str) -> str | None:
    info = provider(key)
    if info.config_key is None:
        return None
    return settings.providers[info.config_key].base_url or None


def base_url_of(settings: Settings, choice: LLMChoice) -> str | None:
    """The server a choice talks to: the one entered for it, else its provider's in config."""
    return choice.base_url or base_url_for(settings, choice.provider)


def timeout_for(settings: Settings, key: str) -> float:
    """Seconds a request to this provider may wait for its answer: `providers.<name>.timeout_seconds`, else
    request_timeout_seconds for a hosted provider and LOCAL_TIMEOUT_SECONDS for an OpenAI-compatible server
    (a small one on a few CPU cores may read a long prompt for minutes)."""
    info = provider(key)
    section = settings.providers.get(info.config_key) if info.config_key else None
    if section is not None and section.timeout_seconds is not None:
        return section.timeout_seconds
    return LOCAL_TIMEOUT_SECONDS if info.key == OPENAI_COMPATIBLE else settings.request_timeout_seconds


def context_window_for(settings: Settings, key: str, model: str) -> int:
    """The context window config gives this provider's model (its server, where it says, is believed over it)."""
    info = provider(key)
    if info.config_key is None:
        raise ChatError("bad_request", "The offline interviewer has no context window.")
    return configured_window(info.config_key, settings.providers.get(info.config_key), model.strip())


VISION_BY_DEFAULT = frozenset({OPENAI, ANTHROPIC})
"""Providers whose chat models read images unless config says otherwise (every configured model of theirs does)."""


def vision_capable(settings: Settings, key: str) -> bool:
    """Whether this provider's models are sent pictures: `providers.<name>.vision` in config, else its default.

    An OpenAI-compatible server may run a text-only model, so it gets pictures only when configured to.
    """
    info = provider(key)
    if info.config_key is None:
        return False
    configured = settings.providers.get(info.config_key)
    if configured is not None and configured.vision is not None:
        return bool(configured.vision)
    return info.key in VISION_BY_DEFAULT


def resolve_api_key(
    key: str,
    *,
    entered: str | None = None,
    secrets: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """The key typed on the Setup page, else Streamlit secrets, else the environment."""
    info = provider(key)
    if info.key_variable is None:
        return None
    if entered and entered.strip():
        return entered.strip()
    if secrets is not None and isinstance(secrets.get(info.key_variable), str) and secrets[info.key_variable]:
        return str(secrets[info.key_variable])
    value = (os.environ if environ is None else environ).get(info.key_variable, "")
    return value or None


def chat_model_for(settings: Settings, choice: LLMChoice) -> ChatModel:
    """The ready-to-call model for a choice; raises ChatError (missing_key…) before any request."""
    from core.llm.chat_factory import make_chat_model

    info = provider(choice.provider)
    if not info.is_llm:
        raise ChatError("bad_request", "The offline interviewer needs no model.")
    return make_chat_model(
        choice.provider,
        choice.model,
        api_key=choice.api_key,
        base_url=base_url_of(settings, choice),
        timeout=timeout_for(settings, choice.provider),
        context_window=context_window_for(settings, choice.provider, choice.model),
    )


def validate_choice(settings: Settings, choice: LLMChoice) -> None:
    """A cheap real call: does the key work and does the model exist? Raises ChatError."""
    chat = chat_model_for(settings, choice)
    try:
        chat.validate()
    finally:
        chat.close()
