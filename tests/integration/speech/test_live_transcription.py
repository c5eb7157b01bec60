"""Live microphone transcription without a browser: av.AudioFrames shaped like WebRTC's
(48 kHz stereo s16, 960 samples = 20 ms) go into LiveTranscriber.feed, as the sink callback
would push them, and the spoken words come out as "mic" transcript entries in the database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from core.config import Settings
from core.errors import ConsentRequired
from core.interview.services import (
    create_interview,
    end_interview,
    evaluation_utterances,
    get_interview,
    list_transcript,
    pause_interview,
    start_interview,
    submit_answer,
)
from core.media.consent import give_consent, withdraw_consent
from core.models import JobStatus, Role
from core.permissions.actor import Actor
from core.speech import live_transcription
from core.speech.audio import load_audio
from core.speech.live_transcription import LiveTranscriber
from core.speech.session_audio import accurate_pass, refine_transcript, session_recordings, start_accurate_pass
from core.speech.transcription import accurate_transcriber, ensure_base_model
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.job_worker import WorkerThreads

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
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    live = live_transcription.get_or_create(workspace, session.id, actor=CANDIDATE)
    assert live is not None and live_transcription.get_or_create(workspace, session.id, actor=CANDIDATE) is live
    for frame in webrtc_frames(spoken):
        live.feed(frame)
    live_transcription.stop(session.id)
    assert not live.running and live_transcription.get(session.id) is None
    # Frames still in flight after the page stopped the microphone start nothing…
    assert live_transcription.get_or_create(workspace, session.id, actor=CANDIDATE) is None
    # …until the page shows the microphone again.
    live_transcription.listen(session.id)
    again = live_transcription.get_or_create(workspace, session.id, actor=CANDIDATE)
    assert again is not None and again is not live and again.running
    live_transcription.stop(session.id)

    entries = list_transcript(workspace, session.id, actor=CANDIDATE)
    assert entries, "no transcript entry from the spoken sentence"
    text = " ".join(e.text for e in entries).lower()
    assert "cache" in text and "front" in text
    assert all(e.source == "mic" and e.speaker == "candidate" for e in entries)
    first = entries[0]
    assert 0.5 <= first.start < first.end <= len(spoken) / 16_000 + 60  # the session clock, after the pause
    assert live.errors == 0


def test_silence_gives_no_entries(workspace: Workspace) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    live = LiveTranscriber(workspace, session.id, actor=CANDIDATE)
    for frame in webrtc_frames(np.zeros(3 * 16_000, dtype=np.float32)):
        live.feed(frame)
    live.stop()
    assert list_transcript(workspace, session.id, actor=CANDIDATE) == []
    live.feed(webrtc_frames(np.zeros(16_000, dtype=np.float32))[0])  # after stop: ignored, no error


def test_utterances_can_be_sent_as_answers(workspace: Workspace, spoken) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    live = LiveTranscriber(workspace, session.id, submit_answers=True, actor=CANDIDATE)
    for frame in webrtc_frames(spoken):
        live.feed(frame)
    live.stop()
    messages = get_interview(workspace, session.id, actor=CANDIDATE).messages
    roles = [m.role for m in messages]
    assert roles == [Role.INTERVIEWER, Role.CANDIDATE, Role.INTERVIEWER]
    assert "cache" in messages[1].content.lower()


def _feed_all(live: LiveTranscriber, audio: np.ndarray) -> None:
    for frame in webrtc_frames(audio):
        live.feed(frame)


def _until_recorded(live: LiveTranscriber, spoken: np.ndarray, timeout: float = 30) -> None:
    """Wait until the recording holds (nearly) all of `spoken`, 16 kHz mono, or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while (
        live.recording is None or live.recording.seconds < len(spoken) / 16_000 - 0.1
    ) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_microphone_audio_is_saved_with_the_session(workspace: Workspace, spoken) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    live = LiveTranscriber(workspace, session.id, actor=CANDIDATE)
    _feed_all(live, spoken)
    live.stop()

    (media,) = session_recordings(workspace, session.id, actor=CANDIDATE)
    path = workspace.files.absolute(media.path)
    assert media.kind == "audio" and media.content_type == "audio/wav"
    assert path.parent == workspace.files.session_dir(session.id) and path.name.startswith("mic-")
    assert media.size_bytes == path.stat().st_size
    assert media.offset_seconds is not None and media.offset_seconds >= 0
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16_000)
        assert abs(wav.getnframes() / 16_000 - len(spoken) / 16_000) < 0.1
    saved = load_audio(path)
    assert np.abs(saved).max() > 0.05  # the speech itself, not silence


