"""The audit log's one writer: every feature records what happened the same way.

An entry joins the caller's unit of work, so it is committed (or rolled back) with the change it
describes. created_at is left unset: the audit repository stamps it when the entry is stored, unless the
caller gives the moment its change is dated by (`at`, from the workspace clock).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from core.models import AuditEntry

if TYPE_CHECKING:
    from core.unit_of_work import UnitOfWork


def record(
    uow: UnitOfWork,
    action: str,
    *,
    actor: str,
    session_id: str | None = None,
    detail: Mapping[str, object] | None = None,
    logger: logging.Logger | None = None,
    at: datetime | None = None,
) -> None:
    """Add one audit entry to `uow` (the caller commits); with `logger`, also log it at INFO.

    `detail` is a mapping rather than keyword arguments: its keys are data ("from", "to"…), free to be
    anything, and can never be mistaken for this function's own parameters.
    """
    facts = dict(detail or {})
    uow.audit.add(AuditEntry(action=action, actor=actor, session_id=session_id, detail=facts, created_at=at))
    if logger is not None:
        logger.info(action, extra={"actor": actor, "detail": facts})  # nested: keys never clash with the record's
