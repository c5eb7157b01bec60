"""Voice-activity segmentation: where in 16 kHz mono audio someone is speaking.

Two detectors, one output shape (`Span`, in seconds):
- `silero_spans`: faster-whisper's bundled Silero VAD (an ONNX model shipped inside the
  package, runs offline). Tells speech from noise and music; used before every transcription.
- `energy_spans`: frame loudness against a threshold. Cheap and predictable; the streaming
  `Segmenter` uses it to cut live audio into utterances at pauses, and Silero then confirms
  there is speech in them.

Every span is capped at `max_span_s` (default 15 s): a long monologue comes out as several
bounded chunks, so the live transcript keeps moving and each chunk fits one Whisper window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.speech.audio import SAMPLE_RATE

MAX_SPAN_S = 15.0
MIN_SILENCE_S = 0.5  # a pause this long ends an utterance
FRAME_S = 0.03
ENERGY_THRESHOLD_DBFS = -45.0


@dataclass(frozen=True)
class Span:
    """Speech from `start` to `end`, in seconds from the start of the audio."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def slice(self, audio: np.ndarray, offset: float = 0.0) -> np.ndarray:
        """The samples of this span in `audio`, whose first sample is at `offset` seconds."""
        first = max(0, round((self.start - offset) * SAMPLE_RATE))
        last = max(first, round((self.end - offset) * SAMPLE_RATE))
        return audio[first:last]


