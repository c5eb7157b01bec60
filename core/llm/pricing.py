"""What a call cost, from the price table in config (USD per million tokens)."""

from __future__ import annotations

from collections.abc import Mapping

from core.config import Price
from core.llm.chat_models import Usage
from core.models import TokenUsage


def cost_usd(prices: Mapping[str, Price], model: str, input_tokens: int, output_tokens: int) -> float | None:
    """None when the model has no price in config: shown as "price unknown", never as free."""
    price = prices.get(model)
    if price is None:
        return None
    return round((input_tokens * price.input + output_tokens * price.output) / 1_000_000, 6)


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
    cost = cost_usd(prices, model, usage.input_tokens, usage.output_tokens)
    return TokenUsage(
        session_id=session_id,
        provider=provider,
        model=model,
        operation=operation,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cost_usd=cost if cost is not None else 0.0,
        duration_ms=duration_ms,
    )
