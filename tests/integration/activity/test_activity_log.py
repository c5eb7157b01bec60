"""The activity log over real databases: a page at a time, filtered by person, kind and dates, scoped to what
the asking person may see, and fed by the features that write the audit log (webhooks, emails, sign-ins)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from core.accounts.passwords import hash_password
from core.accounts.sign_in import sign_in_with_password
from core.activity.kinds import Kind
from core.activity.listing import ActivityFilter, list_activity
from core.activity.listing import people as activity_people
from core.config import SmtpSettings
from core.errors import AccessDenied, InvalidInput
from core.jobs.runner import Failed
from core.models import Account, AuditEntry, OutboxMessage
from core.notifications import outbox
from core.notifications.delivery import deliver
from core.permissions.actor import Actor
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.workspace import Workspace
from tests.integration.activity.conftest import NOW
from tests.smtp_server import SmtpServer

SYSTEM = Actor.workspace("system")
SECRET = "whsec_activity-5c1e9b7d"


def add_entry(ws: Workspace, action: str, actor: str, at: datetime, *, session_id: str | None = None) -> None:
    with ws.uow_factory() as uow:
        uow.audit.add(AuditEntry(action=action, actor=actor, session_id=session_id, detail={"n": 1}, created_at=at))
        uow.commit()


def listed(ws: Workspace, wanted: ActivityFilter, actor: Actor, **paging: int) -> list[tuple[str, str]]:
    return [(row.action, row.actor) for row in list_activity(ws, wanted, actor=actor, **paging).rows]


def test_the_log_comes_newest_first_a_page_at_a_time(ws: Workspace, people: dict[str, Account]) -> None:
    admin = Actor.person(people["ada"])
    for minute in range(120):
        add_entry(ws, f"step_{minute:03d}", "system", NOW - timedelta(minutes=120 - minute))

    first = list_activity(ws, ActivityFilter(), actor=admin, page=1, page_size=50)
    assert (first.total, first.pages, first.page, len(first.rows)) == (120, 3, 1, 50)
    assert [r.action for r in first.rows[:2]] == ["step_119", "step_118"]
    last = list_activity(ws, ActivityFilter(), actor=admin, page=3, page_size=50)
    assert [r.action for r in last.rows][-1] == "step_000" and len(last.rows) == 20
    past_the_end = list_activity(ws, ActivityFilter(), actor=admin, page=9, page_size=50)
    assert past_the_end.page == 3 and past_the_end.rows == last.rows
    # every entry is on exactly one page
    pages = [list_activity(ws, ActivityFilter(), actor=admin, page=n, page_size=50).rows for n in (1, 2, 3)]
    assert len({row.id for page in pages for row in page}) == 120


def test_filters_by_person_kind_and_dates(ws: Workspace, people: dict[str, Account]) -> None:
    admin = Actor.person(people["ada"])
    ana, ivan = people["ana"].audit_name, people["ivan"].audit_name
    add_entry(ws, "signed_in", ana, NOW - timedelta(days=10))
    add_entry(ws, "session_completed", ana, NOW - timedelta(days=5), session_id="s-ana")
    add_entry(ws, "interview_booked", ivan, NOW - timedelta(days=4), session_id="s-ana")
    add_entry(ws, "score_overridden", ivan, NOW - timedelta(days=3), session_id="s-ana")
    add_entry(ws, "email_failed", "system", NOW - timedelta(days=2), session_id="s-ana")
    add_entry(ws, "note_edited", ivan, NOW - timedelta(days=1), session_id="s-ana")  # no kind names it: other

    assert listed(ws, ActivityFilter(person=people["ivan"].id), admin) == [
        ("note_edited", ivan),
        ("score_overridden", ivan),
        ("interview_booked", ivan),
    ]
    by_kind = {kind: [a for a, _ in listed(ws, ActivityFilter(kind=kind), admin)] for kind in Kind}
    assert by_kind[Kind.BOOKINGS] == ["interview_booked"]
    assert by_kind[Kind.OVERRIDES] == ["score_overridden"]
    assert by_kind[Kind.EVALUATIONS] == ["session_completed"]
    assert by_kind[Kind.NOTIFICATIONS] == ["email_failed"]
    assert by_kind[Kind.SIGN_INS] == ["signed_in"]
    assert by_kind[Kind.OTHER] == ["note_edited"]
    assert by_kind[Kind.WEBHOOKS] == []
    # [since, until): the day the range starts is in, the instant it ends is not
    week = ActivityFilter(since=NOW - timedelta(days=5), until=NOW - timedelta(days=2))
    assert [a for a, _ in listed(ws, week, admin)] == ["score_overridden", "interview_booked", "session_completed"]
    both = ActivityFilter(person=people["ivan"].id, kind=Kind.BOOKINGS, since=NOW - timedelta(days=30), until=NOW)
    assert listed(ws, both, admin) == [("interview_booked", ivan)]


def test_a_person_sees_only_what_they_did_and_an_admin_sees_everyone(ws: Workspace, people: dict[str, Account]) -> None:
    ana, ivan = people["ana"], people["ivan"]
    add_entry(ws, "signed_in", ana.audit_name, NOW - timedelta(hours=3))
    add_entry(ws, "signed_in", ivan.audit_name, NOW - timedelta(hours=2))
    add_entry(ws, "email_sent", "system", NOW - timedelta(hours=1), session_id="s-ana")

    assert listed(ws, ActivityFilter(), Actor.person(ana)) == [("signed_in", ana.audit_name)]
    assert listed(ws, ActivityFilter(kind=Kind.NOTIFICATIONS), Actor.person(ana)) == []
    assert list_activity(ws, ActivityFilter(), actor=Actor.person(ivan)).total == 1
    with pytest.raises(AccessDenied):  # naming someone else is refused, not quietly narrowed
        list_activity(ws, ActivityFilter(person=ivan.id), actor=Actor.person(ana))
    assert listed(ws, ActivityFilter(person=ana.id), Actor.person(ana)) == [("signed_in", ana.audit_name)]

    assert len(listed(ws, ActivityFilter(), Actor.person(people["ada"]))) == 3
    assert len(listed(ws, ActivityFilter(), SYSTEM)) == 3  # the workspace itself (the command line)


def test_the_admins_person_picker_lists_every_account(ws: Workspace, people: dict[str, Account]) -> None:
    assert [a.name for a in activity_people(ws, actor=Actor.person(people["ada"]))] == [
        "Ada Admin",
        "Ana Candidate",
        "Ivan",
    ]
    with pytest.raises(AccessDenied):
        activity_people(ws, actor=Actor.person(people["ivan"]))


def test_a_date_range_that_ends_before_it_starts_is_refused_with_a_message(
    ws: Workspace, people: dict[str, Account]
) -> None:
    backwards = ActivityFilter(since=NOW, until=NOW - timedelta(days=1))
    with pytest.raises(InvalidInput, match="start of the date range is after its end"):
        list_activity(ws, backwards, actor=Actor.person(people["ada"]))


def test_webhooks_emails_and_sign_ins_write_the_activity_log(ws: Workspace, people: dict[str, Account]) -> None:
    admin = Actor.person(people["ada"])
    # a Cal.com ping, applied; and a signed body that is not an event, refused
    ping = json.dumps({"triggerEvent": "PING", "createdAt": NOW.isoformat(), "payload": {}}).encode()
    received = calcom_webhooks.receive(ws, ping, calcom_webhooks.signature_for(SECRET, ping), secret=SECRET)
    calcom_webhooks.process(ws, received.event_id or 0)
    junk = b'{"hello": "world"}'
    calcom_webhooks.receive(ws, junk, calcom_webhooks.signature_for(SECRET, junk), secret=SECRET)
    hooks = list_activity(ws, ActivityFilter(kind=Kind.WEBHOOKS), actor=admin).rows
    assert [(r.action, r.actor, r.detail.get("status")) for r in hooks] == [
        ("webhook_refused", "calcom", "rejected"),
        ("webhook_processed", "calcom", "processed"),
    ]
    assert hooks[1].detail == {"event": received.event_id, "trigger": "PING", "status": "processed"}
    assert hooks[0].detail["http_status"] == 400

    # an email the loopback mail server takes, and one with no usable address
    with SmtpServer() as mail:
        ws.settings.notifications.smtp = SmtpSettings(host="127.0.0.1", port=mail.port, tls="none", timeout_seconds=5)
        ws.settings.notifications.sender = "Interviews <interviews@example.org>"
        with ws.uow_factory() as uow:
            good = outbox.add(uow, ws, OutboxMessage("follow_up", "ana@example.com", "Thanks", "Hi"), actor=SYSTEM)
            bad = outbox.add(uow, ws, OutboxMessage("follow_up", "not an address", "Thanks", "Hi"), actor=SYSTEM)
            uow.commit()
        deliver(ws, int(good.payload["message_id"]), attempt=1, last_attempt=False)
        with pytest.raises(Failed):
            deliver(ws, int(bad.payload["message_id"]), attempt=1, last_attempt=False)
    emails = list_activity(ws, ActivityFilter(kind=Kind.NOTIFICATIONS), actor=admin).rows
    assert [(r.action, r.detail["message"]) for r in emails] == [
        ("email_failed", bad.payload["message_id"]),
        ("email_sent", good.payload["message_id"]),
    ]

    # a person signs in with a password: in their own activity
    with ws.uow_factory() as uow:
        ana = uow.accounts.get(people["ana"].id)
        ana.password_hash = hash_password("correct horse battery")
        uow.accounts.update(ana)
        uow.commit()
    sign_in_with_password(ws, "ana@example.com", "correct horse battery")
    own = list_activity(ws, ActivityFilter(kind=Kind.SIGN_INS), actor=Actor.person(people["ana"])).rows
    assert [(r.action, r.actor_name, r.detail) for r in own] == [("signed_in", "Ana Candidate", {"method": "password"})]
