"""Audio in, 16 kHz mono float32 out: files of any common format, and live WebRTC frames.

Decoding goes through PyAV (it bundles FFmpeg's libraries; no ffmpeg binary is needed).
`load_audio` reads a whole file (bytes or a path); `Resampler` converts a stream of
av.AudioFrames (48 kHz stereo s16 from the browser) chunk by chunk, keeping the resampler's
state between frames so no samples are lost or duplicated at frame boundaries.
"""

from __future__ import annotations

import io
from os import PathLike
from pathlib import Path

import av
import numpy as np

from core.errors import WorkspaceError

SAMPLE_RATE = 16_000  # Hz: what Whisper and the voice-activity detector take

MAX_AUDIO_SECONDS = 2 * 60 * 60  # 2 h of 16 kHz float32 is ~460 MB in memory; longer files are refused


class AudioError(WorkspaceError):
    """Audio we cannot read or use; str(exc) is a sentence for the user."""


AudioSource = bytes | bytearray | memoryview | str | PathLike[str]


def load_audio(source: AudioSource, *, max_seconds: float = MAX_AUDIO_SECONDS) -> np.ndarray:
    """Decode wav/mp3/m4a/ogg/webm/… (bytes or a path) to 16 kHz mono float32 in [-1, 1].

    Raises AudioError with a sentence for the user when the file is unreadable, holds no
    audio or no samples, or is longer than `max_seconds`.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) == 0:
            raise AudioError("The audio file is empty.")
        opened: object = io.BytesIO(bytes(source))
        label = "the audio file"
    else:
        path = Path(source)
        if not path.is_file():
            raise AudioError(f"There is no audio file at {path}.")
        if path.stat().st_size == 0:
            raise AudioError(f"The audio file {path.name} is empty.")
        opened = str(path)
        label = path.name
    try:
        container = av.open(opened, mode="r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise AudioError(f"We could not read {label} as audio (is it a wav, mp3, m4a, ogg or webm file?).") from exc
    with container:
        if not container.streams.audio:
            raise AudioError(f"{label[:1].upper()}{label[1:]} has no audio track.")
        stream = container.streams.audio[0]
        _check_declared_length(container, stream, label, max_seconds)
        limit = int(max_seconds * SAMPLE_RATE)
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        total = 0
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
                    total += out.samples
                if total > limit:
                    raise AudioError(_too_long(label, max_seconds))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
                total += out.samples
        except av.FFmpegError as exc:
            if not chunks:
                raise AudioError(f"We could not decode the audio in {label}; the file may be damaged.") from exc
            # A truncated tail (e.g. an upload cut short) still gives the audio before it.
    if total > limit:
        raise AudioError(_too_long(label, max_seconds))
    if total == 0:
        raise AudioError(f"{label[:1].upper()}{label[1:]} contains no audio samples.")
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def _check_declared_length(
    container: av.container.InputContainer, stream: av.audio.stream.AudioStream, label: str, limit: float
) -> None:
    """Refuse an over-long file before decoding it, when the container says how long it is."""
    seconds = None
    if stream.duration is not None and stream.time_base is not None:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration:
        seconds = container.duration / av.time_base
    if seconds is not None and seconds > limit:
        raise AudioError(_too_long(label, limit))


def _too_long(label: str, limit: float) -> str:
    return f"{label[:1].upper()}{label[1:]} is longer than {limit / 60:.0f} minutes; split it into shorter recordings."


class Resampler:
    """Streaming conversion of av.AudioFrames to 16 kHz mono float32 chunks.

    Stateful: create one per audio stream (one per WebRTC session), feed frames in order with
    `process`, and call `flush` once at the end for the samples still buffered. Not thread-safe;
    the sink callback that owns it is the only caller.
    """

    def __init__(self) -> None:
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        self.samples_out = 0  # 16 kHz samples returned so far: the stream's clock

    def process(self, frame: av.AudioFrame) -> np.ndarray:
        return self._convert(self._resampler.resample(frame))

    def flush(self) -> np.ndarray:
        """The samples still inside the resampler; the Resampler starts afresh afterwards."""
        out = self._convert(self._resampler.resample(None))
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        return out

    def _convert(self, frames: list[av.AudioFrame]) -> np.ndarray:
        if not frames:
            return np.zeros(0, dtype=np.float32)
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float32) / 32768.0
        self.samples_out += len(pcm)
        return pcm