def test_the_saved_audio_is_playable_before_the_microphone_stops(workspace: Workspace, spoken) -> None:
    """A crash or restart mid-interview leaves a valid WAV holding what was heard so far."""
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    live = LiveTranscriber(workspace, session.id, actor=CANDIDATE)
    _feed_all(live, spoken)
    _until_recorded(live, spoken)
    assert live.recording is not None
    with wave.open(str(live.recording.path), "rb") as wav:  # header already counts every frame
        assert wav.getnframes() / 16_000 > len(spoken) / 16_000 - 0.1
    live.stop()


def test_audio_heard_while_paused_is_neither_saved_nor_transcribed(workspace: Workspace, spoken) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    live = LiveTranscriber(workspace, session.id, actor=CANDIDATE)
    pause_interview(workspace, session.id, actor=CANDIDATE)
    time.sleep(live_transcription.STATUS_REFRESH_S + 0.1)  # the worker rereads the status this often
    _feed_all(live, spoken)
    live.stop()
    assert list_transcript(workspace, session.id, actor=CANDIDATE) == []
    assert session_recordings(workspace, session.id, actor=CANDIDATE) == []


def test_audio_heard_after_consent_is_withdrawn_is_neither_saved_nor_transcribed(workspace: Workspace, spoken) -> None:
    """The worker rereads the consent with the status: once it is withdrawn the microphone stops by itself,
    keeping what it heard before; listening again needs consent again."""
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=CANDIDATE)
    live = LiveTranscriber(workspace, session.id, actor=CANDIDATE)
    _feed_all(live, spoken)
    _until_recorded(live, spoken)
    withdraw_consent(workspace, session.id, ["audio"], actor=CANDIDATE)
    time.sleep(live_transcription.STATUS_REFRESH_S + 0.1)  # the worker rereads the consent this often
    _feed_all(live, spoken)  # said again, after the withdrawal
    deadline = time.monotonic() + 60
    while live.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not live.running  # stopped without the page asking
    live.stop()  # what the page does next changes nothing

    (media,) = session_recordings(workspace, session.id, actor=CANDIDATE)
    with wave.open(str(workspace.files.absolute(media.path)), "rb") as wav:
        assert abs(wav.getnframes() / 16_000 - len(spoken) / 16_000) < 0.1  # the first sentence only
    said = " ".join(e.text for e in list_transcript(workspace, session.id, actor=CANDIDATE)).lower()
    assert said.count("cache") == 1
    with pytest.raises(ConsentRequired, match="was withdrawn"):
        LiveTranscriber(workspace, session.id, actor=CANDIDATE)


def test_one_spoken_answer_is_one_chat_message(workspace: Workspace, spoken) -> None:
    """Utterances with short pauses between them make one answer; a long quiet ends it."""
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    short_pause = np.zeros(int(0.8 * 16_000), dtype=np.float32)
    long_quiet = np.zeros(int((live_transcription.ANSWER_PAUSE_S + 1) * 16_000), dtype=np.float32)
    live = LiveTranscriber(workspace, session.id, submit_answers=True, actor=CANDIDATE)
    sentence = spoken[16_000:-16_000]  # without the fixture's 1 s pauses
    _feed_all(live, np.concatenate([short_pause, sentence, short_pause, sentence, long_quiet, sentence, short_pause]))
    live.stop()

    messages = get_interview(workspace, session.id, actor=CANDIDATE).messages
    candidate = [m for m in messages if m.role is Role.CANDIDATE]
    assert len(candidate) == 2, [m.content for m in candidate]
    assert candidate[0].content.lower().count("cache") == 2 and candidate[1].content.lower().count("cache") == 1
    assert all(m.meta == {"source": "mic"} for m in candidate)
    assert [m.role for m in messages] == [
        Role.INTERVIEWER,
        Role.CANDIDATE,
        Role.INTERVIEWER,
        Role.CANDIDATE,
        Role.INTERVIEWER,
    ]
    assert len(list_transcript(workspace, session.id, actor=CANDIDATE)) >= 3  # the transcript keeps every utterance


def test_stop_all_keeps_the_last_words(workspace: Workspace, spoken) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    live = live_transcription.get_or_create(workspace, session.id, actor=CANDIDATE)
    _feed_all(live, spoken[:-16_000])  # no closing pause: the utterance is still open
    live_transcription.stop_all()
    assert "cache" in " ".join(e.text for e in list_transcript(workspace, session.id, actor=CANDIDATE)).lower()
    assert live_transcription.get(session.id) is None


