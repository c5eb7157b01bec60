"""Live microphone transcription without a browser: av.AudioFrames shaped like WebRTC's
(48 kHz stereo s16, 960 samples = 20 ms) go into LiveTranscriber.feed, as the sink callback
would push them, and the spoken words come out as "mic" transcript entries in the database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from core import live_transcription
from core.audio import load_audio
from core.config import Settings
from core.interviews import create_interview, get_interview, list_transcript, start_interview
from core.live_transcription import LiveTranscriber
from core.models import Role
from core.workspace import Workspace, build_workspace

FRAME = 960  # samples per channel in one 20 ms WebRTC frame at 48 kHz


def webrtc_frames(audio_16k: np.ndarray) -> list[av.AudioFrame]:
    """16 kHz mono float32 → 20 ms frames of 48 kHz packed stereo s16, with running pts."""
    n48 = len(audio_16k) * 3
    mono = np.interp(np.arange(n48) / 3, np.arange(len(audio_16k)), audio_16k)
    pcm = (np.clip(mono, -1, 1) * 32767).astype(np.int16)
    pcm = np.pad(pcm, (0, -len(pcm) % FRAME))
    frames = []
    for i in range(0, len(pcm), FRAME):
        chunk = pcm[i : i + FRAME]
        stereo = np.repeat(chunk, 2).reshape(1, -1)  # packed: L R L R …
        frame = av.AudioFrame.from_ndarray(stereo, format="s16", layout="stereo")
        frame.sample_rate = 48_000
        frame.pts = i
        frames.append(frame)
    return frames


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    if shutil.which("espeak-ng") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is required on CI for the transcription tests")
        pytest.skip("espeak-ng is not installed")
    path = tmp_path_factory.mktemp("live") / "speech.wav"
    text = "We put a cache in front of the database to serve hot reads."
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    audio = load_audio(path)
    pause = np.zeros(16_000, dtype=np.float32)
    return np.concatenate([pause, audio, pause])


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=tmp_path / "runtime"))


def test_spoken_words_from_webrtc_frames_become_mic_transcript_entries(workspace: Workspace, spoken) -> None:
    session = create_interview(workspace, problem_id="rate_limiter")
    start_interview(workspace, session.id)
    live = live_transcription.get_or_create(workspace, session.id)
    assert live_transcription.get_or_create(workspace, session.id) is live
    for frame in webrtc_frames(spoken):
        live.feed(frame)
    live_transcription.stop(session.id)
    assert not live.running and live_transcription.get(session.id) is None

    entries = list_transcript(workspace, session.id)
    assert entries, "no transcript entry from the spoken sentence"
    text = " ".join(e.text for e in entries).lower()
    assert "cache" in text and "front" in text
    assert all(e.source == "mic" and e.speaker == "candidate" for e in entries)
    first = entries[0]
    assert 0.5 <= first.start < first.end <= len(spoken) / 16_000 + 60  # the session clock, after the pause
    assert live.errors == 0


def test_silence_gives_no_entries(workspace: Workspace) -> None:
    session = create_interview(workspace, problem_id="rate_limiter")
    start_interview(workspace, session.id)
    live = LiveTranscriber(workspace, session.id)
    for frame in webrtc_frames(np.zeros(3 * 16_000, dtype=np.float32)):
        live.feed(frame)
    live.stop()
    assert list_transcript(workspace, session.id) == []
    live.feed(webrtc_frames(np.zeros(16_000, dtype=np.float32))[0])  # after stop: ignored, no error


def test_utterances_can_be_sent_as_answers(workspace: Workspace, spoken) -> None:
    session = create_interview(workspace, problem_id="rate_limiter")
    start_interview(workspace, session.id)
    live = LiveTranscriber(workspace, session.id, submit_answers=True)
    for frame in webrtc_frames(spoken):
        live.feed(frame)
    live.stop()
    messages = get_interview(workspace, session.id).messages
    roles = [m.role for m in messages]
    assert roles == [Role.INTERVIEWER, Role.CANDIDATE, Role.INTERVIEWER]
    assert "cache" in messages[1].content.lower()
