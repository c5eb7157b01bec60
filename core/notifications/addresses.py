"""Mail addresses as they go into a header: 'Ana Rossi <ana@example.com>', on one line, or nothing.

Names come from forms, resumes and webhooks; here they are made one line and quoted where needed, so a
name can never start a header of its own or smuggle in a second recipient.
"""

from __future__ import annotations

import re
from email.utils import formataddr, parseaddr

from core.config import Settings
from core.single_line import single_line

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


def address(name: str, email: str) -> str:
    """'Ana Rossi <ana@example.com>' (quoted when needed); "" when there is no usable address."""
    email, name = single_line(email), single_line(name)
    if not _ADDRESS.match(email):
        return ""
    return formataddr((name, email)) if name else email


def mailbox(value: str) -> str:
    """The bare address of 'Name <address>' (or of a bare address), lower-cased; "" when there is none."""
    _, email = parseaddr(single_line(value))
    return email.lower() if _ADDRESS.match(email) else ""


def domain_of(value: str) -> str:
    """The domain of an address, for Message-IDs; "localhost" when there is none."""
    email = mailbox(value)
    return email.rpartition("@")[2] if email else "localhost"


def workspace_sender(settings: Settings) -> str:
    """From: of the workspace's emails: notifications.sender, else the scheduling organizer."""
    scheduling = settings.scheduling
    return settings.notifications.sender or address(scheduling.organizer_name, scheduling.organizer_email)
