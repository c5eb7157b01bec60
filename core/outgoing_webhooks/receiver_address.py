"""The receiver's address: checked before it is stored, and named in messages by its host alone.

A typo is refused with the reason when the subscription is made, rather than failing a day of deliveries later.
Messages, the audit log and the log name the receiver by host and port only: a path or query may hold the
receiver's own token, and a user name or password in the address is refused outright (the page shows it).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from core.errors import InvalidInput
from core.single_line import single_line

MAX_URL_CHARS = 2000
EXAMPLE = "https://ats.example.com/hooks/interviews"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_IPV6 = re.compile(r"^[0-9A-Fa-f:.]+$")


def checked_url(url: str) -> str:
    """The receiver's address as stored, or InvalidInput saying what is wrong with it."""
    address = url.strip()
    if not address:
        raise InvalidInput(f"Enter the address the receiver listens on, e.g. {EXAMPLE}.")
    if len(address) > MAX_URL_CHARS:
        raise InvalidInput(f"The address is {len(address)} characters long; keep it under {MAX_URL_CHARS}.")
    if single_line(address) != address or " " in address:
        raise InvalidInput("The address has spaces or line breaks in it; paste it again as one line.")
    shown = address if len(address) <= 80 else address[:77] + "…"
    try:
        parts = urlsplit(address)
        port = parts.port  # refuses a port that is not a number from 0 to 65535
    except ValueError:
        raise InvalidInput(f"“{shown}” is not a web address: check the host and the port.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput(f"“{shown}” is not a web address: it must start with https:// (or http://), e.g. {EXAMPLE}.")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "Put no user name or password in the address (it is shown on this page): the receiver checks the "
            "webhook-signature header instead."
        )
    host = parts.hostname or ""
    if not host or not (_HOST.match(host) or (":" in host and _IPV6.match(host))):
        raise InvalidInput(f"“{shown}” has no valid host name, e.g. {EXAMPLE}.")
    if port == 0:
        raise InvalidInput(f"“{shown}” names port 0, which nothing listens on.")
    return address


def host_of(url: str) -> str:
    """The receiver as messages name it: host and port only, never a path or query that may hold a token."""
    return urlsplit(url).netloc.rpartition("@")[2] or "the receiver"
