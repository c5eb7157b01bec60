"""The record of data requests (exports, erasures, retention runs), newest first, for the admin's page."""

from __future__ import annotations

from core.models import DataRequest
from core.workspace import Workspace


def recent_requests(ws: Workspace, *, limit: int = 20) -> list[DataRequest]:
    with ws.uow_factory() as uow:
        return uow.data_requests.latest(limit=limit)
