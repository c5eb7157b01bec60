"""The answer cache in memory: a dict by key whose first answer stays, with the session foreign key."""

from __future__ import annotations

import copy
from dataclasses import replace

from core.models import CachedAnswer
from tests.fakes.base import Repo, now


class FakeAnswerCacheRepository(Repo):
    def get(self, key: str) -> CachedAnswer | None:
        found = self._state.answer_cache.get(key)
        return copy.deepcopy(found) if found is not None else None

    def add(self, answer: CachedAnswer) -> None:
        self._require("answer_cache", {"session_id": "sessions"}, {"session_id": answer.session_id})
        if answer.key not in self._state.answer_cache:  # ON CONFLICT DO NOTHING
            self._state.answer_cache[answer.key] = replace(answer, created_at=answer.created_at or now())
