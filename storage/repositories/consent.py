"""Consent to recording: one row per agreement given in a session, kept like a log (never changed)."""

from __future__ import annotations

from core.models import SessionConsent
from storage.repositories.base import SqlRepository
from storage.tables import SessionConsentRow


class SqlConsentRepository(SqlRepository[SessionConsent, SessionConsentRow]):
    model = SessionConsent
    row_type = SessionConsentRow
    missing = "No consent {}."
    ignores_given_id = True

    def add(self, consent: SessionConsent) -> SessionConsent:
        return self._add(consent)

    def in_session(self, session_id: str) -> list[SessionConsent]:
        """Oldest first."""
        return self._in_session(session_id, SessionConsentRow.given_at, SessionConsentRow.id)
