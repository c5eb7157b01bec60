"""Which failed provider requests are sent again, and after how long.

A request is sent again only when the server refused it without working on it: an HTTP answer of 429 (rate
limit), 500, 502 or 503 (a server error or overload: the server has answered, so it is no longer at work on
it), Anthropic's 529 (overloaded), or a connection that could not even be opened. A timeout, a 504/408
(a gateway or server that gave up waiting) or a connection dropped after the request went out is never
sent again: a single-threaded local server goes on generating the abandoned request, and each copy would
queue behind it (llama.cpp took minutes to work off three copies of one evaluation). The SDKs' own retries
are switched off, since they resend on timeouts too.

Waits honour the server's retry-after-ms / retry-after (core.llm.chat_errors.retry_after_seconds) up to
MAX_WAIT_SECONDS, and are otherwise exponential with jitter. At most MAX_ATTEMPTS sends in all.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

from core.llm.chat_errors import retry_after_seconds
from core.llm.chat_models import MAX_ATTEMPTS

RESEND_STATUSES = frozenset({429, 500, 502, 503, 529})
MAX_WAIT_SECONDS = 20.0  # a server asking for a longer wait is not waited for: the error tells the person when
FIRST_DELAY_SECONDS = 0.5

_T = TypeVar("_T")

WaitBeforeResend = Callable[[Exception, int], float | None]
"""Seconds to wait before sending again after this failure on this attempt (1-based), or None: do not resend."""


def send(
    attempt: Callable[[], _T],
    *,
    wait_before_resend: WaitBeforeResend,
    attempts: int = MAX_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> _T:
    """`attempt()`, sent again while `wait_before_resend` allows and attempts are left; the last failure is raised."""
    for number in range(1, attempts + 1):
        try:
            return attempt()
        except Exception as exc:
            wait = wait_before_resend(exc, number) if number < attempts else None
            if wait is None:
                raise
            sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")


def wait_after_status(status: int, headers: Mapping[str, str] | None, attempt: int) -> float | None:
    """The wait before resending after an HTTP error answer, or None when that answer is not worth another send."""
    if status not in RESEND_STATUSES:
        return None
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    if lowered.get("x-should-retry", "").lower() == "false":
        return None
    asked = retry_after_seconds(headers)
    if asked is not None:
        return asked if asked <= MAX_WAIT_SECONDS else None
    return backoff(attempt)


def backoff(attempt: int) -> float:
    """0.5 s before the second send, 1 s before the third…, each shortened by up to a quarter at random."""
    return FIRST_DELAY_SECONDS * 2 ** (attempt - 1) * (1 - 0.25 * random.random())
