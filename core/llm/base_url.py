"""The address of an OpenAI-compatible server as a person types it (Setup page, `--base-url`).

Checked before any request, so a typo gets a sentence saying what to fix instead of a connection error
from deep inside the SDK. The message never repeats what was typed: an address may carry a password.
Whether an address is on this machine or a private network decides whether an unpriced model is free
(a server of your own) or of unknown price (someone else's).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from core.errors import InvalidInput

EXAMPLE = "http://localhost:8080/v1"
_LOCAL_SUFFIXES = (".local", ".lan", ".internal", ".home.arpa", ".localhost")


def parse_base_url(text: str | None) -> str:
    """The base URL as the SDK takes it: trimmed, scheme in lower case, no trailing slash.

    Raises InvalidInput when it is empty, not http(s), has no host, an unusable port, a user name or
    password, a query or a fragment.
    """
    value = (text or "").strip()
    if not value:
        raise InvalidInput(f"Enter the server's base URL, for example {EXAMPLE}.")
    if any(c.isspace() for c in value):
        raise InvalidInput(f"A base URL has no spaces in it; for example {EXAMPLE}.")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput(f"The base URL must start with http:// or https://, for example {EXAMPLE}.")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "Leave the user name and password out of the base URL: paste the server's key in the API key field."
        )
    if not parts.hostname:
        raise InvalidInput(f"The base URL has no host name; for example {EXAMPLE}.")
    try:
        port = parts.port
    except ValueError:  # not a number, or above 65535
        port = 0
    if port == 0:
        raise InvalidInput("The port in the base URL must be a number from 1 to 65535.")
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise InvalidInput(f"A base URL ends with its path (usually /v1), without ?… or #…; for example {EXAMPLE}.")
    return f"{parts.scheme.lower()}://{parts.netloc}{parts.path.rstrip('/')}"


def same_server(first: str | None, second: str | None) -> bool:
    """Whether two base URLs name the same endpoint (spelling aside); an unusable one matches nothing."""
    try:
        return parse_base_url(first).lower() == parse_base_url(second).lower()
    except InvalidInput:
        return False


def is_private(base_url: str | None) -> bool:
    """Whether the address is this machine or a private network (loopback, RFC 1918, link-local, *.local…).

    Decided from the spelling alone, without a DNS lookup; a public name counts as someone else's server.
    """
    host = urlsplit(base_url or "").hostname
    if not host:
        return False
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a bare machine name ("gpu-box") resolves on the local network only
    return address.is_private or address.is_loopback or address.is_link_local
