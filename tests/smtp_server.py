"""A real SMTP server on 127.0.0.1 for the email tests: aiosmtpd, the asyncio SMTP server, in a thread.

It keeps every message it accepts (the envelope and the raw bytes, parsed back with the standard library)
and answers RCPT TO with the replies a test queues ("451 4.3.0 Try again later", "550 5.1.1 No such
mailbox"), as a real server would. With a certificate it offers STARTTLS (and then only signs in over TLS)
or speaks TLS from the first byte; with credentials it asks for a login and refuses any other.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    """A port nothing listens on now (a server can be started on it later: "the server was down")."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    accepted_at: float = field(default_factory=time.time)  # wall clock when the server accepted it (benchmarks)

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1; `pem` is also the CA file a client trusts it with."""

    pem: Path
    key: Path

    @classmethod
    def make(cls, folder: Path) -> Certificate:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test mail server")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        folder.mkdir(parents=True, exist_ok=True)
        pem, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
        pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return cls(pem, key_file)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.pem, self.key)
        return context


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        reply = self._server.next_reply()
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._server.keep(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(
        self,
        *,
        port: int | None = None,
        tls: Literal["none", "starttls", "implicit"] = "none",
        certificate: Certificate | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.received: list[Received] = []
        self.logins: list[tuple[str, bool]] = []  # (login, accepted)
        self._replies: deque[str] = deque()
        self._lock = threading.Lock()
        self._credentials = credentials
        options: dict[str, Any] = {}
        if tls != "none":
            assert certificate is not None, "TLS needs a certificate"
            key = "tls_context" if tls == "starttls" else "ssl_context"
            options[key] = certificate.server_context()
            if tls == "starttls":
                options["require_starttls"] = True
        if credentials is not None:
            options["authenticator"] = self._authenticate
            options["auth_require_tls"] = tls != "none"
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, **options)

    def refuse_next(self, *replies: str) -> None:
        """Answer the next RCPT TO commands with these replies, one each, instead of accepting them."""
        with self._lock:
            self._replies.extend(replies)

    def next_reply(self) -> str | None:
        with self._lock:
            return self._replies.popleft() if self._replies else None

    def keep(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert self._credentials is not None
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        accepted = (login, password) == self._credentials
        with self._lock:
            self.logins.append((login, accepted))
        return AuthResult(success=accepted, handled=False)  # refused: the server answers 535 itself

    def start(self) -> Self:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
