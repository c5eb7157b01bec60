"""What a call cost, from the price table in config (USD per million tokens).

Input the provider's prompt cache served or wrote is priced apart: Anthropic bills cache reads at 0.1x and
cache writes at 1.25x its input price; OpenAI bills cached input at a discount that depends on the model
(half for the GPT-4o generation, a quarter or a tenth for later ones: config's `cached_input` says which) and
writes at the plain price. A model whose cache prices config leaves out gets its provider's ratio below.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.config import Price
from core.llm.chat_models import Usage
from core.models import TokenUsage
from core.provider_ids import ANTHROPIC

CACHE_READ_SHARE = {ANTHROPIC: 0.1}  # of the input price, by provider
CACHE_WRITE_SHARE = {ANTHROPIC: 1.25}
DEFAULT_CACHE_READ_SHARE = 0.5  # OpenAI's oldest (least generous) cached-input discount, for a model not priced
DEFAULT_CACHE_WRITE_SHARE = 1.0


def cost_usd(prices: Mapping[str, Price], model: str, usage: Usage, *, provider: str = "") -> float | None:
    """None when the model has no price in config: shown as "price unknown", never as free."""
    price = prices.get(model)
    if price is None:
        return None
    read_price = price.cached_input
    if read_price is None:
        read_price = price.input * CACHE_READ_SHARE.get(provider, DEFAULT_CACHE_READ_SHARE)
    write_price = price.cache_write
    if write_price is None:
        write_price = price.input * CACHE_WRITE_SHARE.get(provider, DEFAULT_CACHE_WRITE_SHARE)
    plain = max(0, usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens)
    total = (
        plain * price.input
        + usage.cache_read_tokens * read_price
        + usage.cache_write_tokens * write_price
        + usage.output_tokens * price.output
    )
    return round(total / 1_000_000, 6)


def usage_entry(
    prices: Mapping[str, Price],
    *,
    session_id: str,
    provider: str,
    model: str,
    operation: str,
    usage: Usage | None,
    duration_ms: int,
) -> TokenUsage:
    """One call's tokens and cost, as stored with the session (an unpriced model counts 0 and says so elsewhere)."""
    usage = usage or Usage()
    cost = cost_usd(prices, model, usage, provider=provider)
    return TokenUsage(
        session_id=session_id,
        provider=provider,
        model=model,
        operation=operation,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cost_usd=cost if cost is not None else 0.0,
        duration_ms=duration_ms,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
    )
