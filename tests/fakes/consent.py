"""Fake of the consent repository: agreements to be recorded, per session, oldest first."""

from __future__ import annotations

import copy
from types import MappingProxyType

from core.models import SessionConsent
from tests.fakes.base import Mirror, sorted_by


class FakeConsentRepository(Mirror[SessionConsent, int]):
    model = SessionConsent
    table = "consents"
    noun = "consent"
    autoincrement = True
    json_columns = ("kinds",)
    references = MappingProxyType({"session_id": "sessions"})

    def in_session(self, session_id: str) -> list[SessionConsent]:
        """Oldest first."""
        return copy.deepcopy(sorted_by(self._where(session_id=session_id), "given_at", "id"))