def test_the_accurate_pass_replaces_the_live_lines_and_feeds_the_evaluation(
    workspace: Workspace, spoken, shared_models_dir: Path
) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    submit_answer(workspace, session.id, "I would start with the requirements.", actor=CANDIDATE)
    live = LiveTranscriber(workspace, session.id, submit_answers=True, actor=CANDIDATE)
    _feed_all(live, spoken)
    live.stop()
    live_ids = {e.id for e in list_transcript(workspace, session.id, actor=CANDIDATE)}
    assert live_ids

    fractions: list[float] = []
    ensure_base_model(shared_models_dir)
    accurate = accurate_transcriber(shared_models_dir)
    result = refine_transcript(workspace, session.id, progress=fractions.append, transcriber=accurate)
    assert result is not None and result.model == "base" and result.recordings == 1
    assert result.replaced == len(live_ids) and result.added >= 1
    refined = list_transcript(workspace, session.id, actor=CANDIDATE)
    assert len(refined) == result.added  # the live lines are gone (SQLite may reuse their ids)
    assert all(e.source == "mic" and e.speaker == "candidate" for e in refined)
    assert "cache in front of the database" in " ".join(e.text for e in refined).lower()
    assert fractions and fractions[-1] == 1.0 and fractions == sorted(fractions)

    with workspace.uow_factory() as uow:
        transcript = uow.transcripts.in_session(session.id)
        messages = uow.messages.in_session(session.id)
        audit = uow.audit.latest(session_id=session.id)
    assert any(a.action == "transcript_refined" for a in audit)
    said = [
        u.text
        for u in evaluation_utterances(
            get_interview(workspace, session.id, actor=CANDIDATE).session, messages, transcript
        )
    ]
    assert "I would start with the requirements." in said  # typed: from the chat
    assert all(e.text in said for e in transcript)  # spoken: from the refined transcript…
    spoken_messages = [m for m in messages if m.meta.get("source") == "mic"]
    assert spoken_messages and len(said) == len(messages) - len(spoken_messages) + len(transcript)  # …not the chat copy
    end_interview(workspace, session.id, actor=CANDIDATE)


def test_the_accurate_pass_without_recordings_changes_nothing(workspace: Workspace) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    assert refine_transcript(workspace, session.id) is None


def test_the_microphone_is_not_heard_without_consent(workspace: Workspace) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    with pytest.raises(ConsentRequired, match="microphone"):
        live_transcription.get_or_create(workspace, session.id, actor=CANDIDATE)
    assert live_transcription.get(session.id) is None
    assert not workspace.files.session_dir(session.id).exists()


def test_the_accurate_pass_runs_once_on_a_worker_with_its_progress_kept(workspace: Workspace, spoken) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    live = LiveTranscriber(workspace, session.id, submit_answers=True, actor=CANDIDATE)
    _feed_all(live, spoken)
    live.stop()
    assert accurate_pass(workspace, session.id, actor=CANDIDATE) is None  # not asked for yet

    with WorkerThreads(lambda: workspace) as worker:
        workspace.job_queue = worker.queue
        job = start_accurate_pass(workspace, session.id, actor=CANDIDATE)
        assert job is not None and job.session_id == session.id
        again = start_accurate_pass(workspace, session.id, actor=CANDIDATE)  # a reload asks again
        assert again is not None and again.id == job.id
        deadline = time.monotonic() + 120
        while (
            current := accurate_pass(workspace, session.id, actor=CANDIDATE)
        ) and current.status is not JobStatus.DONE:
            assert current.status is not JobStatus.FAILED, current.reason
            assert time.monotonic() < deadline, "the worker never finished the accurate pass"
            time.sleep(0.05)
    assert current is not None and current.attempts == 1 and current.progress == 1.0
    assert current.reason.startswith("Re-transcribed 1 recording(s) with base")
    assert (
        "cache in front of the database"
        in " ".join(e.text for e in list_transcript(workspace, session.id, actor=CANDIDATE)).lower()
    )


def test_an_interview_without_recordings_needs_no_accurate_pass(workspace: Workspace) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    start_interview(workspace, session.id, actor=CANDIDATE)
    assert start_accurate_pass(workspace, session.id, actor=CANDIDATE) is None
    with workspace.uow_factory() as uow:
        assert uow.jobs.latest() == []
