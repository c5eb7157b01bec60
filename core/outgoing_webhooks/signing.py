"""Standard Webhooks signing: a subscription's secret, and the three headers that let its receiver trust a POST.

The receiver checks webhook-signature (HMAC-SHA256 over "webhook-id.webhook-timestamp.body", keyed with the
secret) and refuses a timestamp more than a few minutes from its own clock, so a captured request cannot be
replayed later by someone else; webhook-id is what it remembers to drop a repeat. The signing itself is the
`standardwebhooks` library's, the reference implementation receivers verify with.
"""

from __future__ import annotations

import base64
import math
import secrets
import uuid
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the key is 256 bits, as long as the HMAC-SHA256 it keys


def new_secret() -> str:
    """A subscription's signing secret in the Standard Webhooks format: "whsec_" + base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def new_message_id() -> str:
    """The webhook-id of one event: the same on every try and replay, so a receiver can drop repeats."""
    return f"msg_{uuid.uuid4().hex}"


def signed_headers(secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    """The webhook-id, webhook-timestamp and webhook-signature headers of `body` sent at `at`."""
    payload = body.encode("utf-8")
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),  # whole seconds, as the signature covers them
        "webhook-signature": Webhook(secret).sign(message_id, at, payload),
    }
