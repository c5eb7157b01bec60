"""Fitting a request into a context window: the estimate, trimming oldest-first, the output limit, refusal."""

from __future__ import annotations

import pytest

from core.llm.chat_errors import Endpoint
from core.llm.chat_models import ChatError, ChatMessage
from core.llm.context_budget import (
    IMAGE_TOKENS,
    MESSAGE_OVERHEAD,
    REQUEST_OVERHEAD,
    TRIM_STEP,
    FittedRequest,
    Overflow,
    estimate_tokens,
    fit,
    fitted_or_refused,
    prompt_tokens,
)

SYSTEM = "You interview a candidate. " * 20  # 540 bytes: 180 tokens


def turns(count: int, size: int = 300) -> list[ChatMessage]:
    """`count` messages alternating user / assistant, each `size` bytes (size / 3 tokens plus the overhead)."""
    return [ChatMessage("user" if i % 2 == 0 else "assistant", f"{i:03d}" + "x" * (size - 3)) for i in range(count)]


def test_the_estimate_counts_three_bytes_a_token_on_the_safe_side() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abc") == 1 and estimate_tokens("abcd") == 2
    # English runs about four characters a token: the estimate is above that
    sentence = "The load balancer spreads requests over the application servers behind it."
    assert estimate_tokens(sentence) > len(sentence) / 4
    assert estimate_tokens("日本語") == 3  # three bytes each: a token a character
    picture = ChatMessage("user", "", images=(b"png",))
    assert prompt_tokens("", [picture]) == REQUEST_OVERHEAD + MESSAGE_OVERHEAD + IMAGE_TOKENS


def test_everything_goes_when_it_fits_with_the_full_output() -> None:
    messages = turns(6)
    fitted = fit(SYSTEM, messages, window=8_000, max_tokens=700)
    assert isinstance(fitted, FittedRequest)
    assert fitted.messages == messages and fitted.dropped == 0 and fitted.max_tokens == 700
    assert fitted.prompt_tokens == prompt_tokens(SYSTEM, messages)


def test_the_oldest_messages_go_first_and_the_kept_part_starts_with_the_user() -> None:
    messages = turns(41)  # 41 × 108 tokens: far over a 2,048-token window
    fitted = fit(SYSTEM, messages, window=2_048, max_tokens=700)
    assert isinstance(fitted, FittedRequest)
    assert fitted.messages == messages[fitted.dropped :]
    assert fitted.messages[-1] == messages[-1] and fitted.messages[0].role == "user"
    assert fitted.max_tokens == 700  # history is what gives way, while the full output fits
    assert fitted.prompt_tokens + fitted.max_tokens <= 2_048


def test_the_cut_moves_on_a_grid_so_consecutive_turns_keep_the_same_start() -> None:
    starts = set()
    for count in range(41, 49, 2):  # four consecutive turns, each adding the reply and the next answer
        fitted = fit(SYSTEM, turns(count), window=4_000, max_tokens=700)
        assert isinstance(fitted, FittedRequest) and fitted.dropped > 0
        assert fitted.dropped % TRIM_STEP == 0
        starts.add(fitted.dropped)
    assert len(starts) <= 2, "the start of the kept history moved every turn: no prefix cache could hold"


def test_when_only_the_latest_turn_fits_the_output_shrinks_to_what_is_left() -> None:
    messages = [*turns(4), ChatMessage("user", "y" * 3_000)]  # the latest: 1,008 tokens
    fitted = fit(SYSTEM, messages, window=2_000, max_tokens=1_500, min_tokens=400)
    assert isinstance(fitted, FittedRequest)
    assert fitted.messages == [messages[-1]]
    assert 400 <= fitted.max_tokens < 1_500
    assert fitted.prompt_tokens + fitted.max_tokens <= 2_000


def test_less_than_the_minimum_output_left_is_an_overflow() -> None:
    evaluation = [ChatMessage("user", "z" * 9_000)]  # 3,008 tokens: one message, nothing to leave out
    over = fit(SYSTEM, evaluation, window=4_096, max_tokens=2_000, min_tokens=1_000)
    assert over == Overflow(prompt_tokens=prompt_tokens(SYSTEM, evaluation), window=4_096, min_tokens=1_000)
    enough = fit(SYSTEM, evaluation, window=4_096, max_tokens=2_000, min_tokens=600)
    assert isinstance(enough, FittedRequest) and 600 <= enough.max_tokens < 2_000


def test_without_a_minimum_a_quarter_of_the_limit_is_needed() -> None:
    message = [ChatMessage("user", "z" * 3_000)]
    window = prompt_tokens("", message) + 175  # 175 left: exactly a quarter of 700, before the margin
    assert isinstance(fit("", message, window=window, max_tokens=700), Overflow)
    assert isinstance(fit("", message, window=window + 100, max_tokens=700), FittedRequest)


def test_a_request_that_cannot_fit_is_refused_with_a_note_a_person_can_act_on() -> None:
    endpoint = Endpoint("openai-compatible", "127.0.0.1:8080")
    with pytest.raises(ChatError) as caught:
        fitted_or_refused(
            SYSTEM,
            [ChatMessage("user", "z" * 12_000)],
            window=4_096,
            max_tokens=2_000,
            min_tokens=1_000,
            endpoint=endpoint,
            model="qwen2.5-0.5b",
        )
    error = caught.value
    assert error.kind == "too_long" and not error.transient
    assert str(error).startswith(
        "The request is too long for qwen2.5-0.5b at 127.0.0.1:8080: about 4,204 tokens of its 4,096-token "
        "context window, leaving 0 for the answer, which needs at least 1,000."
    )
    assert "--ctx-size" in str(error) and "context_windows" in str(error)
