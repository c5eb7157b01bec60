"""Who does something: a signed-in person, whom the policy checks, or the workspace itself.

The workspace acts for the people who run it (the command line on the server, signed Cal.com webhooks,
the daily cleanup, the AI interviewer's reply): nobody reaches those from a browser, so they are trusted.
Pages only ever build a person's actor (components.signed_in.current_actor).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Account


@dataclass(frozen=True)
class Actor:
    name: str  # as the audit log names them: "account:<id>" for a person
    account: Account | None = None  # None: the workspace itself

    @classmethod
    def person(cls, account: Account) -> Actor:
        return cls(account.audit_name, account)

    @classmethod
    def workspace(cls, job: str) -> Actor:
        """`job`: what acts, as the audit log shows it ("cli", "calcom", "retention", "interviewer")."""
        return cls(job)

    @property
    def is_person(self) -> bool:
        return self.account is not None
