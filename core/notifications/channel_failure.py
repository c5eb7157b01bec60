"""Why a Slack post or a text message did not go, in a sentence, and whether trying again can help.

`reason` is for the outbox; `summary` for the job's record, which outlives the message, so it never quotes the
service's words (Twilio's may name the number). Neither ever holds the Slack webhook's URL or Twilio's token.
`retry_after` is the wait the service asked for (a 429's Retry-After), when it said.
"""

from __future__ import annotations


class ChannelFailure(Exception):
    def __init__(self, reason: str, *, summary: str, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.summary = summary
        self.permanent = permanent
        self.retry_after = retry_after


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header's seconds; None when absent or a date (the queue's backoff then decides)."""
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


def unreachable(service: str, exc: Exception) -> ChannelFailure:
    """No answer at all (no connection, a timeout): passing. The exception's text is left out: it can hold the
    address, and Slack's address is the secret."""
    reason = f"Could not reach {service} ({type(exc).__name__}); trying again."
    return ChannelFailure(reason, summary=reason, permanent=False)
