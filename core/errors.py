"""Errors the product raises on purpose. Each carries a message fit to show a person."""

from __future__ import annotations


class WorkspaceError(Exception):
    """Base class: str(exc) is a complete, user-facing sentence."""


class ConfigError(WorkspaceError):
    pass


class ContentError(WorkspaceError):
    """A problem or rubric file is missing or malformed."""


class DatabaseUnavailable(WorkspaceError):
    pass


class IllegalTransition(WorkspaceError):
    pass


class SessionClosed(WorkspaceError):
    """The session has ended (or not started) and accepts no input."""


class NotFound(WorkspaceError):
    pass


class ResumeError(WorkspaceError):
    """An upload we cannot read: wrong type, too big, corrupt or encrypted."""


class AlreadyExists(WorkspaceError):
    """A record that must be unique is there already (e.g. a webhook event delivered twice)."""


class InvalidInput(WorkspaceError):
    """What a person entered cannot be used as it is (a missing justification, a score out of range)."""


class ConsentRequired(WorkspaceError):
    """A recording asked for in a session where nobody has agreed to that kind of recording."""


class AccessDenied(WorkspaceError):
    """The signed-in person may not do this. The message never says whether the thing exists."""


class SignInRefused(WorkspaceError):
    """Wrong email or password, a locked or disabled account, or an identity nobody invited.

    `failures` is how many failed password sign-ins in a row the typed address has (known or not): the
    caller waits core.accounts.sign_in.failure_delay(failures) before answering."""

    def __init__(self, message: str, *, failures: int = 0) -> None:
        super().__init__(message)
        self.failures = failures
