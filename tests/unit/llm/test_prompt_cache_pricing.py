"""Where Anthropic's cache breakpoints go, and what cached input costs."""

from __future__ import annotations

from typing import Any

import pytest

from core.config import Price
from core.llm.anthropic_cache import MAX_BREAKPOINTS, mark, min_cacheable_tokens
from core.llm.chat_models import Usage
from core.llm.pricing import cost_usd

LONG = "word " * 2000  # about 3,400 tokens by the app's estimate


def params(system: str, *turns: tuple[str, str]) -> dict[str, Any]:
    return {"model": "m", "system": system, "messages": [{"role": r, "content": c} for r, c in turns]}


def test_the_minimum_is_the_models_own() -> None:
    assert min_cacheable_tokens("claude-sonnet-4-5") == 1024
    assert min_cacheable_tokens("claude-opus-4-5-20251101") == 4096
    assert min_cacheable_tokens("claude-haiku-4-5") == 4096
    assert min_cacheable_tokens("claude-3-haiku-20240307") == 2048
    assert min_cacheable_tokens("a-model-nobody-knows") == 1024


def test_two_breakpoints_system_and_the_history_before_the_latest_turn() -> None:
    request = params(LONG, ("user", "hi"), ("assistant", "hello"), ("user", "latest"))
    assert mark(request, model="claude-sonnet-4-5") == 2
    assert request["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert request["messages"][1]["content"] == [
        {"type": "text", "text": "hello", "cache_control": {"type": "ephemeral"}}
    ]
    assert request["messages"][2]["content"] == "latest"


def test_a_short_system_prompt_is_left_alone_but_a_long_history_is_marked() -> None:
    request = params("Be brief.", ("user", LONG), ("assistant", "ok"), ("user", "next"))
    assert mark(request, model="claude-sonnet-4-5") == 1
    assert request["system"] == "Be brief." and "cache_control" in request["messages"][1]["content"][-1]


def test_a_whole_request_caches_its_final_turn_too_and_never_more_than_four() -> None:
    request = params(LONG, ("user", "a"), ("assistant", "b"), ("user", "c"))
    assert mark(request, model="claude-sonnet-4-5", whole_request=True) == 3 <= MAX_BREAKPOINTS
    assert request["messages"][2]["content"][-1]["cache_control"] == {"type": "ephemeral"}


def test_image_blocks_keep_their_place_and_the_marker_goes_on_the_last_block() -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
    request = params(LONG, ("user", "a"), ("assistant", "b"), ("user", "c"))
    request["messages"][1]["content"] = [image, {"type": "text", "text": "board"}]
    mark(request, model="claude-sonnet-4-5")
    assert request["messages"][1]["content"][0] == image
    assert request["messages"][1]["content"][1]["cache_control"] == {"type": "ephemeral"}


PRICES = {"claude": Price(input=3.0, output=15.0), "gpt": Price(input=1.25, output=10.0, cached_input=0.125)}


def test_anthropic_reads_cost_a_tenth_and_writes_a_quarter_more() -> None:
    usage = Usage(input_tokens=10_000, output_tokens=100, cache_read_tokens=6_000, cache_write_tokens=3_000)
    expected = (1_000 * 3.0 + 6_000 * 0.3 + 3_000 * 3.75 + 100 * 15.0) / 1_000_000
    assert cost_usd(PRICES, "claude", usage, provider="anthropic") == pytest.approx(expected)


def test_openai_cached_input_costs_what_config_says_and_writes_nothing_extra() -> None:
    usage = Usage(input_tokens=10_000, output_tokens=100, cache_read_tokens=8_192)
    expected = (1_808 * 1.25 + 8_192 * 0.125 + 100 * 10.0) / 1_000_000
    assert cost_usd(PRICES, "gpt", usage, provider="openai") == pytest.approx(expected)


def test_without_a_cached_price_openai_input_read_from_the_cache_costs_half() -> None:
    prices = {"gpt": Price(input=2.0, output=8.0)}
    usage = Usage(input_tokens=4_000, output_tokens=0, cache_read_tokens=2_048)
    assert cost_usd(prices, "gpt", usage, provider="openai") == pytest.approx((1_952 * 2.0 + 2_048 * 1.0) / 1e6)


def test_an_unpriced_model_stays_unknown() -> None:
    assert cost_usd(PRICES, "other", Usage(10, 10, cache_read_tokens=5), provider="anthropic") is None
