from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.config import ProviderSettings, Settings, load_settings
from core.llm.chat_models import ChatError
from core.llm.providers import PROVIDERS, LLMChoice, chat_model_for, models_for, resolve_api_key, vision_capable


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
