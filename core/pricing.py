"""What a call cost, from the price table in config (USD per million tokens)."""

from __future__ import annotations

from collections.abc import Mapping

from core.config import Price


def cost_usd(prices: Mapping[str, Price], model: str, input_tokens: int, output_tokens: int) -> float | None:
    """None when the model has no price in config: shown as "price unknown", never as free."""
    price = prices.get(model)
    if price is None:
        return None
    return round((input_tokens * price.input + output_tokens * price.output) / 1_000_000, 6)
