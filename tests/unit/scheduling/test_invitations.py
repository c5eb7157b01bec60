from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from core.errors import WorkspaceError
from core.scheduling.invitations import (
    PRODID,
    Invitation,
    InvitationError,
    ics_content_type,
    ics_filename,
    invitation_ics,
)

ROME = ZoneInfo("Europe/Rome")
STAMP = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)


def make_invite(**overrides: object) -> Invitation:
    fields: dict[str, object] = {
        "uid": "iw-session-42@interview-workspace",
        "sequence": 0,
        "summary": "Interview: Jane Doe",
        "description": "System design interview.\nBring a pen; we will use the whiteboard, too.",
        "start": datetime(2026, 8, 13, 11, 0, tzinfo=ROME),
        "end": datetime(2026, 8, 13, 12, 0, tzinfo=ROME),
        "organizer_name": "Recruiting Team",
        "organizer_email": "recruiting@example.com",
        "attendees": (("Jane Doe", "jane@example.com"), ("Ana Silva", "ana.silva@example.org")),
        "location": "https://meet.google.com/abc-defg-hij",
        "dtstamp": STAMP,
    }
    fields.update(overrides)
    return Invitation(**fields)  # type: ignore[arg-type]


def parse(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_request_has_the_itip_essentials() -> None:
    data = invitation_ics(make_invite(), method="REQUEST")
    calendar, event = parse(data)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == PRODID and "Interview Workspace" in PRODID
    assert event["UID"] == "iw-session-42@interview-workspace"
    assert event.decoded("SEQUENCE") == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Interview: Jane Doe"
    assert event["DESCRIPTION"] == "System design interview.\nBring a pen; we will use the whiteboard, too."
    assert event["LOCATION"] == "https://meet.google.com/abc-defg-hij"
    assert not calendar.walk("VTIMEZONE")


def test_times_are_written_in_utc_with_z() -> None:
    data = invitation_ics(make_invite(), method="REQUEST")
    text = data.decode("utf-8")
    assert "\r\nDTSTART:20260813T090000Z\r\n" in text  # 11:00 in Rome in summer is 09:00 UTC
    assert "\r\nDTEND:20260813T100000Z\r\n" in text
    assert "\r\nDTSTAMP:20260801T120000Z\r\n" in text
    assert "TZID" not in text
    _, event = parse(data)
    assert event.decoded("DTSTART") == datetime(2026, 8, 13, 9, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 8, 13, 10, 0, tzinfo=UTC)


def test_organizer_and_attendees_carry_the_expected_parameters() -> None:
    _, event = parse(invitation_ics(make_invite(), method="REQUEST"))
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:recruiting@example.com"
    assert organizer.params["CN"] == "Recruiting Team"
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:jane@example.com", "mailto:ana.silva@example.org"]
    for attendee, name in zip(attendees, ["Jane Doe", "Ana Silva"], strict=True):
        assert attendee.params["CN"] == name
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"


def test_uid_stays_the_same_across_request_reschedule_and_cancel() -> None:
    created = make_invite()
    moved = dataclasses.replace(
        created,
        sequence=1,
        start=created.start + timedelta(days=1),
        end=created.end + timedelta(days=1),
        dtstamp=STAMP + timedelta(hours=1),
    )
    cancelled = dataclasses.replace(moved, sequence=2, dtstamp=STAMP + timedelta(hours=2))

    steps = [
        (invitation_ics(created, method="REQUEST"), "REQUEST", 0, "CONFIRMED"),
        (invitation_ics(moved, method="REQUEST"), "REQUEST", 1, "CONFIRMED"),
        (invitation_ics(cancelled, method="CANCEL"), "CANCEL", 2, "CANCELLED"),
    ]
    for data, method, sequence, status in steps:
        calendar, event = parse(data)
        assert calendar["METHOD"] == method
        assert event["UID"] == created.uid
        assert event.decoded("SEQUENCE") == sequence
        assert event["STATUS"] == status
    _, moved_event = parse(steps[1][0])
    assert moved_event.decoded("DTSTART") == datetime(2026, 8, 14, 9, 0, tzinfo=UTC)


def test_cancel_keeps_organizer_and_attendees() -> None:
    _, event = parse(invitation_ics(make_invite(sequence=3), method="CANCEL"))
    assert event["STATUS"] == "CANCELLED"
    assert str(event["ORGANIZER"]) == "mailto:recruiting@example.com"
    assert len(event["ATTENDEE"]) == 2


def test_output_uses_crlf_and_folds_long_lines() -> None:
    long_description = "Agenda: " + "discuss the design of a URL shortener and its storage layer; " * 6
    data = invitation_ics(make_invite(description=long_description), method="REQUEST")
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # a continuation line
    _, event = parse(data)
    assert event["DESCRIPTION"] == long_description.strip()


def test_text_is_escaped_and_survives_a_round_trip() -> None:
    invite = make_invite(summary="Interview: Zoë Ngũgĩ; backend, senior", attendees=(("Zoë Ngũgĩ", "zoe@example.com"),))
    data = invitation_ics(invite, method="REQUEST")
    assert b"SUMMARY:Interview: Zo\xc3\xab Ng\xc5\xa9g\xc4\xa9\\; backend\\, senior" in data
    _, event = parse(data)
    assert event["SUMMARY"] == "Interview: Zoë Ngũgĩ; backend, senior"
    assert event["ATTENDEE"].params["CN"] == "Zoë Ngũgĩ"


def test_summary_and_names_are_kept_on_one_line() -> None:
    invite = make_invite(summary="Interview:\n  Jane\r\nDoe", attendees=(('Jane "JJ"\nDoe', "jane@example.com"),))
    _, event = parse(invitation_ics(invite, method="REQUEST"))
    assert event["SUMMARY"] == "Interview: Jane Doe"
    assert event["ATTENDEE"].params["CN"] == "Jane 'JJ' Doe"


def test_duplicate_attendee_emails_are_listed_once() -> None:
    invite = make_invite(attendees=(("Jane Doe", "jane@example.com"), ("Jane", "JANE@example.com")))
    _, event = parse(invitation_ics(invite, method="REQUEST"))
    attendee = event["ATTENDEE"]
    assert not isinstance(attendee, list)
    assert str(attendee) == "mailto:jane@example.com"


def test_empty_location_and_description_are_left_out() -> None:
    _, event = parse(invitation_ics(make_invite(location="", description=""), method="REQUEST"))
    assert "LOCATION" not in event
    assert "DESCRIPTION" not in event


def test_dtstamp_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    invite = make_invite()
    fields = {f.name: getattr(invite, f.name) for f in dataclasses.fields(invite) if f.name != "dtstamp"}
    fresh = Invitation(**fields)
    _, event = parse(invitation_ics(fresh, method="REQUEST"))
    stamp = event.decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(UTC)


def test_unknown_method_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="REQUEST or CANCEL"):
        invitation_ics(make_invite(), method="PUBLISH")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end": datetime(2026, 8, 13, 11, 0, tzinfo=ROME)}, "must end after it starts"),
        ({"end": datetime(2026, 8, 13, 10, 0, tzinfo=ROME)}, "must end after it starts"),
        ({"start": datetime(2026, 8, 13, 11, 0)}, "start time must include a time zone"),
        ({"end": datetime(2026, 8, 13, 12, 0)}, "end time must include a time zone"),
        ({"dtstamp": datetime(2026, 8, 1, 12, 0)}, "timestamp time must include a time zone"),
        ({"attendees": (("Bob", "bob@"),)}, "“bob@” is not a valid email address for Bob."),
        ({"attendees": (("", "Bob <bob@example.com>"),)}, "is not a valid email address."),
        ({"attendees": (("Bob", "bob example.com"),)}, "not a valid email address"),
        ({"attendees": (("Bob", "bob@localhost"),)}, "not a valid email address"),
        ({"attendees": ()}, "at least one attendee"),
        ({"organizer_email": "recruiting"}, "for the organizer"),
        ({"uid": "  "}, "UID"),
        ({"uid": "a\r\nb"}, "UID"),
        ({"sequence": -1}, "SEQUENCE"),
        ({"summary": " "}, "needs a title"),
    ],
)
def test_bad_input_is_refused_with_a_clear_sentence(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(InvitationError, match=re.escape(message)) as caught:
        make_invite(**overrides)
    assert isinstance(caught.value, WorkspaceError)
    assert str(caught.value).endswith(".")


def test_reasonable_email_addresses_are_accepted() -> None:
    attendees = (
        ("A", "first.last+tag@sub.example.co.uk"),
        ("B", "o'brien@example.ie"),
        ("C", "jose@correo.españa.es"),
    )
    _, event = parse(invitation_ics(make_invite(attendees=attendees), method="REQUEST"))
    assert len(event["ATTENDEE"]) == 3


@pytest.mark.parametrize(
    ("summary", "method", "expected"),
    [
        ("Interview: Jane Doe", "REQUEST", "interview-jane-doe.ics"),
        ("Interview: Jane Doe", "CANCEL", "interview-jane-doe-cancelled.ics"),
        ("Entrevista: José Müller / Backend", "REQUEST", "entrevista-jose-muller-backend.ics"),
        ("../../etc/passwd", "REQUEST", "etc-passwd.ics"),
        ("面接", "REQUEST", "invitation.ics"),
        ("", "CANCEL", "invitation-cancelled.ics"),
    ],
)
def test_ics_filename_is_safe(summary: str, method: str, expected: str) -> None:
    assert ics_filename(summary, method) == expected  # type: ignore[arg-type]


def test_ics_filename_is_bounded() -> None:
    name = ics_filename("Interview " + "x" * 500)
    assert name.endswith(".ics") and len(name) <= 64


def test_content_type_matches_the_method() -> None:
    assert ics_content_type("CANCEL") == "text/calendar; method=CANCEL; charset=UTF-8"
