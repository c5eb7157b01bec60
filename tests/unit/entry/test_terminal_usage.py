"""The terminal interview's last word on cost: free only where it is, never for an unknown price."""

from __future__ import annotations

from core.config import Price, ProviderSettings, Settings
from core.interview.services import UsageSummary
from core.llm.providers import LLMChoice
from entry.terminal_interview import usage_line

LOCAL = "http://127.0.0.1:8080/v1"


def settings(base_url: str = LOCAL) -> Settings:
    return Settings(
        providers={"openai_compatible": ProviderSettings(models=["llama3.1"], base_url=base_url)},
        prices={"gpt-5-mini": Price(input=0.25, output=2.0)},
    )


def test_the_offline_engine_is_free() -> None:
    assert usage_line(settings(), "offline", None, UsageSummary()) == (
        "Usage: free — the offline engine runs on this machine: no tokens, no cost."
    )


def test_an_unpriced_model_on_a_server_of_ones_own_is_free_and_elsewhere_of_unknown_price() -> None:
    usage = UsageSummary(calls=2, input_tokens=1200, output_tokens=34, unpriced_models=["llama3.1"])
    local = LLMChoice("openai-compatible", "llama3.1")
    assert usage_line(settings(), "openai-compatible", local, usage) == (
        "Usage: 1,234 tokens (1,200 in, 34 out) · free: a server of your own, no price in config"
    )
    entered = LLMChoice("openai-compatible", "llama3.1", base_url="https://api.together.xyz/v1")
    assert usage_line(settings(), "openai-compatible", entered, usage) == (
        "Usage: 1,234 tokens (1,200 in, 34 out) · $0.0000 + price unknown for llama3.1 (prices: in config.yaml)"
    )
    assert "free" not in usage_line(settings("https://llm.example.com/v1"), "openai-compatible", local, usage)


def test_a_priced_model_shows_its_cost() -> None:
    usage = UsageSummary(calls=1, input_tokens=1000, output_tokens=500, cost_usd=0.00125)
    assert usage_line(settings(), "openai", LLMChoice("openai", "gpt-5-mini"), usage) == (
        "Usage: 1,500 tokens (1,000 in, 500 out) · $0.0013"
    )


def test_the_answers_the_cache_gave_are_counted_with_the_usage() -> None:
    usage = UsageSummary(calls=1, answers=12, cached_answers=12, unpriced_models=["llama3.1"])
    local = LLMChoice("openai-compatible", "llama3.1")
    assert usage_line(settings(), "openai-compatible", local, usage) == (
        "Usage: 0 tokens (0 in, 0 out) · free: a server of your own, no price in config · "
        "12 of 12 model answers from the cache"
    )
