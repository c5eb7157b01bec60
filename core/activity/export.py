"""The activity a person may see, as a CSV or JSON file (the Activity page's downloads).

The same filter and the same permission as the page (core.activity.listing), newest first, at most
EXPORT_LIMIT entries: the file says how many the filter held, so a cut is never silent. Cells a spreadsheet
would run as a formula (a name typed as "=cmd|…") are written as text.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.activity.listing import ActivityFilter, ActivityRow, activity_query, names_of, row_of
from core.permissions.actor import Actor
from core.workspace import Workspace

EXPORT_LIMIT = 10_000
CSV_COLUMNS = ("id", "time_utc", "actor", "actor_name", "kind", "action", "session_id", "detail")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ActivityExport:
    rows: list[ActivityRow]
    total: int  # entries the filter held; more than len(rows) when the export was cut at EXPORT_LIMIT
    wanted: ActivityFilter
    made_at: datetime

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)


def export_activity(
    ws: Workspace, wanted: ActivityFilter, *, actor: Actor, limit: int = EXPORT_LIMIT
) -> ActivityExport:
    """The newest `limit` entries `wanted` holds that `actor` may see, and how many it holds in all."""
    query = activity_query(wanted, actor=actor)
    with ws.uow_factory() as uow:
        total = uow.audit.count(query)
        entries = uow.audit.search(query, limit=max(min(limit, EXPORT_LIMIT), 0))
        names = names_of(uow)
    return ActivityExport([row_of(entry, names) for entry in entries], total, wanted, ws.clock())


def as_csv(export: ActivityExport) -> str:
    """One line per entry under a header; the detail as compact JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in export.rows:
        writer.writerow(
            [
                row.id,
                row.at.isoformat(),
                _cell(row.actor),
                _cell(row.actor_name),
                row.kind.value,
                _cell(row.action),
                row.session_id or "",
                _cell(json.dumps(row.detail, sort_keys=True, default=str, ensure_ascii=False)),
            ]
        )
    return buffer.getvalue()


def as_json(export: ActivityExport) -> str:
    """{"exported_at", "filter", "total", "included", "entries": [...]}, entries newest first."""
    wanted = export.wanted
    document: dict[str, Any] = {
        "exported_at": export.made_at.isoformat(),
        "filter": {
            "person": wanted.person,
            "kind": wanted.kind.value if wanted.kind else None,
            "since": wanted.since.isoformat() if wanted.since else None,
            "until": wanted.until.isoformat() if wanted.until else None,
        },
        "total": export.total,
        "included": len(export.rows),
        "entries": [
            {
                "id": row.id,
                "time_utc": row.at.isoformat(),
                "actor": row.actor,
                "actor_name": row.actor_name,
                "kind": row.kind.value,
                "action": row.action,
                "session_id": row.session_id,
                "detail": row.detail,
            }
            for row in export.rows
        ],
    }
    return json.dumps(document, indent=2, default=str, ensure_ascii=False)


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
