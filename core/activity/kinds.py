"""The kinds of activity people filter by, and the audit log's actions each holds.

The actions are the names features give core.audit.record; an action no kind names is "other", so a new
action shows up on the Activity page before anyone sorts it here.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    BOOKINGS = "bookings"
    NOTIFICATIONS = "notifications"
    WEBHOOKS = "webhooks"
    EVALUATIONS = "evaluations"
    OVERRIDES = "overrides"
    SIGN_INS = "sign_ins"
    INTERVIEWS = "interviews"
    PEOPLE = "people"
    PRIVACY = "privacy"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Kind.BOOKINGS: "Bookings",
    Kind.NOTIFICATIONS: "Emails",
    Kind.WEBHOOKS: "Webhooks",
    Kind.EVALUATIONS: "Evaluations",
    Kind.OVERRIDES: "Overrides",
    Kind.SIGN_INS: "Sign-ins",
    Kind.INTERVIEWS: "Interviews",
    Kind.PEOPLE: "People",
    Kind.PRIVACY: "Privacy",
    Kind.OTHER: "Other",
}

# Cal.com's booking triggers as core.scheduling.booking_sync records them ("booking_" + the trigger)
_CALCOM_BOOKINGS = tuple(
    f"booking_{trigger}"
    for trigger in (
        "booking_created",
        "booking_requested",
        "booking_cancelled",
        "booking_rejected",
        "booking_rescheduled",
    )
)

ACTIONS: dict[Kind, tuple[str, ...]] = {
    Kind.BOOKINGS: (
        "interview_booked",
        "interview_rescheduled",
        "interview_cancelled",
        "scheduled_interview_opened",
        *_CALCOM_BOOKINGS,
        "meeting_started",
        "meeting_ended",
    ),
    Kind.NOTIFICATIONS: (
        "email_sent",
        "email_failed",
        "email_retried",
        "follow_up_email_sent",
        "slack_sent",
        "slack_failed",
        "sms_sent",
        "sms_failed",
        "notification_preferences_changed",
    ),
    Kind.WEBHOOKS: (
        "webhook_processed",
        "webhook_failed",
        "webhook_refused",
        "webhook_delivered",
        "webhook_delivery_failed",
        "webhook_replayed",
        "webhook_subscribed",
        "webhook_unsubscribed",
        "webhook_enabled",
        "webhook_disabled",
    ),
    Kind.EVALUATIONS: (
        "session_completed",
        "evaluation_released",
        "evaluation_release_withdrawn",
        "score_set",
        "recommendation_computed",
    ),
    Kind.OVERRIDES: ("score_overridden", "recommendation_overridden", "pipeline_overridden"),
    Kind.SIGN_INS: ("signed_in", "signed_out", "sign_in_failed"),
    Kind.INTERVIEWS: (
        "session_created",
        "session_started",
        "session_paused",
        "session_resumed",
        "session_cancelled",
        "session_ended",
        "live_session_created",
        "live_session_opened",
        "stage_changed",
        "message_sent",
        "provider_fallback",
    ),
    Kind.PEOPLE: (
        "account_created",
        "account_updated",
        "account_unlocked",
        "password_set",
        "team_renamed",
        "member_added",
        "member_updated",
        "candidates_merged",
    ),
    Kind.PRIVACY: (
        "consent_given",
        "consent_withdrawn",
        "person_exported",
        "person_erased",
        "retention_applied",
    ),
}

NAMED = tuple(action for actions in ACTIONS.values() for action in actions)
"""Every action some kind holds: "other" is every action but these."""

_KIND_OF = {action: kind for kind, actions in ACTIONS.items() for action in actions}

# How an action reads where its name alone says it badly
_ACTION_LABELS = {
    **{action: f"Cal.com: booking {action.removeprefix('booking_booking_')}" for action in _CALCOM_BOOKINGS},
    "meeting_started": "Cal.com: meeting started",
    "meeting_ended": "Cal.com: meeting ended",
    "session_completed": "Interview evaluated",
    "score_set": "Score given",
    "sign_in_failed": "Sign-in refused",
    "provider_fallback": "Offline engine answered",
    "webhook_processed": "Cal.com webhook applied",
    "webhook_failed": "Cal.com webhook failed",
    "webhook_refused": "Cal.com webhook refused",
    "webhook_delivered": "Outgoing webhook delivered",
    "webhook_delivery_failed": "Outgoing webhook failed",
    "webhook_replayed": "Outgoing webhook replayed",
    "webhook_subscribed": "Webhook subscription added",
    "webhook_unsubscribed": "Webhook subscription deleted",
    "webhook_enabled": "Webhook subscription enabled",
    "webhook_disabled": "Webhook subscription disabled",
    "sms_sent": "SMS sent",
    "sms_failed": "SMS failed",
}


def kind_of(action: str) -> Kind:
    return _KIND_OF.get(action, Kind.OTHER)


def action_label(action: str) -> str:
    """ "email_sent" → "Email sent": the audit log's name for it, as a sentence."""
    return _ACTION_LABELS.get(action) or action.replace("_", " ").strip().capitalize() or "—"


def actions_of(kind: Kind | None) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """(actions to keep, actions to leave out) for a listing of one kind; (None, ()) for every kind."""
    if kind is None:
        return None, ()
    if kind is Kind.OTHER:
        return None, NAMED
    return ACTIONS[kind], ()
