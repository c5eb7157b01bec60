"""A loopback fake of Cal.com API v2 and of its webhook sender, for tests that run real HTTP against it.

    with CalcomServer(api_key="cal_test_key") as server:
        with CalcomClient("cal_test_key", base_url=server.base_url) as client:
            booking = client.create_booking(event_type_id=101, start=..., attendee_name=..., ...)
        server.fail_next(503)            # hooks: fail_next, drop_next, delay_next, hide_next_list, block_key
        server.emit_webhook(receiver_url, "BOOKING_CREATED", booking.uid, secret="whsec")

`sign`, `webhook_body` and `post_webhook` build and send webhook deliveries without a server.
See tests/calcom_fake/server.py for what the fake checks and how it answers.
"""

from tests.calcom_fake.server import (
    BOOKINGS_VERSION,
    DEFAULT_API_KEY,
    DEFAULT_EVENT_TYPES,
    EVENT_TYPES_VERSION,
    MEETING_TRIGGERS,
    NO_SECRET,
    SLOTS_VERSION,
    WEBHOOK_VERSION,
    Availability,
    CalcomServer,
    FakeBooking,
    FakeEventType,
    FakeHost,
    RecordedRequest,
    WebhookDelivery,
    compact_json,
    post_webhook,
    sign,
    webhook_body,
)

__all__ = [
    "BOOKINGS_VERSION",
    "DEFAULT_API_KEY",
    "DEFAULT_EVENT_TYPES",
    "EVENT_TYPES_VERSION",
    "MEETING_TRIGGERS",
    "NO_SECRET",
    "SLOTS_VERSION",
    "WEBHOOK_VERSION",
    "Availability",
    "CalcomServer",
    "FakeBooking",
    "FakeEventType",
    "FakeHost",
    "RecordedRequest",
    "WebhookDelivery",
    "compact_json",
    "post_webhook",
    "sign",
    "webhook_body",
]
