from __future__ import annotations

from core.llm.provider_health import ProviderHealth


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_failed_endpoint_cools_down_then_is_tried_again() -> None:
    clock = Clock()
    health = ProviderHealth(cooldown_seconds=60, clock=clock)
    assert health.wait_left("openai:default") == 0
    health.failed("openai:default")
    assert health.wait_left("openai:default") == 60
    assert health.wait_left("anthropic:default") == 0  # endpoints are independent
    clock.now += 45
    assert health.wait_left("openai:default") == 15
    clock.now += 15
    assert health.wait_left("openai:default") == 0


def test_a_success_clears_the_failure() -> None:
    health = ProviderHealth(cooldown_seconds=60, clock=Clock())
    health.failed("x")
    health.succeeded("x")
    assert health.wait_left("x") == 0