def silero_spans(
    audio: np.ndarray, *, min_silence_s: float = MIN_SILENCE_S, max_span_s: float = MAX_SPAN_S, pad_s: float = 0.2
) -> list[Span]:
    """Speech found by Silero VAD (bundled with faster-whisper); silence and noise give []."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if len(audio) < SAMPLE_RATE // 10:
        return []
    options = VadOptions(
        min_silence_duration_ms=int(min_silence_s * 1000),
        max_speech_duration_s=max_span_s,
        speech_pad_ms=int(pad_s * 1000),
        min_speech_duration_ms=150,
    )
    stamps = get_speech_timestamps(np.asarray(audio, dtype=np.float32), vad_options=options)
    spans = [Span(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]
    return cap_spans(spans, max_span_s)


def frame_levels(audio: np.ndarray, frame_s: float = FRAME_S) -> np.ndarray:
    """Loudness (dBFS RMS) of consecutive frames; a trailing partial frame is dropped."""
    size = int(frame_s * SAMPLE_RATE)
    count = len(audio) // size
    if count == 0:
        return np.zeros(0)
    frames = np.asarray(audio[: count * size], dtype=np.float64).reshape(count, size)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-10))


def energy_spans(
    audio: np.ndarray,
    *,
    threshold_dbfs: float = ENERGY_THRESHOLD_DBFS,
    min_silence_s: float = MIN_SILENCE_S,
    min_speech_s: float = 0.15,
    max_span_s: float = MAX_SPAN_S,
    frame_s: float = FRAME_S,
) -> list[Span]:
    """Stretches louder than `threshold_dbfs`, joined across pauses shorter than `min_silence_s`."""
    loud = frame_levels(audio, frame_s) > threshold_dbfs
    spans: list[Span] = []
    start: int | None = None
    quiet = 0
    gap = max(1, round(min_silence_s / frame_s))
    for i, is_loud in enumerate(loud):
        if is_loud:
            if start is None:
                start = i
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet >= gap:
                spans.append(Span(start * frame_s, (i - quiet + 1) * frame_s))
                start, quiet = None, 0
    if start is not None:
        spans.append(Span(start * frame_s, (len(loud) - quiet) * frame_s))
    spans = [s for s in spans if s.duration >= min_speech_s]
    return cap_spans(spans, max_span_s)


def cap_spans(spans: list[Span], max_span_s: float = MAX_SPAN_S) -> list[Span]:
    """Split any span longer than `max_span_s` into equal parts no longer than it."""
    out: list[Span] = []
    for span in spans:
        parts = max(1, int(np.ceil(span.duration / max_span_s - 1e-9)))
        step = span.duration / parts
        out.extend(Span(span.start + i * step, span.start + (i + 1) * step) for i in range(parts))
    return out


@dataclass(frozen=True)
class Utterance:
    """A finished piece of live audio: `start` seconds into the stream, 16 kHz mono samples."""

    start: float
    audio: np.ndarray

    @property
    def end(self) -> float:
        return self.start + len(self.audio) / SAMPLE_RATE


class Segmenter:
    """Cuts a live 16 kHz stream into utterances at pauses, each at most `max_span_s` long.

    Feed chunks of any size in order; `feed` returns the utterances completed by that chunk
    (a pause of `min_silence_s` after speech, or the length cap reached mid-monologue), and
    `flush` returns what is left at the end of the stream. Silence produces nothing. A little
    audio before the speech and after it is kept (`pad_s`) so first and last words are whole.
    Not thread-safe: one per stream, used by one thread.
    """

    def __init__(
        self,
        *,
        threshold_dbfs: float = ENERGY_THRESHOLD_DBFS,
        min_silence_s: float = MIN_SILENCE_S,
        min_speech_s: float = 0.2,
        max_span_s: float = MAX_SPAN_S,
        pad_s: float = 0.2,
    ) -> None:
        self._frame = int(FRAME_S * SAMPLE_RATE)
        self._threshold = threshold_dbfs
        self._silence_frames = max(1, round(min_silence_s / FRAME_S))
        self._min_speech_frames = max(1, round(min_speech_s / FRAME_S))
        self._max_frames = max(1, int(max_span_s / FRAME_S))
        self._pad_frames = max(0, round(pad_s / FRAME_S))
        self._pending = np.zeros(0, dtype=np.float32)  # samples not yet a whole frame
        self._frames_seen = 0  # whole frames consumed: the stream clock
        self._before: list[np.ndarray] = []  # recent quiet frames, kept for padding the next utterance
        self._current: list[np.ndarray] = []  # frames of the utterance in progress
        self._current_start = 0  # frame index where it starts
        self._loud_frames = 0
        self._quiet_run = 0

    @property
    def in_speech(self) -> bool:
        """True while an utterance is under way (speech heard, its closing pause not yet)."""
        return bool(self._current)

    @property
    def position(self) -> float:
        """Seconds of the stream consumed so far."""
        return self._frames_seen * FRAME_S

    def feed(self, chunk: np.ndarray) -> list[Utterance]:
        data = np.concatenate([self._pending, np.asarray(chunk, dtype=np.float32).reshape(-1)])
        whole = len(data) // self._frame * self._frame
        self._pending = data[whole:]
        done: list[Utterance] = []
        for offset in range(0, whole, self._frame):
            utterance = self._step(data[offset : offset + self._frame])
            if utterance is not None:
                done.append(utterance)
        return done

    def flush(self) -> list[Utterance]:
        """End of stream: the utterance in progress (if it holds enough speech), then a clean state."""
        if len(self._pending):
            self._pending = np.zeros(0, dtype=np.float32)
        utterance = self._finish(trim_quiet=True)
        self._before = []
        return [utterance] if utterance is not None else []

    def _step(self, frame: np.ndarray) -> Utterance | None:
        index = self._frames_seen
        self._frames_seen += 1
        loud = float(frame_levels(frame)[0]) > self._threshold
        if not self._current:
            if not loud:
                self._before.append(frame)
                del self._before[: -self._pad_frames or len(self._before)]
                return None
            self._current = [*self._before, frame]
            self._current_start = index - len(self._before)
            self._before = []
            self._loud_frames, self._quiet_run = 1, 0
            return None
        self._current.append(frame)
        if loud:
            self._loud_frames += 1
            self._quiet_run = 0
        else:
            self._quiet_run += 1
        if self._quiet_run >= self._silence_frames:
            return self._finish(trim_quiet=True)
        if len(self._current) >= self._max_frames:
            return self._finish(trim_quiet=False)
        return None

    def _finish(self, *, trim_quiet: bool) -> Utterance | None:
        frames, start, loud = self._current, self._current_start, self._loud_frames
        self._current, self._loud_frames, self._quiet_run = [], 0, 0
        if not frames or loud < self._min_speech_frames:
            return None
        if trim_quiet:  # keep `pad` frames of the trailing pause, drop the rest
            trailing = 0
            for f in reversed(frames):
                if float(frame_levels(f)[0]) > self._threshold:
                    break
                trailing += 1
            keep = len(frames) - max(0, trailing - self._pad_frames)
            frames = frames[:keep]
        return Utterance(start * FRAME_S, np.concatenate(frames))
