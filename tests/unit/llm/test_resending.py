"""Which failed requests are sent again: only those refused before any work, with the server's wait."""

from __future__ import annotations

import pytest

from core.llm import resending
from core.llm.chat_models import MAX_ATTEMPTS


class Refused(Exception):
    pass


def test_a_refusal_is_sent_again_after_the_wait_and_a_success_ends_it() -> None:
    outcomes: list[object] = [Refused(), Refused(), "done"]
    waits: list[float] = []

    def attempt() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return str(outcome)

    assert resending.send(attempt, wait_before_resend=lambda exc, n: 0.25 * n, sleep=waits.append) == "done"
    assert waits == [0.25, 0.5]


def test_what_may_not_be_resent_is_raised_at_once_and_the_last_attempt_is_raised() -> None:
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        raise Refused

    with pytest.raises(Refused):
        resending.send(attempt, wait_before_resend=lambda exc, n: None, sleep=lambda s: None)
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(Refused):
        resending.send(attempt, wait_before_resend=lambda exc, n: 0.0, sleep=lambda s: None)
    assert len(calls) == MAX_ATTEMPTS


@pytest.mark.parametrize("status", [429, 500, 502, 503, 529])
def test_answers_that_refused_the_work_are_resent(status: int) -> None:
    wait = resending.wait_after_status(status, {}, 1)
    assert wait is not None and 0.375 <= wait <= 0.5  # the first backoff, shortened by up to a quarter


@pytest.mark.parametrize("status", [400, 401, 404, 408, 413, 504])
def test_other_answers_and_gateway_timeouts_are_not(status: int) -> None:
    assert resending.wait_after_status(status, {}, 1) is None


def test_the_server_s_wait_is_honoured_up_to_a_limit_and_its_no_is_heard() -> None:
    assert resending.wait_after_status(429, {"retry-after-ms": "5", "retry-after": "1"}, 1) == 0.005
    assert resending.wait_after_status(503, {"Retry-After": "2"}, 2) == 2.0
    assert resending.wait_after_status(429, {"retry-after": "120"}, 1) is None  # told when to try, not waited out
    assert resending.wait_after_status(500, {"x-should-retry": "false"}, 1) is None


def test_the_backoff_doubles_with_up_to_a_quarter_off() -> None:
    for attempt in (1, 2, 3):
        full = resending.FIRST_DELAY_SECONDS * 2 ** (attempt - 1)
        assert 0.75 * full <= resending.backoff(attempt) <= full
