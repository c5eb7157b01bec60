from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.config import LOCAL_TIMEOUT_SECONDS, ProviderSettings, Settings, load_settings
from core.errors import ConfigError
from core.llm.chat_models import ChatError
from core.llm.providers import (
    PROVIDERS,
    LLMChoice,
    chat_model_for,
    context_window_for,
    models_for,
    resolve_api_key,
    timeout_for,
    vision_capable,
)


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


def test_openai_and_anthropic_read_images_and_a_compatible_server_only_when_configured() -> None:
    def settings(**vision: bool) -> Settings:
        return Settings(
            providers={
                name: ProviderSettings(models=["m"], base_url="http://127.0.0.1:1/v1", vision=vision.get(name))
                for name in ("openai", "anthropic", "openai_compatible")
            }
        )

    defaults = settings()
    assert [vision_capable(defaults, k) for k in ("offline", "openai", "anthropic", "openai-compatible")] == [
        False,
        True,
        True,
        False,
    ]
    configured = settings(openai=False, openai_compatible=True)
    assert not vision_capable(configured, "openai") and vision_capable(configured, "openai-compatible")


def test_the_shipped_config_and_the_environment_set_vision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = yaml.safe_load((Path(__file__).resolve().parents[3] / "config.yaml").read_text())["providers"]
    assert {name: p["vision"] for name, p in shipped.items()} == {
        "openai": True,
        "anthropic": True,
        "openai_compatible": False,
    }
    path = tmp_path / "config.yaml"
    path.write_text("providers:\n  openai_compatible:\n    models: [llava]\n    base_url: http://127.0.0.1:1/v1\n")
    monkeypatch.setenv("IW_CONFIG_FILE", str(path))
    monkeypatch.setenv("IW_PROVIDERS__OPENAI_COMPATIBLE__VISION", "true")  # a server running a model that sees
    assert vision_capable(load_settings(), "openai-compatible")


def test_a_local_server_waits_minutes_and_hosted_providers_keep_the_request_timeout() -> None:
    settings = Settings(request_timeout_seconds=30)
    assert timeout_for(settings, "openai") == 30 and timeout_for(settings, "anthropic") == 30
    assert timeout_for(settings, "openai-compatible") == LOCAL_TIMEOUT_SECONDS >= 300
    tuned = Settings(
        providers={
            "openai": ProviderSettings(models=["m"], timeout_seconds=45),
            "openai_compatible": ProviderSettings(models=["m"], base_url="http://127.0.0.1:1/v1", timeout_seconds=2),
        }
    )
    assert timeout_for(tuned, "openai") == 45 and timeout_for(tuned, "openai-compatible") == 2
    assert chat_model_for(tuned, LLMChoice("openai-compatible", "m")).timeout == 2  # type: ignore[attr-defined]


def test_context_windows_come_from_config_then_the_known_models_then_the_provider() -> None:
    defaults = Settings()
    assert context_window_for(defaults, "openai", "gpt-4.1-mini") == 1_047_576
    assert context_window_for(defaults, "anthropic", "claude-haiku-4-5") == 200_000
    assert context_window_for(defaults, "openai", "gpt-unheard-of") == 128_000
    assert context_window_for(defaults, "openai-compatible", "llama3.1") == 4_096  # Ollama's default num_ctx
    configured = Settings(
        providers={
            "openai_compatible": ProviderSettings(
                models=["qwen"],
                base_url="http://127.0.0.1:1/v1",
                context_windows={"qwen": 32_768},
                context_window=8_192,
            ),
        }
    )
    assert context_window_for(configured, "openai-compatible", "qwen") == 32_768
    assert context_window_for(configured, "openai-compatible", "other") == 8_192


def test_the_shipped_config_names_the_windows_of_its_hosted_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = load_settings()
    for section in ("openai", "anthropic"):
        for model in shipped.providers[section].models:
            assert model in shipped.providers[section].context_windows, f"{section} {model} has no context window"
    assert timeout_for(shipped, "openai-compatible") >= 300
    path = tmp_path / "config.yaml"
    path.write_text("providers:\n  openai_compatible:\n    models: [qwen]\n    base_url: http://127.0.0.1:1/v1\n")
    monkeypatch.setenv("IW_CONFIG_FILE", str(path))
    monkeypatch.setenv("IW_PROVIDERS__OPENAI_COMPATIBLE__CONTEXT_WINDOW", "16384")
    monkeypatch.setenv("IW_PROVIDERS__OPENAI_COMPATIBLE__TIMEOUT_SECONDS", "900")
    settings = load_settings()
    assert context_window_for(settings, "openai-compatible", "qwen") == 16_384
    assert timeout_for(settings, "openai-compatible") == 900


def test_a_window_too_small_to_be_real_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("providers:\n  openai:\n    models: [m]\n    context_windows: {m: 12}\n")
    monkeypatch.setenv("IW_CONFIG_FILE", str(path))
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "providers.openai.context_windows.m" in str(caught.value)
