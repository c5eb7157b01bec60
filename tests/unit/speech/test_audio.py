"""core.speech.audio: decoding files to 16 kHz mono float32, and the streaming WebRTC resampler."""

from __future__ import annotations

import io
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from core.speech.audio import SAMPLE_RATE, AudioError, Resampler, load_audio


def tone(seconds: float, rate: int, freq: float = 440.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def wav_bytes(signal: np.ndarray, rate: int, channels: int = 1) -> bytes:
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2")
    if channels == 2:
        pcm = np.repeat(pcm, 2)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


def encoded(signal: np.ndarray, rate: int, fmt: str, codec: str) -> bytes:
    """Encode a mono signal in memory with PyAV (mp3, ogg/opus, webm/opus, m4a/aac)."""
    out = io.BytesIO()
    with av.open(out, mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        pcm = (signal * 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def dominant_frequency(signal: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return float(np.fft.rfftfreq(len(signal), 1 / rate)[np.argmax(spectrum)])


def test_wav_at_22050_hz_becomes_16k_mono_float32() -> None:
    audio = load_audio(wav_bytes(tone(2.0, 22_050), 22_050))
    assert audio.dtype == np.float32
    assert audio.ndim == 1
    assert abs(len(audio) - 2 * SAMPLE_RATE) <= 200
    assert 0.45 < np.max(np.abs(audio)) < 0.55
    assert dominant_frequency(audio) == pytest.approx(440, abs=5)


def test_stereo_wav_is_downmixed(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    path.write_bytes(wav_bytes(tone(1.0, 48_000), 48_000, channels=2))
    audio = load_audio(path)
    assert abs(len(audio) - SAMPLE_RATE) <= 100
    assert dominant_frequency(audio) == pytest.approx(440, abs=5)


@pytest.mark.parametrize(
    ("fmt", "codec", "rate"),
    [("mp3", "libmp3lame", 44_100), ("ogg", "libopus", 48_000), ("webm", "libopus", 48_000), ("mp4", "aac", 44_100)],
)
def test_compressed_formats_decode(fmt: str, codec: str, rate: int) -> None:
    audio = load_audio(encoded(tone(1.5, rate, freq=600), rate, fmt, codec))
    assert 1.3 * SAMPLE_RATE < len(audio) < 1.7 * SAMPLE_RATE
    assert dominant_frequency(audio) == pytest.approx(600, abs=10)


def test_unreadable_bytes_raise_audio_error() -> None:
    with pytest.raises(AudioError, match="could not read"):
        load_audio(b"this is not audio at all, just some text" * 20)


def test_empty_bytes_and_missing_or_empty_files(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="empty"):
        load_audio(b"")
    with pytest.raises(AudioError, match="no audio file"):
        load_audio(tmp_path / "missing.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        load_audio(tmp_path / "empty.wav")


def test_wav_without_samples_is_refused() -> None:
    with pytest.raises(AudioError, match="no audio samples"):
        load_audio(wav_bytes(np.zeros(0, dtype=np.float32), 16_000))


def test_too_long_is_refused() -> None:
    with pytest.raises(AudioError, match="longer than"):
        load_audio(wav_bytes(tone(3.0, 16_000), 16_000), max_seconds=60 * 0.04)  # 2.4 s limit


def webrtc_frames(signal: np.ndarray, *, samples_per_frame: int = 960) -> list[av.AudioFrame]:
    """48 kHz stereo packed s16 frames of 20 ms, as streamlit-webrtc delivers them."""
    pcm = (signal * 32767).astype(np.int16)
    frames = []
    for i, first in enumerate(range(0, len(pcm), samples_per_frame)):
        chunk = pcm[first : first + samples_per_frame]
        interleaved = np.repeat(chunk, 2).reshape(1, -1)  # L R L R …
        frame = av.AudioFrame.from_ndarray(interleaved, format="s16", layout="stereo")
        frame.sample_rate = 48_000
        frame.pts = i * samples_per_frame
        frame.time_base = Fraction(1, 48_000)
        frames.append(frame)
    return frames


def test_resampler_turns_48k_stereo_frames_into_16k_mono() -> None:
    signal = tone(2.0, 48_000, freq=1000, amplitude=0.4)
    resampler = Resampler()
    chunks = [resampler.process(frame) for frame in webrtc_frames(signal)]
    chunks.append(resampler.flush())
    assert all(c.dtype == np.float32 and c.ndim == 1 for c in chunks)
    audio = np.concatenate(chunks)
    assert abs(len(audio) - 2 * SAMPLE_RATE) <= 32
    assert resampler.samples_out == len(audio)
    assert dominant_frequency(audio) == pytest.approx(1000, abs=5)
    assert 0.35 < np.max(np.abs(audio[1000:-1000])) < 0.45
    # Stateful: no clicks at frame boundaries — the output is a clean sine (tiny residual).
    middle = audio[1000:-1000]
    reference = 0.4 * np.sin(2 * np.pi * 1000 * np.arange(len(audio)) / SAMPLE_RATE)[1000:-1000]
    best = min(np.max(np.abs(np.roll(middle, k) - reference)) for k in range(-20, 21))
    assert best < 0.05


def test_resampler_can_run_again_after_flush() -> None:
    resampler = Resampler()
    for frame in webrtc_frames(tone(0.5, 48_000)):
        resampler.process(frame)
    resampler.flush()
    again = [resampler.process(frame) for frame in webrtc_frames(tone(0.5, 48_000))]
    again.append(resampler.flush())
    assert abs(len(np.concatenate(again)) - SAMPLE_RATE // 2) <= 32
