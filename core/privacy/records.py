"""The record of data requests (exports, erasures, retention runs), newest first, for the admin's page."""

from __future__ import annotations

from core.models import DataRequest
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.workspace import Workspace


def recent_requests(ws: Workspace, *, actor: Actor, limit: int = 20) -> list[DataRequest]:
    """Whose data was exported or erased, by whom: for admins (AccessDenied for anyone else)."""
    authorize_action(ws.settings, actor, Action.MANAGE_DATA)
    with ws.uow_factory() as uow:
        return uow.data_requests.latest(limit=limit)
