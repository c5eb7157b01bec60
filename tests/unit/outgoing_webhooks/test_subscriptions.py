"""Subscriptions over the in-memory unit of work: who may manage them, what addresses and events are refused and
how, the secret shown once, and what enabling, disabling and deleting do."""

from __future__ import annotations

import json

import pytest

from core.errors import AccessDenied, InvalidInput
from core.models import Account, AccountRole
from core.outgoing_webhooks import deliveries, subscriptions
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import ADMIN
from tests.fakes import FakeUnitOfWork

URL = "https://ats.example.com/hooks/interviews"


def person(*roles: AccountRole) -> Actor:
    return Actor.person(Account(id="p1", email="p@example.com", name="P", roles=list(roles)))


def test_only_an_admin_manages_subscriptions_and_sees_deliveries(ws: Workspace, uow: FakeUnitOfWork) -> None:
    made = subscriptions.subscribe(ws, url=URL, events=["booking.created"], actor=person(AccountRole.ADMIN))
    for role in (AccountRole.INTERVIEWER, AccountRole.REVIEWER, AccountRole.CANDIDATE):
        someone = person(role)
        for attempt in (
            lambda a=someone: subscriptions.subscribe(ws, url=URL, events=["booking.created"], actor=a),
            lambda a=someone: subscriptions.listing(ws, actor=a),
            lambda a=someone: subscriptions.set_enabled(ws, made.id, False, actor=a),
            lambda a=someone: subscriptions.unsubscribe(ws, made.id, actor=a),
            lambda a=someone: deliveries.recent(ws, actor=a),
            lambda a=someone: deliveries.replay(ws, 1, actor=a),
        ):
            with pytest.raises(AccessDenied):
                attempt()
    assert [s.id for s in uow.webhook_subscriptions.all()] == [made.id]
    assert uow.webhook_subscriptions.get(made.id).enabled


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the address the receiver listens on, e.g. https://"),
        ("ats.example.com/hooks", "is not a web address: it must start with https://"),
        ("ftp://ats.example.com/hooks", "is not a web address: it must start with https://"),
        ("https://ats.example .com/hooks", "has spaces or line breaks in it"),
        ("https://ats.example.com/a\nb", "has spaces or line breaks in it"),
        ("https://ats:secret@ats.example.com/hooks", "Put no user name or password in the address"),
        ("https://ats.example.com:99999/hooks", "is not a web address: check the host and the port"),
        ("https://-ats-/hooks", "has no valid host name"),
        ("https:///hooks", "has no valid host name"),
        ("https://ats.example.com/" + "x" * 2000, "keep it under 2000"),
    ],
)
def test_a_bad_address_is_refused_with_the_reason_and_nothing_is_stored(
    ws: Workspace, uow: FakeUnitOfWork, url: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        subscriptions.subscribe(ws, url=url, events=["booking.created"], actor=ADMIN)
    assert message in str(refused.value)
    assert uow.webhook_subscriptions.all() == []


def test_good_addresses_are_kept_as_typed(ws: Workspace) -> None:
    for url in (URL, " http://127.0.0.1:8080/hook?token=abc ", "https://[::1]:9443/h", "https://hooks.example.com"):
        made = subscriptions.subscribe(ws, url=url, events=["booking.created"], actor=ADMIN)
        assert made.url == url.strip()


def test_events_must_be_known_and_at_least_one(ws: Workspace, uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidInput, match="Choose at least one event"):
        subscriptions.subscribe(ws, url=URL, events=[], actor=ADMIN)
    with pytest.raises(InvalidInput, match=r"Unknown event 'booking\.deleted'; choose from booking\.created, "):
        subscriptions.subscribe(ws, url=URL, events=["booking.created", "booking.deleted"], actor=ADMIN)
    made = subscriptions.subscribe(
        ws, url=URL, events=["recommendation.made", "booking.created", "booking.created"], actor=ADMIN
    )
    assert made.events == ["booking.created", "recommendation.made"]  # once each, in the events' own order
    with pytest.raises(InvalidInput, match="Keep the description under 500 characters"):
        subscriptions.subscribe(ws, url=URL, events=["booking.created"], description="d" * 501, actor=ADMIN)


def test_the_secret_is_handed_out_once_and_never_listed_audited_or_printed(ws: Workspace, uow: FakeUnitOfWork) -> None:
    made = subscriptions.subscribe(
        ws, url=URL + "?token=t0k3n", events=["booking.created"], description=" The\nATS ", actor=ADMIN
    )
    assert made.secret.startswith("whsec_") and made.description == "The ATS" and made.created_by == "admin"
    assert uow.webhook_subscriptions.get(made.id).secret == made.secret  # kept, to sign with
    [listed] = subscriptions.listing(ws, actor=ADMIN)
    assert listed.secret == "" and listed.url == made.url
    assert subscriptions.set_enabled(ws, made.id, False, actor=ADMIN).secret == ""
    assert made.secret not in repr(made) and made.secret not in str(made)
    entries = json.dumps([(e.action, e.detail) for e in uow.audit.latest()])
    assert made.secret.removeprefix("whsec_") not in entries and "t0k3n" not in entries
    [entry, _] = uow.audit.latest()
    assert entry.detail == {"subscription": made.id, "host": "ats.example.com", "events": ["booking.created"]}


def test_enabling_and_disabling_is_audited_once_per_change(ws: Workspace, uow: FakeUnitOfWork) -> None:
    made = subscriptions.subscribe(ws, url=URL, events=["booking.created"], actor=ADMIN)
    subscriptions.set_enabled(ws, made.id, False, actor=ADMIN)
    subscriptions.set_enabled(ws, made.id, False, actor=ADMIN)  # no change: nothing recorded
    subscriptions.set_enabled(ws, made.id, True, actor=ADMIN)
    assert [e.action for e in uow.audit.latest()] == ["webhook_subscribed", "webhook_disabled", "webhook_enabled"]
    assert uow.webhook_subscriptions.enabled()[0].id == made.id


def test_unsubscribing_deletes_the_subscription_and_is_audited(ws: Workspace, uow: FakeUnitOfWork) -> None:
    made = subscriptions.subscribe(ws, url=URL, events=["booking.created"], actor=ADMIN)
    subscriptions.unsubscribe(ws, made.id, actor=ADMIN)
    assert uow.webhook_subscriptions.all() == []
    assert uow.audit.latest()[-1].detail == {"subscription": made.id, "host": "ats.example.com"}
