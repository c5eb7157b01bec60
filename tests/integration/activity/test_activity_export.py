"""The activity log's downloads over real databases: CSV and JSON hold what the page's filter holds, for what
the asking person may see, with names beside ids, no secrets, no spreadsheet formulas, and a cut that says so."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from core.activity.export import CSV_COLUMNS, as_csv, as_json, export_activity
from core.activity.kinds import Kind
from core.activity.listing import ActivityFilter
from core.models import Account, AuditEntry
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.integration.activity.conftest import NOW


def fill(ws: Workspace, people: dict[str, Account]) -> None:
    ana, ivan = people["ana"].audit_name, people["ivan"].audit_name
    entries = [
        AuditEntry("signed_in", ana, None, {"method": "oidc"}, created_at=NOW - timedelta(hours=5)),
        AuditEntry(
            "score_overridden",
            ivan,
            "s-1",
            {"competency": "estimation", "to": 4.0},
            created_at=NOW - timedelta(hours=4),
        ),
        # a feature that once put a secret in its detail: the export never carries it
        AuditEntry(
            "provider_checked",
            ivan,
            None,
            {"api_key": "sk-live-123", "smtp": {"password": "pw-9"}, "input_tokens": 12},
            created_at=NOW - timedelta(hours=3),
        ),
        AuditEntry(
            "email_sent", "system", "s-1", {"message": 7, "kind": "follow_up"}, created_at=NOW - timedelta(hours=2)
        ),
    ]
    with ws.uow_factory() as uow:
        for entry in entries:
            uow.audit.add(entry)
        uow.commit()


def test_the_csv_has_a_line_per_entry_newest_first(ws: Workspace, people: dict[str, Account]) -> None:
    fill(ws, people)
    with ws.uow_factory() as uow:  # a name a spreadsheet would run as a formula
        ivan = uow.accounts.get("acc-ivan")
        ivan.name = '=HYPERLINK("http://evil.example")'
        uow.accounts.update(ivan)
        uow.commit()
    export = export_activity(ws, ActivityFilter(), actor=Actor.person(people["ada"]))
    lines = list(csv.reader(io.StringIO(as_csv(export))))

    assert tuple(lines[0]) == CSV_COLUMNS
    assert [(line[2], line[4], line[5], line[6]) for line in lines[1:]] == [
        ("system", "notifications", "email_sent", "s-1"),
        ("account:acc-ivan", "other", "provider_checked", ""),
        ("account:acc-ivan", "overrides", "score_overridden", "s-1"),
        ("account:acc-ana", "sign_ins", "signed_in", ""),
    ]
    assert lines[4][3] == "Ana Candidate" and lines[1][3] == "system"
    assert lines[2][3] == '\'=HYPERLINK("http://evil.example")'  # text, not a formula
    assert lines[4][1] == (NOW - timedelta(hours=5)).isoformat()
    assert json.loads(lines[3][7]) == {"competency": "estimation", "to": 4.0}
    assert json.loads(lines[2][7]) == {"api_key": "[redacted]", "smtp": {"password": "[redacted]"}, "input_tokens": 12}
    assert "sk-live-123" not in as_csv(export) and "pw-9" not in as_csv(export)


def test_the_json_says_what_was_asked_and_holds_the_same_entries(ws: Workspace, people: dict[str, Account]) -> None:
    fill(ws, people)
    wanted = ActivityFilter(kind=Kind.OVERRIDES, since=NOW - timedelta(days=1), until=NOW)
    document = json.loads(as_json(export_activity(ws, wanted, actor=Actor.person(people["ada"]))))

    assert document["exported_at"] == NOW.isoformat()
    assert document["filter"] == {
        "person": None,
        "kind": "overrides",
        "since": (NOW - timedelta(days=1)).isoformat(),
        "until": NOW.isoformat(),
    }
    assert (document["total"], document["included"]) == (1, 1)
    [entry] = document["entries"]
    assert {k: v for k, v in entry.items() if k != "id"} == {
        "time_utc": (NOW - timedelta(hours=4)).isoformat(),
        "actor": "account:acc-ivan",
        "actor_name": "Ivan",
        "kind": "overrides",
        "action": "score_overridden",
        "session_id": "s-1",
        "detail": {"competency": "estimation", "to": 4.0},
    }
    everything = json.loads(as_json(export_activity(ws, ActivityFilter(), actor=Actor.person(people["ada"]))))
    assert "sk-live-123" not in json.dumps(everything) and "pw-9" not in json.dumps(everything)


def test_a_persons_export_holds_only_their_own_activity(ws: Workspace, people: dict[str, Account]) -> None:
    fill(ws, people)
    export = export_activity(ws, ActivityFilter(), actor=Actor.person(people["ana"]))
    assert [(r.action, r.actor) for r in export.rows] == [("signed_in", "account:acc-ana")]
    document = json.loads(as_json(export))
    assert (document["total"], [e["action"] for e in document["entries"]]) == (1, ["signed_in"])


def test_an_export_cut_at_its_limit_says_how_many_there_were(ws: Workspace, people: dict[str, Account]) -> None:
    fill(ws, people)
    export = export_activity(ws, ActivityFilter(), actor=Actor.person(people["ada"]), limit=2)
    assert export.cut and (export.total, len(export.rows)) == (4, 2)
    assert [r.action for r in export.rows] == ["email_sent", "provider_checked"]  # the newest
    document = json.loads(as_json(export))
    assert (document["total"], document["included"]) == (4, 2)
    assert len(as_csv(export).splitlines()) == 3
