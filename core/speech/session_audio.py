"""The interview's own audio: the microphone saved in the session folder while it runs, and a
second, accurate pass over it when the interview ends.

Each time the microphone starts, a new `mic-<time>.wav` (16 kHz mono, 16-bit: what the
recogniser hears) is listed with the session as an "audio" MediaFile whose `offset_seconds`
says where it starts on the interview's clock. The WAV header is rewritten after every write
(the stdlib `wave` module does this), so a crash or a restart leaves a playable file holding
everything up to the last second.

`refine_transcript` runs the accurate tier over those recordings and puts its text in place of
the live tier's "mic" lines, so the stored transcript and the evaluation rest on the better text.
"""

from __future__ import annotations

import logging
import threading
import time
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from core import audit
from core.jobs import ledger
from core.logs import session_context
from core.media.consent import require_consent
from core.models import Job, MediaFile, TranscriptEntry
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.speech.audio import SAMPLE_RATE, AudioError, load_audio
from core.speech.engines import transcriber_for
from core.speech.recordings import recognition_vocabulary
from core.speech.transcription import Progress, Transcriber
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

WAV_HEADER_BYTES = 44
MIC_SOURCE = "mic"
ACCURATE_PASS = "accurate_transcript"
"""The job kind of refine_transcript when an interview ends: a worker runs it (it takes both cores for minutes)."""


class SessionRecording:
    """One microphone recording of an interview, written as it arrives. Not thread-safe.

    Refused (ConsentRequired) before any file is made when nobody agreed to audio recording.
    """

    def __init__(self, ws: Workspace, session_id: str, *, offset_seconds: float) -> None:
        with ws.uow_factory() as uow:
            require_consent(uow, session_id, "audio")
        self.ws = ws
        self.session_id = session_id
        self.offset_seconds = offset_seconds
        folder = ws.files.session_dir(session_id)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"mic-{ws.clock():%Y%m%d-%H%M%S-%f}.wav"
        self.path: Path = folder / name
        self.relative_path = f"sessions/{folder.name}/{name}"
        self._wav = wave.open(str(self.path), "wb")  # noqa: SIM115 - open for the recording's lifetime
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(SAMPLE_RATE)
        self._wav.writeframes(b"")  # header on disk now: the file is valid from the start
        self.seconds = 0.0
        with ws.uow_factory() as uow:
            self.media = uow.media.add(
                MediaFile(
                    session_id=session_id,
                    kind="audio",
                    path=self.relative_path,
                    size_bytes=WAV_HEADER_BYTES,
                    content_type="audio/wav",
                    offset_seconds=round(offset_seconds, 2),
                )
            )
            uow.commit()

    def write(self, samples: np.ndarray) -> None:
        """Append 16 kHz mono float32 samples."""
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
        self._wav.writeframes(pcm.tobytes())
        self.seconds += len(pcm) / SAMPLE_RATE

    def close(self) -> MediaFile:
        """Finish the file and record its size."""
        self._wav.close()
        size = self.path.stat().st_size
        with self.ws.uow_factory() as uow:
            assert self.media.id is not None
            uow.media.set_size(self.media.id, size)
            detail = {"file": self.relative_path, "bytes": size, "seconds": round(self.seconds, 1)}
            audit.record(uow, "audio_recorded", actor="candidate", session_id=self.session_id, detail=detail)
            uow.commit()
        self.media.size_bytes = size
        return self.media


