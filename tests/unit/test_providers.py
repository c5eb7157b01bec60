from __future__ import annotations

import pytest

from core.chat_models import ChatError
from core.config import Settings
from core.providers import PROVIDERS, LLMChoice, chat_model_for, models_for, resolve_api_key


def test_a_typed_key_beats_secrets_which_beat_the_environment() -> None:
    env = {"OPENAI_API_KEY": "from-env"}
    secrets = {"OPENAI_API_KEY": "from-secrets"}
    assert resolve_api_key("openai", entered=" typed ", secrets=secrets, environ=env) == "typed"
    assert resolve_api_key("openai", entered="", secrets=secrets, environ=env) == "from-secrets"
    assert resolve_api_key("openai", secrets={}, environ=env) == "from-env"
    assert resolve_api_key("openai", secrets=None, environ={}) is None
    assert resolve_api_key("anthropic", secrets=secrets, environ=env) is None  # each provider its own name
    assert resolve_api_key("offline", entered="x", environ=env) is None


def test_the_key_never_shows_in_a_choice() -> None:
    assert "secret-value" not in repr(LLMChoice("openai", "gpt-5-mini", "secret-value"))


def test_models_come_from_config() -> None:
    settings = Settings()
    assert models_for(settings, "offline") == []
    assert models_for(settings, "anthropic") == list(settings.providers["anthropic"].models)
    assert all(PROVIDERS[k].is_llm for k in ("openai", "anthropic", "openai-compatible"))


def test_a_missing_key_is_refused_before_any_request() -> None:
    with pytest.raises(ChatError) as info:
        chat_model_for(Settings(), LLMChoice("openai", "gpt-5-mini", None))
    assert info.value.kind == "missing_key" and "OPENAI_API_KEY" in str(info.value)
    with pytest.raises(ChatError, match="Unknown provider"):
        chat_model_for(Settings(), LLMChoice("mystery", "m", "k"))
