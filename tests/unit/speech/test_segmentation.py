"""core.speech.segmentation on synthetic signals: silence, bursts separated by pauses, long monologues."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from core.speech.audio import SAMPLE_RATE
from core.speech.segmentation import Segmenter, Span, cap_spans, energy_spans, frame_levels

RNG = np.random.default_rng(7)


def silence(seconds: float, level: float = 0.0) -> np.ndarray:
    n = int(seconds * SAMPLE_RATE)
    return (level * RNG.standard_normal(n)).astype(np.float32) if level else np.zeros(n, dtype=np.float32)


def burst(seconds: float) -> np.ndarray:
    """A voice-like burst: a 200 Hz tone with harmonics and noise, amplitude-modulated like syllables."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    voice = np.sin(2 * np.pi * 200 * t) + 0.5 * np.sin(2 * np.pi * 400 * t) + 0.1 * RNG.standard_normal(len(t))
    syllables = 0.6 + 0.4 * np.abs(np.sin(2 * np.pi * 3 * t))
    return (0.2 * voice * syllables).astype(np.float32)


def feed_in_chunks(segmenter: Segmenter, audio: np.ndarray, chunk_s: float = 0.02) -> list:
    size = int(chunk_s * SAMPLE_RATE)
    out = []
    for first in range(0, len(audio), size):
        out += segmenter.feed(audio[first : first + size])
    return out + segmenter.flush()


def test_frame_levels_in_dbfs() -> None:
    levels = frame_levels(np.full(SAMPLE_RATE, 0.5, dtype=np.float32))
    assert levels == pytest.approx(np.full(len(levels), 20 * np.log10(0.5)))
    assert len(frame_levels(np.zeros(10, dtype=np.float32))) == 0


def test_silence_and_faint_noise_give_no_spans() -> None:
    assert energy_spans(silence(5)) == []
    assert energy_spans(silence(5, level=0.001)) == []  # about -60 dBFS: room noise
    assert feed_in_chunks(Segmenter(), silence(5, level=0.001)) == []


def test_two_bursts_separated_by_a_pause_give_two_spans() -> None:
    audio = np.concatenate([silence(0.5), burst(1.5), silence(1.0), burst(2.0), silence(0.5)])
    spans = energy_spans(audio)
    assert len(spans) == 2
    assert spans[0].start == pytest.approx(0.5, abs=0.05)
    assert spans[0].end == pytest.approx(2.0, abs=0.05)
    assert spans[1].start == pytest.approx(3.0, abs=0.05)
    assert spans[1].end == pytest.approx(5.0, abs=0.05)


def test_a_short_pause_inside_an_utterance_does_not_cut_it() -> None:
    audio = np.concatenate([burst(1.0), silence(0.2), burst(1.0)])
    assert len(energy_spans(audio)) == 1


def test_a_click_is_not_speech() -> None:
    audio = np.concatenate([silence(1.0), burst(0.06), silence(1.0)])
    assert energy_spans(audio) == []
    assert feed_in_chunks(Segmenter(), audio) == []


def test_a_long_monologue_is_capped_into_chunks() -> None:
    spans = energy_spans(burst(40.0))
    assert len(spans) == 3
    assert all(s.duration <= 15.0 for s in spans)
    assert spans[0].start == 0.0
    assert spans[-1].end == pytest.approx(40.0, abs=0.05)
    assert all(a.end == pytest.approx(b.start) for a, b in itertools.pairwise(spans))


def test_cap_spans_keeps_short_spans_and_splits_long_ones_evenly() -> None:
    assert cap_spans([Span(1.0, 3.0)], 15) == [Span(1.0, 3.0)]
    parts = cap_spans([Span(0.0, 30.0)], 15)
    assert parts == [Span(0.0, 15.0), Span(15.0, 30.0)]


def test_segmenter_emits_each_utterance_when_its_pause_ends() -> None:
    segmenter = Segmenter()
    first = segmenter.feed(np.concatenate([silence(0.5), burst(1.5)]))
    assert first == []  # still speaking
    ended = segmenter.feed(silence(0.6))
    assert len(ended) == 1
    utterance = ended[0]
    assert utterance.start == pytest.approx(0.5 - 0.2, abs=0.05)  # 0.2 s of padding before
    assert utterance.end == pytest.approx(2.0 + 0.2, abs=0.05)  # and after
    assert segmenter.feed(silence(1.0)) == []


def test_segmenter_two_bursts_and_stream_times() -> None:
    audio = np.concatenate([silence(0.5), burst(1.5), silence(1.0), burst(2.0), silence(0.3)])
    utterances = feed_in_chunks(Segmenter(), audio)
    assert len(utterances) == 2
    assert utterances[0].start == pytest.approx(0.3, abs=0.05)
    assert utterances[1].start == pytest.approx(2.8, abs=0.05)
    assert utterances[1].end == pytest.approx(5.2, abs=0.05)  # flushed at the end of the stream
    assert all(u.audio.dtype == np.float32 for u in utterances)


def test_segmenter_caps_a_40_second_monologue() -> None:
    utterances = feed_in_chunks(Segmenter(), burst(40.0), chunk_s=0.1)
    assert len(utterances) == 3
    assert all(len(u.audio) / SAMPLE_RATE <= 15.0 + 1e-6 for u in utterances)
    assert sum(len(u.audio) for u in utterances) == pytest.approx(40 * SAMPLE_RATE, abs=int(0.05 * SAMPLE_RATE))
    assert [round(u.start, 2) for u in utterances] == [0.0, 15.0, 30.0]


def test_span_slice_uses_seconds() -> None:
    audio = np.arange(3 * SAMPLE_RATE, dtype=np.float32)
    piece = Span(1.0, 1.5).slice(audio)
    assert len(piece) == SAMPLE_RATE // 2
    assert piece[0] == SAMPLE_RATE
