"""Recordings: transcribe an uploaded audio file into a session, or any file from the CLI.

Uploads use the accurate tier (Whisper base, or OpenAI when configured), biased toward the session problem's vocabulary
and the rubric's topic names. The upload is checked and decoded before anything is stored;
the original file, its media row, the transcript entries and the audit entry are then stored
together (the rows in one unit of work).
"""

from __future__ import annotations

import json
import logging
import re
import time
from itertools import zip_longest
from pathlib import Path

from core import audit
from core.config import Settings
from core.content.problems import Problem
from core.content.rubrics import Rubric
from core.logs import session_context
from core.media.consent import require_consent
from core.models import MediaFile, TranscriptEntry
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.speech.audio import AudioError, load_audio
from core.speech.engines import transcriber_for
from core.speech.transcription import Progress, Segment, Transcriber
from core.workspace import Workspace

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024

CONTENT_TYPES = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".webm": "audio/webm",
    ".flac": "audio/flac",
}


def recognition_vocabulary(problem: Problem | None, rubric: Rubric | None) -> list[str]:
    """Terms that bias recognition: the problem's and the rubric's, taken in turn.

    Taking them in turn puts both the problem's own words (quadtree, base62) and the trade's
    core words (cache, shard) early in the prompt, which is cut at about 400 characters.
    Measured in bench/transcription.py: problem-first or rubric-first each lost words the
    other kept. Topic names ("Non-functional requirements") are left out: as prompt words
    they made tiny.en worse.
    """
    problem_terms = list(problem.vocabulary) if problem else []
    rubric_terms = list(rubric.vocabulary) if rubric else []
    terms: list[str] = []
    for pair in zip_longest(problem_terms, rubric_terms):
        terms += [term for term in pair if term and term not in terms]
    return terms


def transcribe_recording(
    ws: Workspace,
    session_id: str,
    *,
    filename: str,
    data: bytes,
    progress: Progress | None = None,
    transcriber: Transcriber | None = None,
    actor: Actor,
) -> list[TranscriptEntry]:
    """Transcribe an uploaded recording into the session's transcript; returns the stored entries.

    Raises AudioError (too big, empty, unreadable, too long) before storing anything, NotFound
    for an unknown session and ConsentRequired when nobody agreed to audio recording in it.
    `transcriber` defaults to the accurate tier.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise AudioError(
            f"The recording is too large ({len(data) / 2**20:.0f} MB; at most {MAX_UPLOAD_BYTES // 2**20} MB)."
        )
    if not data:
        raise AudioError("The recording is empty.")
    with session_context(session_id):
        with ws.uow_factory() as uow:
            session = uow.sessions.get(session_id)  # NotFound before any decoding work
            authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
            require_consent(uow, session_id, "audio")
        problem = ws.problems.get(session.problem_id)
        rubric = ws.rubrics.get(session.rubric_id)
        audio = load_audio(data)
        started = time.perf_counter()
        engine = transcriber or transcriber_for(ws.settings, "accurate")
        segments = engine.transcribe(audio, vocabulary=recognition_vocabulary(problem, rubric), progress=progress)
        elapsed = time.perf_counter() - started

        suffix = Path(filename).suffix.lower()
        stored_name = f"upload-{ws.clock():%Y%m%d-%H%M%S}-{_safe_name(filename)}"
        relative = ws.files.save(session_id, stored_name, data)
        try:
            with ws.uow_factory() as uow:
                uow.media.add(
                    MediaFile(
                        session_id=session_id,
                        kind="audio",
                        path=relative,
                        size_bytes=len(data),
                        content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
                    )
                )
                now = ws.clock()
                entries = [
                    uow.transcripts.add(
                        TranscriptEntry(
                            session_id=session_id,
                            speaker="candidate",
                            text=s.text,
                            start=s.start,
                            end=s.end,
                            source="upload",
                            created_at=now,
                        )
                    )
                    for s in segments
                ]
                detail = {
                    "file": relative,
                    "bytes": len(data),
                    "audio_seconds": round(len(audio) / 16_000, 1),
                    "segments": len(entries),
                    "model": engine.name,
                    "seconds": round(elapsed, 2),
                }
                audit.record(uow, "recording_transcribed", actor=actor.name, session_id=session_id, detail=detail)
                uow.commit()
        except BaseException:
            ws.files.absolute(relative).unlink(missing_ok=True)
            raise
        log.info("recording_transcribed", extra={"actor": actor.name, "detail": detail})
    return entries


def _safe_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "recording"
    return name[-80:]


# ---------------------------------------------------------------------------------------------
# CLI: python -m core transcribe FILE [--json] [--problem ID] [--accurate/--fast]


def transcribe_file(
    path: Path, *, settings: Settings, problem_id: str | None = None, accurate: bool = True
) -> list[Segment]:
    """Transcribe an audio file without a database; vocabulary from the problem (if given) and rubric."""
    from core.content.problems import load_problem_bank
    from core.content.rubrics import load_rubrics

    problem = load_problem_bank(settings.resolve(settings.problems_dir)).get(problem_id) if problem_id else None
    rubric = load_rubrics(settings.resolve(settings.rubrics_dir)).get("system_design")
    audio = load_audio(Path(path))
    engine = transcriber_for(settings, "accurate" if accurate else "live")
    return engine.transcribe(audio, vocabulary=recognition_vocabulary(problem, rubric))


def format_segments(segments: list[Segment], *, problem_id: str | None = None, as_json: bool = False) -> str:
    """Plain text (one segment a line), or the transcript interchange JSON."""
    if as_json:
        entries = [{"speaker": "candidate", "text": s.text, "start": s.start, "end": s.end} for s in segments]
        return json.dumps({"problem": problem_id, "entries": entries}, indent=2)
    return "\n".join(s.text for s in segments)
