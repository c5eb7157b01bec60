"""An outbox message as the mail server receives it: the parts, the headers (one line each, whatever was
stored) and the HTML part made from the text, escaped, with working links."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

from core.models import OutboxMessage
from core.notifications.email_message import to_email
from core.notifications.html_body import html_from_text

WHEN = datetime(2030, 6, 4, 12, 0, tzinfo=UTC)
ICS = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Caf\xc3\xa9 chat\r\nEND:VCALENDAR\r\n"


def message(**extra: object) -> OutboxMessage:
    values: dict[str, object] = {
        "kind": "booking_confirmation",
        "recipient": "Zoë Ångström <zoe@example.com>",
        "subject": "Interview booked",
        "text_body": "Hi Zoë,\n\nSee you then.\n",
        "sender": "Interviews <interviews@example.org>",
        "message_id": "<iw.1@example.org>",
        **extra,
    }
    return OutboxMessage(**values)


def test_a_plain_message_is_one_text_part_with_its_headers() -> None:
    sent = message_from_bytes(to_email(message(), date=WHEN).as_bytes(), policy=policy.default)
    assert sent.get_content_type() == "text/plain"
    assert (sent["From"], sent["To"], sent["Subject"], sent["Message-ID"]) == (
        "Interviews <interviews@example.org>",
        "Zoë Ångström <zoe@example.com>",
        "Interview booked",
        "<iw.1@example.org>",
    )
    assert sent["Date"] == "Tue, 04 Jun 2030 12:00:00 +0000" and sent["Reply-To"] is None
    assert sent.get_content().replace("\r\n", "\n") == "Hi Zoë,\n\nSee you then.\n"
    assert max(sent.as_bytes()) < 128  # 7-bit on the wire: no server needs 8BITMIME


def test_an_invitation_goes_as_the_calendar_alternative_and_as_an_attached_file() -> None:
    email = to_email(
        message(
            html_body="<p>Hi</p>",
            attachment=ICS,
            attachment_name="interview.ics",
            attachment_type="text/calendar; method=REQUEST; charset=UTF-8",
            reply_to="Ana Rossi <ana@example.com>",
        ),
        date=WHEN,
    )
    sent = message_from_bytes(email.as_bytes(), policy=policy.default)
    assert sent.get_content_type() == "multipart/mixed" and sent["Reply-To"] == "Ana Rossi <ana@example.com>"
    alternative, attached = sent.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html", "text/calendar"]
    calendar = alternative.get_payload()[2]
    assert (calendar.get_param("method"), calendar.get_content_charset()) == ("REQUEST", "utf-8")
    assert calendar.get_payload(decode=True) == ICS and attached.get_payload(decode=True) == ICS
    assert (attached.get_content_type(), attached.get_filename()) == ("application/ics", "interview.ics")


def test_header_values_stay_on_one_line_whatever_was_stored() -> None:
    email = to_email(
        message(subject="Hello\r\nBcc: everyone@example.com", recipient="x@example.com\nCc: y@z.com"), date=WHEN
    )
    sent = message_from_bytes(email.as_bytes(), policy=policy.default)
    assert sent["Subject"] == "Hello Bcc: everyone@example.com"
    assert sent["Bcc"] is None and sent["Cc"] is None


def test_the_html_part_escapes_what_was_filled_in_and_links_only_web_addresses() -> None:
    html = html_from_text(
        "Hi <b>Bob</b> & co,\n\nJoin at: https://meet.example.com/a?b=1&c=2.\nnot a link: javascript:alert(1)",
        title="A <title>",
    )
    assert "<title>A &lt;title&gt;</title>" in html
    assert "<p>Hi &lt;b&gt;Bob&lt;/b&gt; &amp; co,</p>" in html
    link = "https://meet.example.com/a?b=1&amp;c=2"
    assert f'Join at: <a href="{link}">{link}</a>.<br>not a link: javascript:alert(1)</p>' in html
