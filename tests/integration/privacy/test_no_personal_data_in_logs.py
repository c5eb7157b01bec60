"""Candidate names and emails never reach a log line: the flows that handle them most, logged at DEBUG.

A resume upload (and a refused one whose file is named after the person), a Cal.com booking applied
from its webhook, a merge of two records, an export, the retention cleanup and an erasure. Every record
is checked whole: its message, its arguments and every extra field.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from core.candidates.merge import merge_candidates
from core.candidates.services import create_candidate, register_resume
from core.errors import ResumeError
from core.permissions.actor import Actor
from core.privacy.person_erasure import erase_person
from core.privacy.person_export import export_person
from core.privacy.retention import apply_retention
from core.scheduling.calcom import webhooks
from core.workspace import Workspace
from tests.calcom_fake.server import CalcomServer, sign

NAME, FAMILY = "Zoë Quartermaine", "Quartermaine"
EMAIL = "Zoe.Quartermaine@example.org"
RESUME = f"""{NAME}
{EMAIL}
Senior Software Engineer, payments platform. 7 years of experience building payment
processing, ledgers and billing with Python, Kafka and PostgreSQL.
""".encode()
SECRET = "whsec-test"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # logging does not depend on the database
def test_no_log_record_names_the_candidate(ws: Workspace, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    uploaded = register_resume(ws, filename=f"{NAME} CV.txt", data=RESUME, actor=Actor.workspace("candidate"))
    with pytest.raises(ResumeError):
        register_resume(
            ws, filename=f"{NAME} CV.pdf", data=b"%PDF-1.4 not really a pdf", actor=Actor.workspace("candidate")
        )

    calcom = CalcomServer()  # only builds the payloads Cal.com sends; no server is started
    event_type = next(iter(calcom.event_types.values()))
    start = datetime(2031, 3, 20, 10, 0, tzinfo=UTC)
    uid = calcom.seed_booking(event_type_id=event_type.id, start=start, attendee_name=NAME, attendee_email=EMAIL).uid
    body = calcom.webhook_body_for("BOOKING_CREATED", uid)
    receipt = webhooks.receive(ws, body, sign(SECRET, body), secret=SECRET)
    assert receipt.event_id is not None
    applied = webhooks.process(ws, receipt.event_id)
    assert applied.status == "processed", applied.outcome

    duplicate = create_candidate(ws, name=f"Z. {FAMILY}")
    merge_candidates(ws, uploaded.candidate.id, duplicate.id, actor=Actor.workspace("account:admin"))
    export_person(ws, uploaded.candidate.id, actor=Actor.workspace("account:admin"))
    apply_retention(ws, actor=Actor.workspace("system"))
    erase_person(ws, uploaded.candidate.id, actor=Actor.workspace("account:admin"))

    assert len(caplog.records) > 5, "the flows log (so this test would see a leak)"
    traces = (FAMILY.casefold(), EMAIL.casefold(), "zoe.quartermaine")
    leaks = [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if any(t in f"{record.getMessage()} {record.args!r} {vars(record)!r}".casefold() for t in traces)
    ]
    assert leaks == []
