"""Live speech to text for one interview: browser audio frames in, transcript entries out.

`LiveTranscriber.feed` is called for every av.AudioFrame the WebRTC sink receives (on aiortc's
event loop): it only resamples to 16 kHz mono and queues the samples. One worker thread per
interview cuts the stream into utterances (`Segmenter`), transcribes each with the live model
and stores it as a candidate TranscriptEntry (source "mic") through the Workspace's unit of
work; the transcript panel's fragment picks the new lines up. Times are on the session's
clock: seconds since the interview started, counted from when the microphone was switched on.

`submit_answers=True` also sends each utterance to the chat as the candidate's answer and
waits for the interviewer's reply (offline interviewer unless `llm` is given).

No Streamlit here: components/mic.py wires this to streamlit-webrtc.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

import av
import numpy as np

from core.audio import Resampler
from core.errors import WorkspaceError
from core.interviews import reply_to_candidate, submit_answer
from core.logs import session_context
from core.models import TranscriptEntry
from core.providers import LLMChoice
from core.recordings import recognition_vocabulary
from core.segmentation import Segmenter, Utterance
from core.transcription import Transcriber, live_transcriber
from core.workspace import Workspace

log = logging.getLogger(__name__)

_STOP = object()


class LiveTranscriber:
    """Microphone audio of one interview → its transcript, on a worker thread of its own."""

    def __init__(
        self,
        ws: Workspace,
        session_id: str,
        *,
        transcriber: Transcriber | Callable[[], Transcriber] = live_transcriber,
        submit_answers: bool = False,
        llm: LLMChoice | None = None,
    ) -> None:
        self.ws = ws
        self.session_id = session_id
        self.submit_answers = submit_answers
        self.llm = llm
        self._transcriber = transcriber
        with ws.uow_factory() as uow:
            session = uow.sessions.get(session_id)  # NotFound for an unknown session
        self._offset = max(0.0, session.elapsed_seconds(ws.clock()))
        self._vocabulary = recognition_vocabulary(
            ws.problems.get(session.problem_id), ws.rubrics.get(session.rubric_id)
        )
        self._resampler = Resampler()
        self._feed_lock = threading.Lock()
        self._queue: queue.Queue[object] = queue.Queue()
        self._stopped = False
        self.entries: list[TranscriptEntry] = []  # stored so far, for callers and tests
        self.errors = 0
        self._thread = threading.Thread(target=self._run, name=f"live-transcriber-{session_id[:8]}", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stopped

    def feed(self, frame: av.AudioFrame) -> None:
        """Callback-safe: resample and queue; all heavy work happens on the worker thread."""
        with self._feed_lock:
            if self._stopped:
                return
            pcm = self._resampler.process(frame)
        if len(pcm):
            self._queue.put(pcm)

    def stop(self, timeout: float = 60.0) -> None:
        """Flush what is buffered (the last words), transcribe it, and end the worker."""
        with self._feed_lock:
            if self._stopped:
                return
            self._stopped = True
            tail = self._resampler.flush()
        if len(tail):
            self._queue.put(tail)
        self._queue.put(_STOP)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _engine(self) -> Transcriber:
        if callable(self._transcriber) and not hasattr(self._transcriber, "transcribe"):
            self._transcriber = self._transcriber()
        return self._transcriber  # type: ignore[return-value]

    def _run(self) -> None:
        segmenter = Segmenter()
        while True:
            item = self._queue.get()
            if item is _STOP:
                for utterance in segmenter.flush():
                    self._handle(utterance)
                return
            assert isinstance(item, np.ndarray)
            for utterance in segmenter.feed(item):
                self._handle(utterance)

    def _handle(self, utterance: Utterance) -> None:
        try:
            with session_context(self.session_id):
                segments = self._engine().transcribe(utterance.audio, vocabulary=self._vocabulary)
                text = " ".join(s.text.strip() for s in segments if s.text.strip())
                if not text:
                    return
                entry = self._store(text, utterance)
                self.entries.append(entry)
                if self.submit_answers:
                    submit_answer(self.ws, self.session_id, text, actor="candidate")
                    reply_to_candidate(self.ws, self.session_id, llm=self.llm)
        except WorkspaceError as exc:  # e.g. the interview was paused or ended mid-sentence
            self.errors += 1
            log.warning("live transcription skipped an utterance: %s", exc)
        except Exception:  # keep listening: one bad utterance must not end the transcript
            self.errors += 1
            log.exception("live transcription failed on an utterance")

    def _store(self, text: str, utterance: Utterance) -> TranscriptEntry:
        with self.ws.uow_factory() as uow:
            entry = uow.transcripts.add(
                TranscriptEntry(
                    session_id=self.session_id,
                    speaker="candidate",
                    text=text,
                    start=round(self._offset + utterance.start, 2),
                    end=round(self._offset + utterance.end, 2),
                    source="mic",
                    created_at=self.ws.clock(),
                )
            )
            uow.commit()
        return entry


# --- One transcriber per interview, process-wide --------------------------------------------

_registry: dict[str, LiveTranscriber] = {}
_registry_lock = threading.Lock()


def get_or_create(ws: Workspace, session_id: str, **options: object) -> LiveTranscriber:
    """The running transcriber of this interview, or a new one (a stopped one is replaced)."""
    with _registry_lock:
        current = _registry.get(session_id)
        if current is None or not current.running:
            current = LiveTranscriber(ws, session_id, **options)  # type: ignore[arg-type]
            _registry[session_id] = current
        return current


def get(session_id: str) -> LiveTranscriber | None:
    with _registry_lock:
        return _registry.get(session_id)


def stop(session_id: str) -> None:
    """Flush and end this interview's transcriber, if any (safe to call more than once)."""
    with _registry_lock:
        current = _registry.pop(session_id, None)
    if current is not None:
        current.stop()


def stop_all() -> None:
    with _registry_lock:
        ids = list(_registry)
    for session_id in ids:
        stop(session_id)


def stop_in_background(session_id: str) -> None:
    """`stop` without blocking the caller (e.g. aiortc's event loop when a WebRTC session ends)."""
    threading.Thread(target=stop, args=(session_id,), name="live-transcriber-stop", daemon=True).start()
