"""Handing one email to the mail server with smtplib, and saying in a sentence why it did not go.

TLS as configured: "starttls" upgrades a plain connection (port 587), "implicit" speaks TLS from the first
byte (port 465), "none" stays plain (a relay on a trusted network). Certificates are verified against the
system's CAs, or notifications.smtp.ca_file.

A failure is SmtpFailure: `permanent` when trying again cannot help (a 5xx answer, a certificate that does
not verify, a server without STARTTLS), passing otherwise (no connection, a timeout, a 4xx answer). Its
`reason` may quote the server (which can echo the recipient's address) and is for the outbox; its
`summary` never does, for records that outlive the message (the job). Neither ever holds the password.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage

from core.config import SmtpSettings
from core.single_line import single_line

MAX_SERVER_TEXT = 300


class SmtpFailure(Exception):
    def __init__(self, reason: str, *, summary: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.summary = summary
        self.permanent = permanent


def send(smtp: SmtpSettings, email: EmailMessage) -> None:
    """Deliver `email` to its To address through the configured server; raises SmtpFailure."""
    where = f"{smtp.host}:{smtp.port}"
    context = _tls_context(smtp) if smtp.tls != "none" else None
    step = "connecting"
    try:
        client = _connect(smtp, context)
    except (smtplib.SMTPException, OSError) as exc:
        raise _failure(exc, where=where, step=step) from None
    try:
        client.ehlo_or_helo_if_needed()
        if smtp.tls == "starttls":
            step = "starting TLS"
            client.starttls(context=context)
            client.ehlo()
        if smtp.username:
            step = "signing in"
            client.login(smtp.username, smtp.password.get_secret_value())
        step = "sending"
        client.send_message(email)
    except (smtplib.SMTPException, OSError) as exc:  # anything else is a bug: the runner logs it in full
        raise _failure(exc, where=where, step=step) from None
    finally:
        _close(client)


def _tls_context(smtp: SmtpSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=smtp.ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        reason = (
            f"The CA file notifications.smtp.ca_file ({smtp.ca_file}) cannot be read ({type(exc).__name__}); "
            "fix the path or leave it empty to trust the system's CAs."
        )
        raise SmtpFailure(reason, summary=reason, permanent=True) from None


def _connect(smtp: SmtpSettings, context: ssl.SSLContext | None) -> smtplib.SMTP:
    if smtp.tls == "implicit":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context)
    return smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)


def _close(client: smtplib.SMTP) -> None:
    """QUIT politely; whatever the server says now cannot undo a message it accepted."""
    try:
        client.quit()
    except Exception:  # the connection is closed either way
        client.close()


def _failure(exc: BaseException, *, where: str, step: str) -> SmtpFailure:
    """What went wrong, for a person, and whether trying again can help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        return _answered(code, text, "refused the recipient", where)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _answered(exc.smtp_code, exc.smtp_error, "refused the sender address (notifications.sender)", where)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _answered(
            exc.smtp_code,
            exc.smtp_error,
            "did not accept the username and password (notifications.smtp.username and password)",
            where,
        )
    if isinstance(exc, smtplib.SMTPDataError):
        return _answered(exc.smtp_code, exc.smtp_error, "refused the message", where)
    if isinstance(exc, smtplib.SMTPConnectError):
        return _answered(exc.smtp_code, exc.smtp_error, "turned the connection away", where)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _answered(exc.smtp_code, exc.smtp_error, f"answered with an error while {step}", where)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if step == "starting TLS":
            reason = (
                f"The mail server at {where} does not offer STARTTLS; set notifications.smtp.tls to implicit "
                "(usually port 465) or, for a relay on a trusted network, none."
            )
        else:
            reason = f"The mail server at {where} does not support {step} (no SMTP AUTH); remove the username."
        return SmtpFailure(reason, summary=reason, permanent=True)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        reason = f"The mail server at {where} closed the connection while {step}."
        return SmtpFailure(reason, summary=reason, permanent=False)
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = (
            f"The certificate of the mail server at {where} could not be verified ({exc.verify_message}); "
            "set notifications.smtp.ca_file to the CA that signed it."
        )
        return SmtpFailure(reason, summary=reason, permanent=True)
    if isinstance(exc, ssl.SSLError):
        reason = (
            f"TLS with the mail server at {where} failed while {step} ({exc.reason or type(exc).__name__}); "
            "check notifications.smtp.tls: implicit for port 465, starttls for port 587."
        )
        return SmtpFailure(reason, summary=reason, permanent=True)
    if isinstance(exc, TimeoutError | socket.timeout):
        reason = f"The mail server at {where} did not answer in time while {step}."
        return SmtpFailure(reason, summary=reason, permanent=False)
    if isinstance(exc, socket.gaierror):
        reason = f"The mail server's name in {where} could not be looked up."
        return SmtpFailure(reason, summary=reason, permanent=False)
    if isinstance(exc, ConnectionRefusedError):
        reason = f"Could not connect to the mail server at {where}: the connection was refused."
        return SmtpFailure(reason, summary=reason, permanent=False)
    if isinstance(exc, OSError):
        reason = f"Could not reach the mail server at {where} ({exc.strerror or type(exc).__name__})."
        return SmtpFailure(reason, summary=reason, permanent=False)
    reason = f"Sending through the mail server at {where} failed while {step} ({type(exc).__name__})."
    return SmtpFailure(reason, summary=reason, permanent=False)


def _answered(code: int, text: bytes | str, what: str, where: str) -> SmtpFailure:
    """A server's error answer: 5xx is for good, 4xx (and anything else) is worth another try."""
    permanent = 500 <= code < 600
    said = _text(text)
    kind = "permanent" if permanent else "temporary"
    reason = f"The mail server at {where} {what}: {code} {said}".rstrip() + "."
    summary = f"The mail server at {where} {what} ({kind} error {code})."
    return SmtpFailure(reason, summary=summary, permanent=permanent)


def _text(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    said = single_line(text)
    return said if len(said) <= MAX_SERVER_TEXT else said[: MAX_SERVER_TEXT - 1] + "…"
