"""A person's data on request, over real databases: exported whole, erased without a trace but the record of it."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.errors import InvalidInput, NotFound
from core.history.services import search_history
from core.models import DataRequestKind, HistoryQuery, SortKey, WebhookEvent
from core.permissions.actor import Actor
from core.privacy.person_erasure import erase_person
from core.privacy.person_export import export_person
from core.privacy.subjects import candidate_by_email
from core.workspace import Workspace
from entry.cli import main
from tests.integration.privacy.conftest import NOW
from tests.privacy_data import Person, fill_person, leftovers

ANA = Person("cand-ana-0001", "Ana Quintero", "Ana.Quintero@example.org", ("sess-ana-one", "sess-ana-two"))
BOB = Person("cand-bob-0002", "Bob Marchetti", "bob.marchetti@example.net", ("sess-bob-one",))


@pytest.fixture
def people(ws: Workspace) -> Workspace:
    fill_person(ws, ANA, at=NOW - timedelta(days=3))
    fill_person(ws, BOB, at=NOW - timedelta(days=2))
    with ws.uow_factory() as uow:  # a delivery that names Ana by email only (in another case), and one about nobody
        payload = {"triggerEvent": "BOOKING_REQUESTED", "payload": {"responses": {"email": "ANA.quintero@EXAMPLE.org"}}}
        uow.webhook_events.add(WebhookEvent(source="calcom", body_sha256="1" * 64, status="ignored", payload=payload))
        uow.webhook_events.add(
            WebhookEvent(source="calcom", body_sha256="2" * 64, status="processed", payload={"a": 1})
        )
        uow.commit()
    return ws


def test_the_export_holds_everything_about_the_person_and_nothing_about_others(people: Workspace) -> None:
    ws = people
    data = export_person(ws, ANA.candidate_id, actor=Actor.workspace("account:admin-1"))

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        text = "\n".join(archive.read(n).decode("utf-8", "replace") for n in names).lower()
        profile = json.loads(archive.read("profile.json"))
        deliveries = json.loads(archive.read("webhook_events.json"))
    assert profile["candidate"]["email"] == ANA.email and len(profile["pipeline"]) == 3
    assert {"README.txt", "resumes/resumes.json", "resumes/resume-1.txt"} <= names
    folders = {n.split("/")[1] for n in names if n.startswith("sessions/")}
    assert folders == {"20310307-sess-ana-one", "20310307-sess-ana-two"}
    session_files = {n.split("/", 2)[2] for n in names if n.startswith("sessions/")}
    assert {
        "chat.json",
        "transcript.json",
        "whiteboard/001.png",
        "media/audio/audio-1.wav",
        "evaluation.json",
        "booking.json",
        "notes.json",
        "scorecards.json",
        "recommendations.json",
        "follow_ups.json",
        "consents.json",
        "emails.json",
        "webhooks.json",
    } <= session_files
    assert len([n for n in names if n.endswith("/chat.json")]) == 2
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [email] = json.loads(archive.read("sessions/20310307-sess-ana-one/emails.json"))
        [webhook] = json.loads(archive.read("sessions/20310307-sess-ana-one/webhooks.json"))
    assert (webhook["event"], webhook["sent_to"], webhook["status"]) == (
        "interview.completed",
        "ats.example.com",
        "queued",
    )
    assert webhook["body"]["data"]["candidate"]["email"] == ANA.email
    assert (email["recipient"], email["attachment"]) == (
        f"{ANA.name} <{ANA.email}>",
        f"ATTENDEE;CN={ANA.name}:mailto:{ANA.email}",
    )
    assert len(deliveries) == 3  # one per booking, and the one that only mentions her email
    assert "bob" not in text and "sess-bob" not in text

    with ws.uow_factory() as uow:
        [request] = uow.data_requests.latest()
        entries = [e for e in uow.audit.latest() if e.action == "person_exported"]
    assert (request.kind, request.subject, request.actor) == (
        DataRequestKind.EXPORT,
        ANA.candidate_id,
        "account:admin-1",
    )
    assert request.counts == {"sessions": 2, "resumes": 1, "webhook_events": 3, "bytes": len(data)}
    assert [e.detail for e in entries] == [{"request": request.id, **request.counts}]


def test_erasing_leaves_no_trace_of_the_person_and_keeps_everyone_else(people: Workspace, scan_engine: Engine) -> None:
    ws = people
    before_bob = leftovers(scan_engine, ws.files.root, BOB.traces)
    assert leftovers(scan_engine, ws.files.root, ANA.traces), "the scan finds her before the erasure"

    scored = HistoryQuery(score_min=0.0, sort=SortKey.SCORE)
    listed = [s.id for s in search_history(ws, scored).items]
    assert set(ANA.session_ids) < set(listed)
    request = erase_person(ws, ANA.candidate_id, actor=Actor.workspace("account:admin-1"))

    assert leftovers(scan_engine, ws.files.root, ANA.traces) == []
    assert [s.id for s in search_history(ws, scored).items] == [i for i in listed if i not in ANA.session_ids]
    assert leftovers(scan_engine, ws.files.root, BOB.traces) == before_bob  # nobody else lost anything
    assert (request.kind, request.subject) == (DataRequestKind.ERASE, ANA.candidate_id)
    assert request.counts["sessions"] == 2 and request.counts["candidates"] == 1
    assert request.counts["accounts"] == 1  # their sign-in too (the scan above found no email left)
    assert request.counts["webhook_events"] == 3 and request.counts["resumes"] == 1
    assert request.counts["media_files"] == 2 and request.counts["session_consents"] == 2
    assert request.counts["outbox_messages"] == 2  # her emails went with her interviews
    assert request.counts["webhook_deliveries"] == 2  # and what other systems were told about them
    with ws.uow_factory() as uow:
        [record] = uow.data_requests.latest()
        erased = [e for e in uow.audit.latest() if e.action == "person_erased"]
        others = uow.webhook_events.latest()
    assert record == request
    assert [e.detail for e in erased] == [{"request": request.id, **request.counts}]
    assert sorted(e.body_sha256[0] for e in others) == ["0", "2"]  # Bob's delivery and the one about nobody

    with pytest.raises(NotFound):
        erase_person(ws, ANA.candidate_id, actor=Actor.workspace("account:admin-1"))


def test_a_candidate_is_found_by_email_in_any_case_and_the_message_never_repeats_it(people: Workspace) -> None:
    assert candidate_by_email(people, "  ANA.QUINTERO@example.org ").id == ANA.candidate_id
    with pytest.raises(NotFound) as missing:
        candidate_by_email(people, "nobody@example.org")
    assert "nobody" not in str(missing.value)
    with pytest.raises(InvalidInput):
        candidate_by_email(people, "  ")


def test_the_command_line_exports_then_erases_only_when_confirmed(
    people: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scan_engine: Engine,
) -> None:
    # the workspace the command line builds from settings, built once (tests/integration/entry runs it for real)
    monkeypatch.setattr("entry.cli._workspace", lambda: people)
    target = tmp_path / "ana.zip"

    assert main(["privacy", "export", "ana.quintero@example.org", str(target)]) == 0
    assert zipfile.is_zipfile(target)
    assert main(["privacy", "erase", "ana.quintero@example.org"]) == 2
    out = capsys.readouterr()
    assert "--yes" in out.err and leftovers(scan_engine, people.files.root, ANA.traces)

    assert main(["privacy", "erase", "ana.quintero@example.org", "--yes"]) == 0
    assert f"erased candidate {ANA.candidate_id}" in capsys.readouterr().out
    assert leftovers(scan_engine, people.files.root, ANA.traces) == []
    assert main(["privacy", "erase", "ana.quintero@example.org", "--yes"]) == 2
    assert capsys.readouterr().err == "error: No candidate has this email address.\n"
    with people.uow_factory() as uow:
        kinds = [(r.kind.value, r.actor) for r in uow.data_requests.latest()]
    assert kinds == [("erase", "cli"), ("export", "cli")]
