"""What each person wants to be told and how: per event, the channels (email, Slack, SMS), their phone number,
their time zone and their quiet hours, kept on their account and changed only by them.

Defaults, for a person who never chose and for everyone without an account (a candidate booked through Cal.com,
a guest): email for every event, Slack and SMS off. Only the booking events are a person's choice; other
emails (a debrief's follow-up, written by a person to a person) always go by email.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import audit
from core.errors import AccessDenied, InvalidInput
from core.models import Account, Channel
from core.notifications import quiet_hours
from core.notifications.phone_numbers import e164
from core.permissions.actor import Actor
from core.workspace import Workspace

# The outbox kinds of the booking emails (core.scheduling names them) and how the settings form names them.
EVENTS: dict[str, str] = {
    "booking_confirmation": "Interview booked",
    "booking_update": "Interview moved",
    "booking_cancellation": "Interview cancelled",
    "booking_reminder": "Reminder before an interview",
}
DEFAULT_CHANNELS: tuple[Channel, ...] = (Channel.EMAIL,)


@dataclass(frozen=True)
class Choices:
    """A person's choices as the settings form shows and sends them."""

    channels: dict[str, list[Channel]]  # every event in EVENTS -> its channels
    phone: str
    timezone: str
    quiet_hours: str


def channels_for(account: Account | None, kind: str) -> list[Channel]:
    """The channels a message of `kind` goes to this person by; [] when they turned the event off."""
    if account is None or kind not in EVENTS or kind not in account.notify:
        return list(DEFAULT_CHANNELS)
    return [Channel(c) for c in account.notify[kind] if c in Channel.__members__.values()]


def choices_of(account: Account) -> Choices:
    """The person's choices with the defaults filled in, for the form."""
    return Choices(
        channels={kind: channels_for(account, kind) for kind in EVENTS},
        phone=account.phone,
        timezone=account.timezone,
        quiet_hours=account.quiet_hours,
    )


def mine(ws: Workspace, *, actor: Actor) -> Choices:
    """The signed-in person's choices as stored now."""
    if actor.account is None:
        raise AccessDenied("Only a signed-in person has notification preferences.")
    with ws.uow_factory() as uow:
        return choices_of(uow.accounts.get(actor.account.id))


def save(
    ws: Workspace,
    *,
    actor: Actor,
    channels: Mapping[str, Sequence[str]],
    phone: str,
    timezone: str,
    quiet: str,
) -> Account:
    """Store the signed-in person's own choices; InvalidInput says in a sentence what to fix. Audited without
    the phone number."""
    if actor.account is None:
        raise AccessDenied("Only a signed-in person has notification preferences.")
    number = e164(phone)
    chosen = {kind: _channels(channels.get(kind, ())) for kind in EVENTS}
    if not number and any(Channel.SMS in c for c in chosen.values()):
        raise InvalidInput("Add your phone number to get text messages (SMS), or turn SMS off.")
    zone = timezone.strip()
    if zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput("The time zone must be a name such as Europe/Rome or America/New_York.") from None
    stretch = quiet_hours.parse(quiet)
    with ws.uow_factory() as uow:
        account = uow.accounts.get(actor.account.id)
        account.notify = {kind: [c.value for c in picked] for kind, picked in chosen.items()}
        account.phone, account.timezone = number, zone
        account.quiet_hours = str(stretch) if stretch else ""
        stored = uow.accounts.update(account)
        detail = {kind: [c.value for c in picked] for kind, picked in chosen.items()}
        audit.record(uow, "notification_preferences_changed", actor=actor.name, detail=detail)
        uow.commit()
    return stored


def _channels(values: Sequence[str]) -> list[Channel]:
    try:
        return sorted({Channel(v) for v in values}, key=list(Channel).index)
    except ValueError:
        raise InvalidInput(f"A channel is one of {', '.join(c.value for c in Channel)}.") from None
