"""Data requests: a person's data exported or erased on request, and retention runs (subject is an id)."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select

from core.models import DataRequest, DataRequestKind
from storage.repositories.base import EnumFields, SqlRepository
from storage.tables import DataRequestRow


class SqlDataRequestRepository(SqlRepository[DataRequest, DataRequestRow]):
    model = DataRequest
    row_type = DataRequestRow
    missing = "No data request {}."
    enums: ClassVar[EnumFields] = {"kind": DataRequestKind}
    ignores_given_id = True

    def add(self, request: DataRequest) -> DataRequest:
        return self._add(request)

    def latest(self, *, limit: int = 50, kind: DataRequestKind | None = None) -> list[DataRequest]:
        """Newest first; only `kind` when given."""
        query = select(DataRequestRow)
        if kind is not None:
            query = query.where(DataRequestRow.kind == kind.value)
        return self._many(query.order_by(DataRequestRow.created_at.desc(), DataRequestRow.id.desc()).limit(limit))
