"""A name typed with CR/LF (a Cal.com booker, the team form, a resume) is stored on one line, and no
header of an .eml or .ics built from it can gain a line of its own."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes

import pytest

from core.candidates.resume_profile import extract_profile
from core.debrief.email_templates import RenderedEmail, to_eml
from core.notifications.addresses import address
from core.scheduling.booking_sync import apply_booking_facts
from core.scheduling.calcom.webhooks import booking_facts
from core.scheduling.team import add_member
from core.single_line import single_line
from core.workspace import Workspace
from tests.actors import ADMIN
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

NOW = datetime(2030, 6, 4, 12, 15, tzinfo=UTC)
INJECTED = "Ana Rossi\r\nBcc: x@y"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def ws(uow: FakeUnitOfWork) -> Workspace:
    return fake_workspace(uow, Clock(NOW))


def test_control_characters_become_one_space_and_the_ends_are_trimmed() -> None:
    assert single_line(INJECTED) == "Ana Rossi Bcc: x@y"
    assert single_line(" a\x00b\x85c\u2028d\te\x1b ") == "a b c d e"
    assert single_line("Zoë O'Brien") == "Zoë O'Brien"
    assert single_line(None) == ""


def test_a_webhook_booker_with_a_line_break_in_their_name_gets_one_clean_record_and_a_clean_eml(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    payload = {
        "uid": "bk-1",
        "startTime": "2030-06-10T09:00:00Z",
        "endTime": "2030-06-10T10:00:00Z",
        "title": "Interview\r\nX-Evil: 1",
        "attendees": [{"name": INJECTED, "email": " ana@example.com\r\n", "timeZone": "Europe/Rome"}],
    }
    facts = booking_facts(payload, "BOOKING_CREATED")
    assert (facts.attendee_name, facts.attendee_email, facts.title) == (
        "Ana Rossi Bcc: x@y",
        "ana@example.com",
        "Interview X-Evil: 1",
    )
    outcome = apply_booking_facts(ws, uow, facts, trigger="BOOKING_CREATED")
    session = uow.sessions.get(outcome.session_id or "")
    candidate = uow.candidates.get(session.candidate_id or "")
    assert candidate.name == "Ana Rossi Bcc: x@y"

    eml = to_eml(
        RenderedEmail(subject="Next steps\r\nBcc: z@y", body="Hello"),
        to=address(candidate.name, candidate.email or ""),
        sender="Team\r\nCc: w@y <team@example.com>",
    )
    message = message_from_bytes(eml)
    assert message["Bcc"] is None and message["Cc"] is None
    assert sorted(message.keys()) == sorted(
        ["Subject", "From", "To", "Date", "X-Unsent", "Content-Type", "Content-Transfer-Encoding", "MIME-Version"]
    )
    assert "\n" not in str(message["To"]) and "x@y" not in message["To"].split("<")[-1]


def test_a_stored_name_with_a_line_break_still_makes_a_clean_eml() -> None:
    """Names stored before intake cleaned them: the .eml builder cleans again."""
    eml = to_eml(RenderedEmail(subject="Hi", body="x"), to=f"{INJECTED} <ana@example.com>", sender="")
    message = message_from_bytes(eml)
    assert message["Bcc"] is None
    assert len(message.get_all("To") or []) == 1 and "\n" not in str(message["To"])


def test_the_team_form_stores_one_line(ws: Workspace) -> None:
    member = add_member(ws, name="Ben\r\nBcc: x@y", email=" ben@example.com\n", calcom_username="ben\t\n", actor=ADMIN)
    assert (member.name, member.email, member.calcom_username) == ("Ben Bcc: x@y", "ben@example.com", "ben")


def test_the_resume_profile_name_is_one_line() -> None:
    profile = extract_profile("Name: Jane\x0bDoe\x1c\nEmail: jane@example.com\nSoftware engineer")
    assert profile.name is not None
    assert single_line(profile.name) == profile.name
    assert profile.email == "jane@example.com"
