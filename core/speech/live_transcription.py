"""Live speech to text for one interview: browser audio frames in, transcript entries out.

`LiveTranscriber.feed` is called for every av.AudioFrame the WebRTC sink receives (on aiortc's
event loop): it only resamples to 16 kHz mono and queues the samples. One worker thread per
interview saves the audio (SessionRecording), cuts it into utterances (`Segmenter`),
transcribes each with the live tier and stores it as a candidate TranscriptEntry (source
"mic"); the transcript panel's fragment picks the new lines up. Times are on the session's
clock: seconds since the interview started, pauses excluded. Audio that arrives while the
interview is paused is dropped, neither saved nor transcribed. When consent to the microphone is
withdrawn the worker stops (within STATUS_REFRESH_S): what it heard before is kept, nothing after.

With `submit_answers=True` the candidate's speech also reaches the interviewer like a typed
answer: the utterances of one answer (until ANSWER_PAUSE_S of quiet) go to the chat as one
message, and the interviewer's reply is produced on a second thread so the transcript keeps up.

No Streamlit here: components/mic.py wires this to streamlit-webrtc.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import av
import numpy as np

from core.errors import WorkspaceError
from core.interview.services import reply_to_candidate, submit_answer
from core.llm.providers import LLMChoice
from core.logs import session_context
from core.media.consent import consent_stands, require_consent
from core.models import SessionStatus, TranscriptEntry
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.speech.audio import Resampler
from core.speech.engines import transcriber_for
from core.speech.recordings import recognition_vocabulary
from core.speech.segmentation import Segmenter, Utterance
from core.speech.session_audio import MIC_SOURCE, SessionRecording
from core.speech.transcription import Transcriber
from core.workspace import Workspace

log = logging.getLogger(__name__)

ANSWER_PAUSE_S = 2.0  # this long a quiet after speech ends a spoken answer
STATUS_REFRESH_S = 1.0  # how stale the worker's view of paused/active, and of the consent, may be

_STOP = object()


class LiveTranscriber:
    """Microphone audio of one interview → its recording and transcript, on a worker thread."""

    def __init__(
        self,
        ws: Workspace,
        session_id: str,
        *,
        transcriber: Transcriber | Callable[[], Transcriber] | None = None,
        submit_answers: bool = False,
        actor: Actor,
        llm: LLMChoice | None = None,
        record: bool = True,
    ) -> None:
        """`actor`: who turns the microphone on, and whose spoken answers are sent with `submit_answers`.
        Transcribing writes the session's transcript and recording, so they must be allowed to EDIT it
        (AccessDenied, worded as not found, otherwise), checked with the consent before anything is heard."""
        self.ws = ws
        self.session_id = session_id
        self.submit_answers = submit_answers
        self.actor = actor
        self.llm = llm
        self._transcriber: Transcriber | None = None
        self._make_transcriber: Callable[[], Transcriber] = lambda: transcriber_for(ws.settings, "live")
        if hasattr(transcriber, "transcribe"):
            self._transcriber = cast(Transcriber, transcriber)
        elif transcriber is not None:  # a factory: the model loads on the worker thread, not the page's
            self._make_transcriber = cast(Callable[[], Transcriber], transcriber)
        with ws.uow_factory() as uow:
            session = uow.sessions.get(session_id)  # NotFound for an unknown session
            authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
            require_consent(uow, session_id, "audio")  # transcribing is listening: not without consent
        self._admitted = {actor.name}  # who may feed it: checked once each, not on every frame
        self._offset = max(0.0, session.elapsed_seconds(ws.clock()))
        self._status = session.status
        self._consented = True  # checked just above; rechecked with the status
        self._status_checked = time.monotonic()
        # A conversation led by a template without the problem bank (customer discovery) has no problem.
        problem = ws.problems.get(session.problem_id) if session.problem_id else None
        self._vocabulary = recognition_vocabulary(problem, ws.rubrics.get(session.rubric_id))
        self._record = record
        self.recording: SessionRecording | None = None  # opened with the first audio heard while active
        self._resampler = Resampler()
        self._feed_lock = threading.Lock()
        self._queue: queue.Queue[object] = queue.Queue()
        self._stopped = False
        self._pending_answer: list[str] = []
        self._last_speech_end = 0.0
        self._answers = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"live-answers-{session_id[:8]}")
        self.entries: list[TranscriptEntry] = []  # stored so far, for callers and tests
        self.errors = 0
        self._thread = threading.Thread(target=self._run, name=f"live-transcriber-{session_id[:8]}", daemon=True)
        self._thread.start()

    def admit(self, actor: Actor) -> None:
        """Let `actor` feed this running transcriber too, once the policy lets them EDIT the session (another
        tab of the person who started it, or a second interviewer on it); AccessDenied otherwise."""
        if actor.name in self._admitted:
            return
        with self.ws.uow_factory() as uow:
            authorize(uow, self.ws.settings, actor, SessionAction.EDIT, uow.sessions.get(self.session_id))
        self._admitted.add(actor.name)

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

    def stop(self, timeout: float = 120.0) -> None:
        """Flush what is buffered (the last words), transcribe and send it, and end the worker."""
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
        if self._transcriber is None:
            self._transcriber = self._make_transcriber()
        return self._transcriber

    def _run(self) -> None:
        segmenter = Segmenter()
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    for utterance in segmenter.flush():
                        self._handle(utterance)
                    self._send_answer()
                    return
                assert isinstance(item, np.ndarray)
                if not self._active():
                    continue  # paused (or ended): not recorded, not transcribed
                if not self._consented:  # withdrawn: nothing more is recorded or transcribed
                    self._end_withdrawn(segmenter)
                    return
                self._save(item)
                for utterance in segmenter.feed(item):
                    self._handle(utterance)
                quiet = segmenter.position - self._last_speech_end
                if not segmenter.in_speech and quiet >= ANSWER_PAUSE_S:
                    self._send_answer()
        finally:
            self._close_recording()
            self._answers.shutdown(wait=True)

    def _active(self) -> bool:
        if time.monotonic() - self._status_checked >= STATUS_REFRESH_S:
            try:
                with self.ws.uow_factory() as uow:
                    self._status = uow.sessions.get(self.session_id).status
                    self._consented = consent_stands(uow, self.session_id, "audio")
            except Exception:  # the database is away: keep the last known status, keep listening
                log.warning("live transcription could not read the interview's status", exc_info=True)
            self._status_checked = time.monotonic()
        return self._status is SessionStatus.ACTIVE

    def _end_withdrawn(self, segmenter: Segmenter) -> None:
        """Consent was withdrawn: take no more audio, transcribe what was heard (and saved) before, finish the
        recording. A transcriber made later needs consent again."""
        with self._feed_lock:
            self._stopped = True
        log.info("live transcription stopped: consent to the microphone was withdrawn")
        for utterance in segmenter.flush():
            self._handle(utterance)
        self._send_answer()

    def _save(self, samples: np.ndarray) -> None:
        if not self._record:
            return
        try:
            if self.recording is None:
                self.recording = SessionRecording(self.ws, self.session_id, offset_seconds=self._offset)
            self.recording.write(samples)
        except Exception:  # a full disk must not stop the transcript
            if self._record:
                log.exception("could not save the microphone audio; transcribing without saving it")
            self._record = False

    def _close_recording(self) -> None:
        if self.recording is not None:
            try:
                self.recording.close()
            except Exception:
                log.exception("could not finish the microphone recording")

    def _handle(self, utterance: Utterance) -> None:
        try:
            with session_context(self.session_id):
                segments = self._engine().transcribe(utterance.audio, vocabulary=self._vocabulary)
                text = " ".join(s.text.strip() for s in segments if s.text.strip())
                if not text:
                    return
                self.entries.append(self._store(text, utterance))
                self._pending_answer.append(text)
                self._last_speech_end = utterance.end
        except WorkspaceError as exc:  # e.g. the interview ended mid-sentence, or no engine
            self.errors += 1
            log.warning("live transcription skipped an utterance: %s", exc)
        except Exception:  # keep listening: one bad utterance must not end the transcript
            self.errors += 1
            log.exception("live transcription failed on an utterance")

    def _send_answer(self) -> None:
        """The utterances heard since the last answer, as one chat message (if asked to)."""
        text = " ".join(self._pending_answer)
        self._pending_answer = []
        if self.submit_answers and text:
            self._answers.submit(self._answer, text)

    def _answer(self, text: str) -> None:
        with session_context(self.session_id):
            try:
                submit_answer(self.ws, self.session_id, text, actor=self.actor, source=MIC_SOURCE)
                reply_to_candidate(self.ws, self.session_id, llm=self.llm)
            except WorkspaceError as exc:
                self.errors += 1
                log.warning("a spoken answer could not be sent: %s", exc)
            except Exception:
                self.errors += 1
                log.exception("a spoken answer could not be sent")

    def _store(self, text: str, utterance: Utterance) -> TranscriptEntry:
        with self.ws.uow_factory() as uow:
            entry = uow.transcripts.add(
                TranscriptEntry(
                    session_id=self.session_id,
                    speaker="candidate",
                    text=text,
                    start=round(self._offset + utterance.start, 2),
                    end=round(self._offset + utterance.end, 2),
                    source=MIC_SOURCE,
                    created_at=self.ws.clock(),
                )
            )
            uow.commit()
        return entry


# --- One transcriber per interview, process-wide --------------------------------------------

_registry: dict[str, LiveTranscriber] = {}
_registry_lock = threading.Lock()


_held: set[str] = set()  # interviews whose microphone was stopped on purpose (pause, end, switched off)


def get_or_create(ws: Workspace, session_id: str, *, actor: Actor, **options: Any) -> LiveTranscriber | None:
    """The running transcriber of this interview, or a new one (a stopped one is replaced), for `actor`.

    None after `stop(session_id)` until `listen(session_id)`: audio frames still in flight after
    the page stopped the microphone must not start a new recording. AccessDenied (worded as not found) unless
    the policy lets `actor` EDIT the session, checked before a transcription starts and once for each other
    person feeding a running one; ConsentRequired when nobody agreed to the microphone being recorded.
    """
    with _registry_lock:
        if session_id in _held:
            return None
        current = _registry.get(session_id)
        if current is None or not current.running:
            current = LiveTranscriber(ws, session_id, actor=actor, **options)
            _registry[session_id] = current
        else:
            current.admit(actor)
        return current


def get(session_id: str) -> LiveTranscriber | None:
    with _registry_lock:
        return _registry.get(session_id)


def is_listening(session_id: str) -> bool:
    """True while this interview's microphone is being transcribed (it then sends spoken answers)."""
    current = get(session_id)
    return current is not None and current.running


def listen(session_id: str) -> None:
    """Let microphone audio of this interview start a transcriber again (the page shows the mic)."""
    with _registry_lock:
        _held.discard(session_id)


def stop(session_id: str, *, hold: bool = True) -> None:
    """Flush and end this interview's transcriber, if any (safe to call more than once).

    With `hold`, frames arriving afterwards are dropped until `listen(session_id)`.
    """
    with _registry_lock:
        current = _registry.pop(session_id, None)
        if hold:
            _held.add(session_id)
    if current is not None:
        current.stop()


def stop_all() -> None:
    """Flush every running transcriber: at server shutdown the last words and recordings are kept."""
    with _registry_lock:
        ids = list(_registry)
    for session_id in ids:
        stop(session_id, hold=False)


atexit.register(stop_all)


def stop_in_background(session_id: str) -> None:
    """`stop` without blocking the caller (e.g. aiortc's event loop when a WebRTC session ends)."""
    threading.Thread(
        target=stop, args=(session_id,), kwargs={"hold": False}, name="live-transcriber-stop", daemon=True
    ).start()
