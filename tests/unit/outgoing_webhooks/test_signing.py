"""Standard Webhooks signing: the secret's format and headers a receiver verifies with the reference library."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from core.outgoing_webhooks.signing import new_message_id, new_secret, signed_headers

BODY = '{"type":"booking.created","data":{"candidate":{"name":"Zoë"}}}'


def test_a_secret_is_whsec_and_the_base64_of_32_random_bytes() -> None:
    secrets = {new_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32


def test_the_headers_verify_and_any_change_does_not() -> None:
    secret, message_id, now = new_secret(), new_message_id(), datetime.now(UTC)
    headers = signed_headers(secret, message_id, BODY, now)
    assert headers["webhook-id"] == message_id and message_id.startswith("msg_")
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(BODY.encode(), headers)["data"]["candidate"]["name"] == "Zoë"

    for body, changed in (
        (BODY.replace("Zoë", "Zoe"), headers),
        (BODY, {**headers, "webhook-id": new_message_id()}),
        (BODY, {**headers, "webhook-timestamp": str(int(now.timestamp()) - 1)}),
    ):
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(body.encode(), changed)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY.encode(), headers)


def test_a_signature_made_long_ago_is_refused_by_the_receiver() -> None:
    secret = new_secret()
    old = signed_headers(secret, new_message_id(), BODY, datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(BODY.encode(), old)
