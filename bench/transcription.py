"""Offline speech to text: real-time factor, latency and word error rate of both tiers.

Speaks 24 system-design sentences with espeak-ng, four to six per problem, and transcribes
each problem's recording with that problem's recognition vocabulary (as an interview would):
- live: 48 kHz stereo WebRTC-like frames → Resampler → Segmenter → tiny.en per utterance
  (latency = end of utterance detected → its text ready; the pause that ends an utterance
  adds MIN_SILENCE_S on top), plus the latency of one 10 s utterance;
- accurate: Whisper base over the whole recording (VAD, vocabulary prompt);
- raw faster-whisper calls of both models (defaults: no VAD, no vocabulary).
Word error rate is pooled over all sentences. Prints figures; asserts nothing.

    .venv/bin/python bench/transcription.py
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import Settings
from core.content.problems import load_problem_bank
from core.content.rubrics import load_rubrics
from core.speech.audio import SAMPLE_RATE, Resampler, load_audio
from core.speech.engines import models_dir
from core.speech.recordings import recognition_vocabulary
from core.speech.segmentation import MIN_SILENCE_S, Segmenter
from core.speech.transcription import WhisperTranscriber, accurate_transcriber, live_transcriber

SENTENCES = {
    "news_feed": [
        "We put a cache in front of the database to serve hot reads.",
        "When one machine is not enough, we shard the database by user id.",
        "A load balancer spreads requests across stateless application servers.",
        "Writes go to a message queue so that slow consumers do not block the API.",
        "Each shard has two replicas, and we fail over when the leader dies.",
        "We accept eventual consistency to keep the read latency low.",
    ],
    "url_shortener": [
        "We hash the long URL with MD5 and keep the first seven characters as the short code.",
        "To avoid a collision, a key generation service hands out unique counters.",
        "Each counter is encoded in base62, so seven characters give us billions of short links.",
        "Reads dominate, so we cache popular short codes in Redis in front of the database.",
    ],
    "rate_limiter": [
        "The rate limiter keeps a token bucket per API key in Redis.",
        "A Lua script makes the check and the decrement atomic.",
        "When the bucket is empty we return HTTP 429 with a Retry-After header.",
        "A sliding window counter is cheaper than a sliding window log.",
    ],
    "ride_matching": [
        "Drivers send a location ping every four seconds.",
        "We index driver locations with a geohash, or a quadtree for dense cities.",
        "Dispatch picks the nearest driver by ETA, not by straight line distance.",
        "Surge pricing kicks in when demand in a hexagon exceeds supply.",
    ],
    "chat_messaging": [
        "Clients hold a WebSocket open, and fall back to long polling.",
        "Messages are stored in Cassandra, partitioned by conversation.",
        "Each message gets a sequence number so the inbox stays in order.",
        "Presence is kept in Redis with a short expiry.",
    ],
}


@dataclass
class Recording:
    problem_id: str
    audio: np.ndarray  # every sentence of the problem, 1 s apart
    reference: str
    vocabulary: list[str]


@dataclass
class Score:
    errors: float = 0.0
    words: int = 0
    seconds: float = 0.0

    def add(self, reference: str, hypothesis: str, seconds: float) -> None:
        words = len(normalise(reference))
        self.errors += wer(reference, hypothesis) * words
        self.words += words
        self.seconds += seconds


def normalise(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level edit distance / reference words (lower-cased, no punctuation)."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))


def speak(directory: Path, sentences: list[str]) -> np.ndarray:
    """The sentences with 1 s pauses, at 16 kHz."""
    pieces = [np.zeros(SAMPLE_RATE // 2, dtype=np.float32)]
    for i, sentence in enumerate(sentences):
        path = directory / f"s{i}.wav"
        subprocess.run(["espeak-ng", "-w", str(path), sentence], check=True, capture_output=True)
        pieces += [load_audio(path), np.zeros(SAMPLE_RATE, dtype=np.float32)]
    return np.concatenate(pieces)


def webrtc_frames(audio: np.ndarray) -> list[av.AudioFrame]:
    """Upsample to 48 kHz stereo s16 in 20 ms frames, as the browser sends them."""
    up = np.interp(np.arange(len(audio) * 3) / 3, np.arange(len(audio)), audio)
    pcm = (np.clip(up, -1, 1) * 32767).astype(np.int16)
    frames = []
    for i, first in enumerate(range(0, len(pcm), 960)):
        frame = av.AudioFrame.from_ndarray(np.repeat(pcm[first : first + 960], 2).reshape(1, -1), layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = 48_000, i * 960, Fraction(1, 48_000)
        frames.append(frame)
    return frames


def live_pipeline(engine: WhisperTranscriber, recording: Recording, latencies: list[float]) -> str:
    """Frames → resampler → segmenter → engine, as the live worker does; collects latencies."""
    resampler, segmenter, texts = Resampler(), Segmenter(), []

    def transcribe(utterances: list) -> None:
        for utterance in utterances:
            started = time.perf_counter()
            texts.extend(s.text for s in engine.transcribe(utterance.audio, vocabulary=recording.vocabulary))
            latencies.append(time.perf_counter() - started)

    for frame in webrtc_frames(recording.audio):
        transcribe(segmenter.feed(resampler.process(frame)))
    transcribe(segmenter.feed(resampler.flush()) + segmenter.flush())
    return " ".join(texts)


def raw_call(engine: WhisperTranscriber) -> Callable[[Recording], str]:
    def run(recording: Recording) -> str:
        pieces, _ = engine._model.transcribe(recording.audio, language="en")
        return " ".join(p.text.strip() for p in pieces)

    return run


def whole_recording(engine: WhisperTranscriber) -> Callable[[Recording], str]:
    def run(recording: Recording) -> str:
        return " ".join(s.text for s in engine.transcribe(recording.audio, vocabulary=recording.vocabulary))

    return run


def main() -> None:
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is needed to speak the test sentences")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(runtime_dir=Path(tmp) / "runtime")
        rubric = load_rubrics(settings.resolve(settings.rubrics_dir))["system_design"]
        bank = load_problem_bank(settings.resolve(settings.problems_dir))
        recordings = []
        for problem_id, sentences in SENTENCES.items():
            folder = Path(tmp) / problem_id
            folder.mkdir()
            vocabulary = recognition_vocabulary(bank.get(problem_id), rubric)
            recordings.append(Recording(problem_id, speak(folder, sentences), " ".join(sentences), vocabulary))
        audio_s = sum(len(r.audio) for r in recordings) / SAMPLE_RATE
        count = sum(len(s) for s in SENTENCES.values())
        print(f"{count} sentences over {len(recordings)} problems, {audio_s:.1f} s of espeak-ng speech")

        started = time.perf_counter()
        live = live_transcriber()
        print(f"load tiny.en: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        accurate = accurate_transcriber(models_dir(settings))
        print(f"assemble + load base: {time.perf_counter() - started:.2f} s")
        live.transcribe(recordings[0].audio[: 2 * SAMPLE_RATE])  # warm-up
        accurate.transcribe(recordings[0].audio[: 2 * SAMPLE_RATE])

        latencies: list[float] = []
        pipelines: list[tuple[str, Callable[[Recording], str]]] = [
            ("live (tiny.en, vocabulary)", lambda r: live_pipeline(live, r, latencies)),
            ("accurate (base, vocabulary)", whole_recording(accurate)),
            ("raw faster-whisper tiny.en", raw_call(live)),
            ("raw faster-whisper base", raw_call(accurate)),
        ]  # fmt: skip
        for label, pipeline in pipelines:
            score = Score()
            for recording in recordings:
                started = time.perf_counter()
                hypothesis = pipeline(recording)
                score.add(recording.reference, hypothesis, time.perf_counter() - started)
            print(f"{label:30} RTF {score.seconds / audio_s:5.3f}   WER {score.errors / score.words:6.1%}")
        print(
            f"live latency per utterance ({len(latencies)}): p50 {statistics.median(latencies):.2f} s,"
            f" max {max(latencies):.2f} s, + {MIN_SILENCE_S:.1f} s of pause to end an utterance"
        )

        # One 10 s utterance: a problem's sentences run together without pauses, cut to 10 s.
        long_utterance = np.concatenate([load_audio(p) for p in sorted(Path(tmp, "url_shortener").glob("s*.wav"))])
        long_utterance = long_utterance[: 10 * SAMPLE_RATE]
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            live.transcribe(long_utterance, vocabulary=recordings[1].vocabulary)
            timings.append(time.perf_counter() - started)
        print(
            f"live latency, one {len(long_utterance) / SAMPLE_RATE:.1f} s utterance: "
            f"median {statistics.median(timings):.2f} s, max {max(timings):.2f} s (5 runs)"
        )


if __name__ == "__main__":
    main()
