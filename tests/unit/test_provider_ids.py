"""The provider ids are spelled once (core.provider_ids); the registry and config must name the same ones."""

from __future__ import annotations

from typing import get_args

from core.config import ProviderSection, Settings
from core.llm.providers import PROVIDERS
from core.provider_ids import OPENAI_COMPATIBLE, PROVIDER_IDS, ProviderId


def test_the_registry_config_and_the_ids_name_the_same_providers() -> None:
    assert tuple(PROVIDERS) == PROVIDER_IDS == get_args(ProviderId)
    assert Settings(interviewer_provider=OPENAI_COMPATIBLE).interviewer_provider == "openai-compatible"


def test_every_llm_provider_has_its_own_config_section() -> None:
    sections = [p.config_key for p in PROVIDERS.values() if p.config_key is not None]
    assert sorted(sections) == sorted(get_args(ProviderSection)) == sorted(Settings().providers)
    assert PROVIDERS[OPENAI_COMPATIBLE].config_key == "openai_compatible"
