"""Offline speech to text: real-time factor, latency and word error rate of both tiers.

Speaks ~8 system-design sentences with espeak-ng, then measures
- live: 48 kHz stereo WebRTC-like frames → Resampler → Segmenter → tiny.en per utterance
  (latency = end of utterance detected → its segments ready; the pause that ends an
  utterance adds MIN_SILENCE_S on top);
- accurate: Whisper base over the whole recording (Silero VAD chunks, vocabulary bias);
- raw faster-whisper calls of both models (defaults, no VAD of ours, no vocabulary).
Prints figures; asserts nothing.

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
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.audio import Resampler, load_audio
from core.config import Settings
from core.recordings import models_dir, recognition_vocabulary
from core.rubrics import load_rubrics
from core.segmentation import MIN_SILENCE_S, Segmenter
from core.transcription import SAMPLE_RATE, accurate_transcriber, live_transcriber

SENTENCES = [
    "We put a cache in front of the database to serve hot reads.",
    "When one machine is not enough, we shard the database by user id.",
    "A load balancer spreads requests across stateless application servers.",
    "Writes go to a message queue so that slow consumers do not block the API.",
    "Each shard has two replicas, and we fail over when the leader dies.",
    "The rate limiter uses a token bucket per API key stored in Redis.",
    "We accept eventual consistency to keep the read latency low.",
    "At peak we expect about five thousand requests per second.",
]
VOCABULARY = ["cache", "database", "shard", "load balancer", "message queue", "replica", "token bucket", "Redis"]


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


def speak(directory: Path) -> tuple[np.ndarray, list[float]]:
    """All sentences with 1 s pauses, at 16 kHz; and where each sentence ends (seconds)."""
    pieces, ends, clock = [np.zeros(SAMPLE_RATE // 2, dtype=np.float32)], [], 0.5
    for i, sentence in enumerate(SENTENCES):
        path = directory / f"s{i}.wav"
        subprocess.run(["espeak-ng", "-w", str(path), sentence], check=True, capture_output=True)
        audio = load_audio(path)
        pieces += [audio, np.zeros(SAMPLE_RATE, dtype=np.float32)]
        clock += len(audio) / SAMPLE_RATE
        ends.append(clock)
        clock += 1.0
    return np.concatenate(pieces), ends


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


def report(label: str, text: str, seconds: float, audio_s: float, latencies: list[float] | None = None) -> None:
    line = f"{label:34} RTF {seconds / audio_s:5.3f}   WER {wer(' '.join(SENTENCES), text):6.1%}"
    if latencies:
        line += f"   latency p50 {statistics.median(latencies):.2f} s  max {max(latencies):.2f} s"
    print(line)


def main() -> None:
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is needed to speak the test sentences")
    with tempfile.TemporaryDirectory() as tmp:
        audio, _ends = speak(Path(tmp))
        settings = Settings(runtime_dir=Path(tmp) / "runtime")
        rubric = load_rubrics(settings.resolve(settings.rubrics_dir))["system_design"]
        vocabulary = VOCABULARY + recognition_vocabulary(None, rubric)
        audio_s = len(audio) / SAMPLE_RATE
        print(f"{len(SENTENCES)} sentences, {audio_s:.1f} s of espeak-ng speech, vocabulary of {len(vocabulary)} terms")

        started = time.perf_counter()
        live = live_transcriber()
        print(f"load tiny.en: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        accurate = accurate_transcriber(models_dir(settings))
        print(f"assemble + load base: {time.perf_counter() - started:.2f} s")
        live.transcribe(audio[: 2 * SAMPLE_RATE])  # warm-up
        accurate.transcribe(audio[: 2 * SAMPLE_RATE])

        # live pipeline, frame by frame
        resampler, segmenter = Resampler(), Segmenter()
        texts, latencies, busy = [], [], 0.0
        for frame in webrtc_frames(audio):
            for utterance in segmenter.feed(resampler.process(frame)):
                t0 = time.perf_counter()
                texts += [s.text for s in live.transcribe(utterance.audio, vocabulary=vocabulary)]
                latencies.append(time.perf_counter() - t0)
                busy += latencies[-1]
        for utterance in segmenter.feed(resampler.flush()) + segmenter.flush():
            t0 = time.perf_counter()
            texts += [s.text for s in live.transcribe(utterance.audio, vocabulary=vocabulary)]
            latencies.append(time.perf_counter() - t0)
            busy += latencies[-1]
        report("live (tiny.en, vocabulary)", " ".join(texts), busy, audio_s, latencies)
        print(f"{'':34} + {MIN_SILENCE_S:.1f} s pause to end an utterance; {len(latencies)} utterances")

        for label, engine in [("accurate (base, vocabulary)", accurate), ("tiny.en pipeline, no vocabulary", live)]:
            t0 = time.perf_counter()
            text = " ".join(s.text for s in engine.transcribe(audio))
            report(label, text, time.perf_counter() - t0, audio_s)

        for label, engine in [("raw faster-whisper tiny.en", live), ("raw faster-whisper base", accurate)]:
            t0 = time.perf_counter()
            pieces, _ = engine._model.transcribe(audio, language="en")
            text = " ".join(p.text.strip() for p in pieces)
            report(label, text, time.perf_counter() - t0, audio_s)


if __name__ == "__main__":
    main()
