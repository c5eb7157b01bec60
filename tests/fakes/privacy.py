"""Fake of the data request repository: exports, erasures and retention runs, newest first."""

from __future__ import annotations

import copy
from dataclasses import replace
from types import MappingProxyType

from core.models import DataRequest, DataRequestKind
from tests.fakes.base import Mirror, sorted_by


class FakeDataRequestRepository(Mirror[DataRequest, int]):
    model = DataRequest
    table = "data_requests"
    noun = "data request"
    autoincrement = True
    enums = MappingProxyType({"kind": DataRequestKind})
    json_columns = ("counts",)

    def add(self, item: DataRequest) -> DataRequest:
        return super().add(replace(item, id=None))  # like storage: the log numbers every row

    def latest(self, *, limit: int = 50, kind: DataRequestKind | None = None) -> list[DataRequest]:
        rows = [r for r in self._rows.values() if kind is None or r.kind is kind]
        return copy.deepcopy(sorted_by(rows, "created_at", "id", reverse=True)[: max(limit, 0)])
