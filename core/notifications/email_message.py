"""An outbox message as the mail server receives it: text and HTML, and the calendar invitation.

Built with the standard library's EmailMessage. A message with an invitation is multipart/mixed: a
multipart/alternative (text, HTML and the invitation as text/calendar with its METHOD, the part Gmail,
Outlook and Apple Mail act on) and the same .ics as an attachment a person can open or save. Bodies are
7-bit encoded (quoted-printable or base64 when they need it), so any mail server relays them unchanged.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.headerregistry import ContentTypeHeader
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from core.models import OutboxMessage
from core.notifications.addresses import domain_of
from core.single_line import single_line

POLICY = policy.SMTP.clone(cte_type="7bit")
"""CRLF line ends, as SMTP wants them; 7-bit bodies, so no server needs 8BITMIME."""


def new_message_id(sender: str) -> str:
    """A Message-ID for a new outbox message: kept with it, so every try sends the same one."""
    return make_msgid(idstring="iw", domain=domain_of(sender))


def to_email(message: OutboxMessage, *, date: datetime) -> EmailMessage:
    """The message ready for smtplib. Header values are made one line again here, whoever stored them."""
    email = EmailMessage(policy=POLICY)
    email["From"] = single_line(message.sender)
    email["To"] = single_line(message.recipient)
    if reply_to := single_line(message.reply_to):
        email["Reply-To"] = reply_to
    email["Subject"] = single_line(message.subject)
    email["Date"] = format_datetime(date)
    email["Message-ID"] = single_line(message.message_id) or new_message_id(message.sender)
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    if message.attachment is not None:
        maintype, subtype, params = _content_type(message.attachment_type)
        name = single_line(message.attachment_name) or "attachment"
        if (maintype, subtype) == ("text", "calendar"):
            email.add_alternative(message.attachment, maintype="text", subtype="calendar", params=params)
            email.add_attachment(message.attachment, maintype="application", subtype="ics", filename=name)
        else:
            email.add_attachment(message.attachment, maintype=maintype, subtype=subtype, filename=name)
    return email


def _content_type(value: str) -> tuple[str, str, dict[str, str]]:
    """('text', 'calendar', {'method': 'REQUEST', 'charset': 'UTF-8'}) from a stored Content-Type."""
    holder = EmailMessage()
    holder["Content-Type"] = single_line(value) or "application/octet-stream"
    header = holder["Content-Type"]
    params = dict(header.params) if isinstance(header, ContentTypeHeader) else {}
    return holder.get_content_maintype(), holder.get_content_subtype(), params
