"""Speech to text with OpenAI's transcription API: the optional engine, used when config chooses it.

Only speech leaves the machine. Silero VAD (core.speech.segmentation) finds the spoken stretches; silence
sends nothing (it costs money and Whisper invents words in it). The stretches are packed, a short
pause between each, into 16-bit 16 kHz WAV requests that stay under the API's 25 MB limit, and the
segment times that come back are mapped onto the original audio.

`whisper-1` (and other Whisper models) answer `verbose_json` with timed segments; the
`*-transcribe` models answer only `json` (text, no times), so for them each request carries at
most UNTIMED_REQUEST_S of speech and becomes one segment. The real `openai` SDK does the calls
and the retrying; failures are mapped by core/llm/openai_errors.py as for chat, in core/llm/chat_errors'
words (which never carry the key), and raised as TranscriptionError: a ChatError that is also an AudioError.
"""

from __future__ import annotations

import io
import logging
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import openai

from core.llm import chat_errors
from core.llm.chat_errors import Endpoint
from core.llm.chat_models import MAX_ATTEMPTS, ChatError
from core.llm.openai_chat import OPENAI_BASE_URL
from core.llm.openai_errors import openai_error
from core.provider_ids import OPENAI
from core.speech.audio import SAMPLE_RATE, AudioError
from core.speech.segmentation import MAX_SPAN_S, Span, silero_spans
from core.speech.transcription import Progress, Segment, vocabulary_prompt

log = logging.getLogger(__name__)

API_LIMIT_BYTES = 25 * 1024 * 1024  # OpenAI refuses larger request bodies with a 413
MAX_REQUEST_BYTES = 24 * 1024 * 1024  # our WAV per request: room left for the rest of the form
MAX_REQUEST_S = 600.0  # at most 10 minutes of speech a request: progress moves, a retry is not too costly
UNTIMED_REQUEST_S = 30.0  # json-only models give one segment a request: keep those lines short
GAP_S = 0.3  # silence put between two stretches of speech in one request, so words do not run together
WAV_HEADER_BYTES = 44
BYTES_PER_SECOND = SAMPLE_RATE * 2  # 16-bit mono
LANGUAGE = "en"


class TranscriptionError(ChatError, AudioError):
    """OpenAI transcription failed for good (after the SDK's retries); str(exc) is fit to show a user.

    The OpenAI failure type (ChatError: kind, retry_after, transient) and nothing more, made an AudioError
    too so that whatever handles audio it could not use handles a failed transcription the same way.
    """


def missing_key_error() -> TranscriptionError:
    return TranscriptionError(
        "missing_key",
        "OpenAI transcription is chosen (transcription.engine: openai) but there is no OpenAI API key: "
        "set OPENAI_API_KEY, or set IW_TRANSCRIPTION__ENGINE=offline to transcribe on this machine.",
    )