def session_recordings(ws: Workspace, session_id: str, *, actor: Actor) -> list[MediaFile]:
    """The microphone recordings made during the interview, oldest first, for someone who may see the session."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return _recordings(uow, session_id)


def _recordings(uow: UnitOfWork, session_id: str) -> list[MediaFile]:
    """The microphone recordings, read in a transaction whose caller already checked the actor (or is the
    workspace's own job): no check here."""
    return [m for m in uow.media.in_session(session_id) if m.kind == "audio" and m.offset_seconds is not None]


@dataclass(frozen=True)
class RefinedTranscript:
    recordings: int
    replaced: int  # live lines removed
    added: int  # accurate lines stored
    model: str
    seconds: float


_refine_lock = threading.Lock()  # one accurate pass at a time: it takes both cores


def start_accurate_pass(ws: Workspace, session_id: str, *, actor: Actor) -> Job | None:
    """Hand the accurate pass over this interview's recordings to a worker; None when nothing was recorded.

    One job per session: asking again (a reload while it runs) returns the same job.
    """
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))
        recordings = _recordings(uow, session_id)
    if not any(_audio_seconds(ws, media) for media in recordings):
        return None
    return ledger.submit(
        ws,
        ACCURATE_PASS,
        f"{ACCURATE_PASS}:{session_id}",
        actor=actor,
        payload={"session_id": session_id},
        session_id=session_id,
    )


def accurate_pass(ws: Workspace, session_id: str, *, actor: Actor) -> Job | None:
    """The interview's accurate pass job as it stands (progress, done or failed), if one was started."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return uow.jobs.by_key(f"{ACCURATE_PASS}:{session_id}")


def refine_transcript(
    ws: Workspace, session_id: str, *, progress: Progress | None = None, transcriber: Transcriber | None = None
) -> RefinedTranscript | None:
    """Re-transcribe the interview's microphone recordings with the accurate tier, in place of the
    live lines; None when there is nothing recorded. Raises AudioError (the live lines stay)."""
    with session_context(session_id):
        with ws.uow_factory() as uow:
            session = uow.sessions.get(session_id)  # NotFound for an unknown session
            recordings = _recordings(uow, session_id)
        lengths = [_audio_seconds(ws, m) for m in recordings]
        if not recordings or sum(lengths) == 0:
            if progress is not None:
                progress(1.0)
            return None
        vocabulary = recognition_vocabulary(ws.problems.get(session.problem_id), ws.rubrics.get(session.rubric_id))
        with _refine_lock:
            started = time.perf_counter()
            engine = transcriber or transcriber_for(ws.settings, "accurate")
            total, done = sum(lengths), 0.0
            entries: list[TranscriptEntry] = []
            for media, length in zip(recordings, lengths, strict=True):
                if length == 0:
                    continue
                audio = load_audio(ws.files.absolute(media.path))

                def advance(fraction: float, before: float = done, length: float = length) -> None:
                    if progress is not None:
                        progress(min(1.0, (before + fraction * length) / total))

                offset = media.offset_seconds or 0.0
                for segment in engine.transcribe(audio, vocabulary=vocabulary, progress=advance):
                    entries.append(
                        TranscriptEntry(
                            session_id=session_id,
                            speaker="candidate",
                            text=segment.text,
                            start=round(offset + segment.start, 2),
                            end=round(offset + segment.end, 2),
                            source=MIC_SOURCE,
                            created_at=ws.clock(),
                        )
                    )
                done += length
            elapsed = time.perf_counter() - started
        with ws.uow_factory() as uow:
            replaced = uow.transcripts.remove_source(session_id, MIC_SOURCE)
            for entry in entries:
                uow.transcripts.add(entry)
            result = RefinedTranscript(len(recordings), replaced, len(entries), engine.name, round(elapsed, 2))
            audit.record(uow, "transcript_refined", actor="system", session_id=session_id, detail=asdict(result))
            uow.commit()
        log.info("transcript_refined", extra={"detail": asdict(result)})
        if progress is not None:
            progress(1.0)
        return result


def _audio_seconds(ws: Workspace, media: MediaFile) -> float:
    """Length of a recording from its file (a crash may have left the stored size behind)."""
    try:
        with wave.open(str(ws.files.absolute(media.path)), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except (OSError, EOFError, wave.Error) as exc:
        raise AudioError(f"The recording {Path(media.path).name} cannot be read ({exc}).") from exc
