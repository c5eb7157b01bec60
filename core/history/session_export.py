"""The whole interview as one zip: chat, transcript, whiteboard, media, evaluation and report.

What a reviewer archives or hands on. Recordings go in when they fit MAX_MEDIA_BYTES in total;
the manifest lists every media file and says which ones were left out (and why), so a large
camera recording never makes the download fail.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from core.errors import AccessDenied
from core.evaluation.report import load_report
from core.evaluation.report_export import report_markdown, report_pdf
from core.evaluation.utterances import transcript_lines
from core.models import Session
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.speech.transcript_formats import to_json, to_srt, to_txt
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

MAX_MEDIA_BYTES = 200 * 1024 * 1024


def session_zip(ws: Workspace, session_id: str, *, actor: Actor, max_media_bytes: int = MAX_MEDIA_BYTES) -> bytes:
    """The zip's bytes; NotFound for an unknown session, AccessDenied for someone who may not see it. Works
    before the evaluation exists, too; the evaluation goes in only for someone who may see it."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, session)
        candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
        messages = uow.messages.in_session(session_id)
        transcript = uow.transcripts.in_session(session_id)
        whiteboards = uow.whiteboards.in_session(session_id)
        media = uow.media.in_session(session_id)
        has_evaluation = uow.evaluations.for_session(session_id) is not None and _may(
            uow, ws, actor, SessionAction.VIEW_EVALUATION, session
        )

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "session.json", _json({"session": asdict(session), "candidate": candidate and asdict(candidate)})
        )
        archive.writestr("chat.json", _json([asdict(m) for m in messages]))
        lines = transcript_lines(session, messages, transcript)  # what was said, and what was typed
        archive.writestr("transcript.json", to_json(lines, session.problem_id))
        archive.writestr("transcript.txt", to_txt(lines))
        archive.writestr("transcript.srt", to_srt(lines))

        for number, snapshot in enumerate(whiteboards, start=1):
            stem = f"whiteboard/{number:03d}"
            archive.writestr(f"{stem}.json", _json(snapshot.fabric_json))
            if snapshot.png_path and ws.files.absolute(snapshot.png_path).is_file():
                archive.writestr(f"{stem}.png", ws.files.read(snapshot.png_path))

        manifest, budget = [], max_media_bytes
        for item in media:
            path = ws.files.absolute(item.path)
            entry: dict[str, Any] = {**asdict(item), "file": None, "left_out": None}
            if not path.is_file():
                entry["left_out"] = "the file is missing from the session folder"
            elif path.stat().st_size > budget:
                entry["left_out"] = f"over the zip's {max_media_bytes // (1024 * 1024)} MB media budget"
            else:
                name = f"media/{item.kind}/{PurePosixPath(item.path).name}"
                archive.write(path, name)
                budget -= path.stat().st_size
                entry["file"] = name
            manifest.append(entry)
        archive.writestr("media/manifest.json", _json(manifest))

        if has_evaluation:
            report = load_report(ws, session_id, actor=actor)
            archive.writestr(
                "evaluation.json",
                _json(
                    {
                        "evaluation": asdict(report.evaluation),
                        "effective_scores": {c.key: c.score for c in report.scores.competencies},
                        "effective_overall": report.scores.overall,
                        "overrides": [asdict(o) for o in report.overrides],
                        "release": report.release and asdict(report.release),  # None: not approved for the candidate
                    }
                ),
            )
            archive.writestr("report.md", report_markdown(report))
            archive.writestr("report.pdf", report_pdf(report))
    return buffer.getvalue()


def zip_name(ws: Workspace, session_id: str, *, actor: Actor) -> str:
    """A file name that says what the zip holds: `interview-<problem>-<date>-<id8>.zip`; refused (worded as not
    found) like the zip itself, since it tells which problem and day another person's interview had."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, session)
    day = f"{session.created_at:%Y%m%d}" if session.created_at else "undated"
    return f"interview-{session.problem_id}-{day}-{session.id[:8]}.zip"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=_default) + "\n"


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _may(uow: UnitOfWork, ws: Workspace, actor: Actor, action: SessionAction, session: Session) -> bool:
    try:
        authorize(uow, ws.settings, actor, action, session)
    except AccessDenied:
        return False
    return True
