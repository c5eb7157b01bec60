"""Every action the features record sorts into one kind, and reads as a sentence."""

from __future__ import annotations

import re
from pathlib import Path

from core.activity.kinds import ACTIONS, NAMED, Kind, action_label, actions_of, kind_of

CORE = Path(__file__).resolve().parents[3] / "core"


def test_no_action_is_in_two_kinds() -> None:
    assert len(NAMED) == len(set(NAMED))


def test_the_kinds_the_activity_page_promises_name_actions_the_features_record() -> None:
    """A kind that names an action no feature records would filter to nothing: the names are checked against
    the audit.record calls in core (the Cal.com ones are built from the trigger, so they are spelled out)."""
    recorded = set()
    for path in CORE.rglob("*.py"):
        recorded |= set(re.findall(r'audit\.record\(\s*uow,\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
        recorded |= set(re.findall(r'audit_as="([a-z_]+)"', path.read_text(encoding="utf-8")))
        recorded |= set(re.findall(r'_audit\(uow, "([a-z_]+)"', path.read_text(encoding="utf-8")))
    built = {f"booking_booking_{t}" for t in ("created", "requested", "cancelled", "rejected", "rescheduled")}
    built |= {"meeting_started", "meeting_ended", "session_paused", "session_resumed", "session_cancelled"}
    built |= {f"{channel}_{outcome}" for channel in ("slack", "sms") for outcome in ("sent", "failed")}
    built |= {"webhook_delivered", "webhook_delivery_failed", "webhook_enabled", "webhook_disabled"}
    missing = [a for a in NAMED if a not in recorded | built]
    assert missing == []


def test_an_action_no_kind_names_is_other() -> None:
    assert kind_of("note_edited") is Kind.OTHER
    assert kind_of("email_failed") is Kind.NOTIFICATIONS
    assert kind_of("webhook_refused") is Kind.WEBHOOKS
    assert actions_of(None) == (None, ())
    assert actions_of(Kind.OTHER) == (None, NAMED)
    assert actions_of(Kind.OVERRIDES) == (ACTIONS[Kind.OVERRIDES], ())


def test_actions_read_as_sentences() -> None:
    assert action_label("email_sent") == "Email sent"
    assert action_label("booking_booking_cancelled") == "Cal.com: booking cancelled"
    assert action_label("session_completed") == "Interview evaluated"
    assert action_label("") == "—"