def wav_bytes(audio: np.ndarray) -> bytes:
    """16 kHz mono float32 samples as a 16-bit PCM WAV file, in memory."""
    pcm = (np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


@dataclass(frozen=True)
class _Batch:
    """Stretches of speech sent in one request, laid end to end with GAP_S of silence between them."""

    spans: tuple[Span, ...]
    gap_samples: int

    def audio(self, source: np.ndarray) -> np.ndarray:
        gap = np.zeros(self.gap_samples, dtype=np.float32)
        parts: list[np.ndarray] = []
        for i, span in enumerate(self.spans):
            if i:
                parts.append(gap)
            parts.append(np.asarray(span.slice(source), dtype=np.float32))
        return np.concatenate(parts)

    def layout(self, source: np.ndarray) -> list[tuple[float, float, Span]]:
        """(start, end) of each stretch in the request's audio, in seconds, beside the stretch itself."""
        out: list[tuple[float, float, Span]] = []
        at = 0
        for span in self.spans:
            length = len(span.slice(source))
            out.append((at / SAMPLE_RATE, (at + length) / SAMPLE_RATE, span))
            at += length + self.gap_samples
        return out

    @property
    def speech_seconds(self) -> float:
        return sum(s.duration for s in self.spans)


def _to_source(t: float, layout: list[tuple[float, float, Span]], *, end: bool) -> float:
    """A time in the request's audio as a time in the original; a time in a gap moves to the nearer speech edge."""
    previous: Span | None = None
    for start, stop, span in layout:
        if t < start:  # in the gap before this stretch
            return previous.end if end and previous is not None else span.start
        if t <= stop:
            return span.start + (t - start)
        previous = span
    return layout[-1][2].end


def _pack(spans: list[Span], max_seconds: float, gap_s: float) -> list[_Batch]:
    """Consecutive stretches grouped so that each group, with its gaps, lasts at most `max_seconds`."""
    gap_samples = round(gap_s * SAMPLE_RATE)
    batches: list[_Batch] = []
    current: list[Span] = []
    length = 0.0
    for span in spans:
        added = span.duration + (gap_s if current else 0.0)
        if current and length + added > max_seconds:
            batches.append(_Batch(tuple(current), gap_samples))
            current, length, added = [], 0.0, span.duration
        current.append(span)
        length += added
    if current:
        batches.append(_Batch(tuple(current), gap_samples))
    return batches


class _VerboseRejected(Exception):
    """The model refused verbose_json: ask for json from now on."""


class OpenAITranscriber:
    """The Transcriber protocol over OpenAI's /v1/audio/transcriptions (or a server that speaks it).

    Thread-safe: the SDK client may be shared by the live worker and an upload at once.
    """

    def __init__(
        self,
        model: str = "whisper-1",
        *,
        api_key: str | None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ) -> None:
        self.model = model.strip()
        self.name = f"openai:{self.model}"
        self.timeout = timeout
        url = (base_url or "").strip() or OPENAI_BASE_URL
        self._endpoint = Endpoint(OPENAI, chat_errors.host_of(url))
        key = (api_key or "").strip()
        if not key:
            raise missing_key_error()
        if not self.model:
            raise TranscriptionError(
                "model", "No OpenAI transcription model is set: set transcription.openai_model (e.g. whisper-1)."
            )
        self._secrets = (key,)
        self._max_seconds = min(MAX_REQUEST_S, (max_request_bytes - WAV_HEADER_BYTES) / BYTES_PER_SECOND)
        if self._max_seconds < 1.0:
            raise ValueError(f"max_request_bytes={max_request_bytes} leaves less than a second of audio a request")
        # Whisper models give timed segments; the *-transcribe family only json (learnt again from a 400 if wrong).
        self._verbose = "whisper" in self.model.lower()
        self._client = openai.OpenAI(api_key=key, base_url=url, timeout=timeout, max_retries=MAX_ATTEMPTS - 1)

    def __repr__(self) -> str:
        return f"OpenAITranscriber(model={self.model!r}, host={self._endpoint.host!r})"

    def close(self) -> None:
        self._client.close()

    def transcribe(
        self, audio: np.ndarray, *, vocabulary: Sequence[str] = (), progress: Progress | None = None
    ) -> list[Segment]:
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        spans = silero_spans(audio, max_span_s=min(MAX_SPAN_S, self._max_seconds))
        if not spans:
            if progress is not None:
                progress(1.0)
            return []
        prompt, _hotwords = vocabulary_prompt(vocabulary)
        try:
            return self._transcribe_spans(audio, spans, prompt, progress)
        except _VerboseRejected:
            # Only the first request can be refused for its format: nothing is lost by starting again.
            log.info("transcription model %s gives no timed segments; asking for json from now on", self.model)
            self._verbose = False
            return self._transcribe_spans(audio, spans, prompt, progress)

    def _transcribe_spans(
        self, audio: np.ndarray, spans: list[Span], prompt: str | None, progress: Progress | None
    ) -> list[Segment]:
        verbose = self._verbose
        batches = _pack(spans, self._max_seconds if verbose else min(UNTIMED_REQUEST_S, self._max_seconds), GAP_S)
        total = sum(s.duration for s in spans) or 1.0
        done = 0.0
        segments: list[Segment] = []
        for batch in batches:
            segments.extend(self._transcribe_batch(audio, batch, prompt, verbose=verbose))
            done += batch.speech_seconds
            if progress is not None:
                progress(min(1.0, done / total))
        return segments

    def _transcribe_batch(
        self, audio: np.ndarray, batch: _Batch, prompt: str | None, *, verbose: bool
    ) -> list[Segment]:
        samples = batch.audio(audio)
        length = len(samples) / SAMPLE_RATE
        timeout = self.timeout + length / 4  # the server takes longer over longer audio
        params: dict[str, Any] = {
            "model": self.model,
            "file": ("audio.wav", wav_bytes(samples), "audio/wav"),
            "language": LANGUAGE,
            "response_format": "verbose_json" if verbose else "json",
            "timeout": timeout,
        }
        if prompt:
            params["prompt"] = prompt
        try:
            result = self._client.audio.transcriptions.create(**params)
        except openai.BadRequestError as exc:
            if verbose and exc.param == "response_format":
                raise _VerboseRejected from None
            raise self._error(exc, timeout) from None
        except openai.OpenAIError as exc:
            raise self._error(exc, timeout) from None

        layout = batch.layout(audio)
        pieces = getattr(result, "segments", None) or []
        out: list[Segment] = []
        for piece in pieces:
            text = piece.text.strip()
            if not text or (piece.no_speech_prob > 0.6 and piece.avg_logprob < -1.0):
                continue  # Whisper's own "this was not speech" signal, as in the offline engine
            start = min(max(piece.start, 0.0), length)  # Whisper's times can run past the audio
            end = min(max(piece.end, start), length)
            out.append(self._segment(layout, start, end, text))
        text = (getattr(result, "text", "") or "").strip()
        if not pieces and text:  # no timings (json, or a server that sends none): the request's speech, whole
            out.append(self._segment(layout, 0.0, length, text))
        log.debug("transcribed %.1f s of speech with %s into %d segments", batch.speech_seconds, self.model, len(out))
        return out

    @staticmethod
    def _segment(layout: list[tuple[float, float, Span]], start: float, end: float, text: str) -> Segment:
        first = _to_source(start, layout, end=False)
        last = max(first, _to_source(end, layout, end=True))
        return Segment(round(first, 2), round(last, 2), text)

    def _error(self, exc: Exception, timeout: float) -> TranscriptionError:
        """The shared OpenAI mapping, in a transcription's words: a 413 and an unknown model get their own
        hints, an unreadable answer is a transcription this app cannot read, and every message says that
        the audio could not be transcribed."""
        status = exc.status_code if isinstance(exc, openai.APIStatusError) else None
        if status == 413:
            error = ChatError(
                "bad_request",
                f"OpenAI refused the audio as too large (413): at most {API_LIMIT_BYTES // 2**20} MB can be sent at "
                "once. Try a shorter recording.",
            )
        elif isinstance(exc, openai.APIConnectionError | openai.APIStatusError):  # timeouts are connection errors
            error = openai_error(
                exc, self._endpoint, model=self.model, secrets=self._secrets, timeout=round(timeout, 1)
            )
            if error.kind == "model":
                error = ChatError(
                    "model",
                    f"{error} Set transcription.openai_model in config.yaml (IW_TRANSCRIPTION__OPENAI_MODEL) "
                    "to one this key can use, e.g. whisper-1.",
                )
        else:
            error = ChatError("server", "OpenAI sent a transcription this app cannot read; try again.")
        log.warning(
            "openai transcription failed: %s%s",
            error.kind,
            f" (HTTP {status})" if status else "",
            extra={"model": self.model, "kind": error.kind, "status": status},
        )
        return TranscriptionError(error.kind, f"Could not transcribe the audio: {error}", retry_after=error.retry_after)
