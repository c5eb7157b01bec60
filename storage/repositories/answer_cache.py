"""The answer cache's rows: model answers by the SHA-256 of what was asked (core.llm.answer_cache)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from core.models import CachedAnswer
from storage.repositories.base import SqlRepository
from storage.tables import AnswerCacheRow


class SqlAnswerCacheRepository(SqlRepository[CachedAnswer, AnswerCacheRow]):
    model = CachedAnswer
    row_type = AnswerCacheRow
    missing = "No cached answer {}."

    def get(self, key: str) -> CachedAnswer | None:
        row = self._session.get(AnswerCacheRow, key)
        return self._to_item(row) if row is not None else None

    def add(self, answer: CachedAnswer) -> None:
        """INSERT … ON CONFLICT DO NOTHING: the first answer kept under a key stays, and a second writer (another
        worker that asked the same at the same moment) neither fails nor breaks its transaction."""
        values = self._values(answer)
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(
                postgresql.insert(AnswerCacheRow).values(values).on_conflict_do_nothing(index_elements=["key"])
            )
        else:
            self._session.execute(
                sqlite.insert(AnswerCacheRow).values(values).on_conflict_do_nothing(index_elements=["key"])
            )
