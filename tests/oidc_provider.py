"""A real OpenID Connect provider on loopback for sign-in tests: `oidc-provider-mock` (Authlib on Flask) run
through its own command line in a subprocess, on a free 127.0.0.1 port.

A subprocess keeps its Flask server, logging and Authlib's deprecation warnings out of the test process
(pytest turns warnings into errors). It starts in about a second. Every user is predefined with the claims
given (e.g. email_verified), so its authorization page offers each as a one-click button.
"""

from __future__ import annotations

import contextlib
import json
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.child_process import DidNotStart, serving
from tests.workspace_server import free_port


class ProviderDidNotStart(RuntimeError):
    pass


@dataclass(frozen=True)
class ProviderUser:
    email: str
    name: str
    email_verified: bool = True

    def claims_json(self) -> str:
        return json.dumps(
            {"sub": self.email, "email": self.email, "email_verified": self.email_verified, "name": self.name}
        )


@dataclass(frozen=True)
class OidcProvider:
    url: str  # the issuer

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"


@contextlib.contextmanager
def oidc_provider(users: Sequence[ProviderUser], log_path: Path) -> Iterator[OidcProvider]:
    """Run the provider (any client id and secret accepted, any redirect URI) until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for user in users:
        command += ["--user-claims", user.claims_json()]
    provider = OidcProvider(f"http://127.0.0.1:{port}")

    def answers() -> bool:
        with urllib.request.urlopen(provider.metadata_url, timeout=2) as response:
            return bool(json.load(response).get("issuer") == provider.url)

    try:
        with serving(command, ready=answers, log_path=log_path, timeout=20, what="OIDC provider"):
            yield provider
    except DidNotStart as exc:
        raise ProviderDidNotStart(str(exc)) from None
