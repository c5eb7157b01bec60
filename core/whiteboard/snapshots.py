"""Whiteboard snapshots: the candidate's drawing kept with the session (PNG + Fabric JSON).

The page saves on every change of the drawing; a JSON equal to the latest snapshot's is not
stored again, so reruns that resend the same drawing cost one read. The latest snapshot
restores the board after a reload and feeds the interviewer and the evaluator (core.whiteboard.analysis).
"""

from __future__ import annotations

import logging
from typing import Any

from core.logs import session_context
from core.media.capture import require_open, unique_name
from core.models import WhiteboardSnapshot
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.unit_of_work import UnitOfWork
from core.whiteboard.analysis import BoardAnalysis, analyse, read_board
from core.whiteboard.validation import validate_drawing
from core.workspace import Workspace

log = logging.getLogger(__name__)


def save_snapshot(
    ws: Workspace, session_id: str, fabric_json: dict[str, Any], png: bytes | None = None, *, actor: Actor
) -> WhiteboardSnapshot:
    """Store the drawing (and its PNG, when given) in the session folder and as a row; returns the latest row.

    The board is part of the interview's record, so drawing on it is changing the session: only who may EDIT
    it (the candidate in their own practice, the interviewer running it) draws; AccessDenied, worded as not
    found, for anyone else. Raises SessionClosed once the interview has ended, NotFound for an unknown
    session, and InvalidInput for a drawing that is not Fabric JSON, is malformed or too large
    (core.whiteboard.validation). An unchanged drawing is not stored again: the latest snapshot is returned.
    """
    encoded = validate_drawing(fabric_json)
    with session_context(session_id), ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))
        require_open(uow, session_id, "keeps no more whiteboard changes")
        latest = uow.whiteboards.latest(session_id)
        if latest is not None and _same(latest.fabric_json, fabric_json):
            return latest
        now = ws.clock()
        written: list[str] = []
        try:
            name = unique_name(ws, session_id, "whiteboard", ".json", now)
            written.append(ws.files.save(session_id, name, encoded))
            png_path = None
            if png:
                png_path = ws.files.save(session_id, name.removesuffix(".json") + ".png", png)
                written.append(png_path)
            stored = uow.whiteboards.add(
                WhiteboardSnapshot(session_id=session_id, png_path=png_path, fabric_json=fabric_json, created_at=now)
            )
            uow.commit()
        except BaseException:
            for path in written:
                ws.files.absolute(path).unlink(missing_ok=True)
            raise
    log.info("whiteboard saved", extra={"objects": len(fabric_json.get("objects", []))})
    return stored


def latest_snapshot(ws: Workspace, session_id: str, *, actor: Actor) -> WhiteboardSnapshot | None:
    """The session's most recent drawing, or None before anything was drawn, for someone who may see the
    session (AccessDenied, worded as not found, for anyone else)."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return uow.whiteboards.latest(session_id)


def latest_analysis(ws: Workspace, session_id: str, *, actor: Actor) -> BoardAnalysis | None:
    """The latest drawing read as a component graph and compared with the problem's reference components;
    refused like `latest_snapshot`."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, session)
        latest = uow.whiteboards.latest(session_id)
    if latest is None:
        return None
    return board_analysis(ws, session.problem_id, latest)


def picture_path(uow: UnitOfWork, session_id: str) -> str | None:
    """The stored PNG of the newest drawing that has one — None when nothing is drawn, the board was cleared,
    or no picture was kept (a drawing saved without one, e.g. by an older version, falls back to an earlier
    one). Read inside the caller's transaction, which has already checked who asks (the evaluation's)."""
    latest = uow.whiteboards.latest(session_id)
    if latest is None or not latest.fabric_json.get("objects"):
        return None
    snapshots = [latest] if latest.png_path else uow.whiteboards.in_session(session_id)[::-1]
    return next((s.png_path for s in snapshots if s.png_path), None)


def read_picture(ws: Workspace, path: str | None) -> bytes | None:
    """The PNG at `path` (from `picture_path`); None when there is none or the file has gone."""
    try:
        return ws.files.read(path) if path else None
    except (OSError, ValueError):
        log.warning("whiteboard picture missing", extra={"path": path})
        return None


def board_analysis(ws: Workspace, problem_id: str, snapshot: WhiteboardSnapshot) -> BoardAnalysis:
    """One snapshot analysed against a problem's reference components."""
    return analyse(read_board(snapshot.fabric_json), ws.problems.get(problem_id).reference_components)


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal drawings: the objects decide (the canvas also sends its version and background)."""
    return a.get("objects", []) == b.get("objects", []) and a.get("background") == b.get("background")
