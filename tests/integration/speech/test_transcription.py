"""Speech to text with the real offline models on speech spoken by espeak-ng.

Each model is loaded once per test run (the module cache in core.speech.transcription); the spoken
sentences are generated once per run. Without espeak-ng these tests are skipped, except on
CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from core.config import Settings
from core.errors import ConsentRequired, NotFound
from core.interview.services import create_interview
from core.media.consent import give_consent
from core.permissions.actor import Actor
from core.speech.audio import SAMPLE_RATE, AudioError, load_audio
from core.speech.engines import models_dir
from core.speech.recordings import format_segments, recognition_vocabulary, transcribe_file, transcribe_recording
from core.speech.transcription import (
    WhisperTranscriber,
    accurate_transcriber,
    ensure_base_model,
    live_transcriber,
    vocabulary_prompt,
)
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE

SENTENCES = [
    "We put a cache in front of the database to serve hot reads.",
    "When one machine is not enough, we shard the database by user id.",
]


def espeak(text: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    return path


@pytest.fixture(scope="session")
def espeak_available() -> None:
    if shutil.which("espeak-ng") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is required on CI for the transcription tests")
        pytest.skip("espeak-ng is not installed")


@pytest.fixture(scope="session")
def speech_dir(espeak_available: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def speech_wav(speech_dir: Path) -> Path:
    """Two sentences with a 1.5 s pause between them, as one 16-bit WAV (22.05 kHz, like espeak's)."""
    parts = [load_audio(espeak(s, speech_dir / f"s{i}.wav")) for i, s in enumerate(SENTENCES)]
    audio = np.concatenate([np.zeros(SAMPLE_RATE // 2), parts[0], np.zeros(int(1.5 * SAMPLE_RATE)), parts[1]])
    path = speech_dir / "two_sentences.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture(scope="session")
def speech(speech_wav: Path) -> np.ndarray:
    return load_audio(speech_wav)


@pytest.fixture(scope="session")
def live() -> WhisperTranscriber:
    return live_transcriber()


@pytest.fixture(scope="session")
def accurate(shared_models_dir: Path) -> WhisperTranscriber:
    # Assembled here even if another test loaded the (process-wide) base model from elsewhere first.
    ensure_base_model(shared_models_dir)
    return accurate_transcriber(shared_models_dir)


def words(segments: list) -> str:
    return " ".join(s.text for s in segments).lower()


@pytest.mark.parametrize("tier", ["live", "accurate"])
def test_both_tiers_hear_the_system_design_words(tier: str, request: pytest.FixtureRequest, speech: np.ndarray) -> None:
    transcriber: WhisperTranscriber = request.getfixturevalue(tier)
    progress: list[float] = []
    segments = transcriber.transcribe(speech, vocabulary=["cache", "shard", "database"], progress=progress.append)
    text = words(segments)
    for word in ("cache", "database", "shard"):
        assert word in text, text
    if tier == "live":  # live audio is cut at pauses; a whole recording is segmented by Whisper itself
        assert len(segments) >= 2  # the pause between the sentences cuts them
        assert segments[0].start >= 0.3  # the leading half second of silence is skipped
    assert [s.start for s in segments] == sorted(s.start for s in segments)
    assert all(s.start < s.end for s in segments)
    assert segments[-1].end <= len(speech) / SAMPLE_RATE + 0.05
    assert progress and progress[-1] == 1.0 and progress == sorted(progress)


def test_silence_gives_no_segments(live: WhisperTranscriber, accurate: WhisperTranscriber) -> None:
    quiet = np.zeros(5 * SAMPLE_RATE, dtype=np.float32)
    assert live.transcribe(quiet) == []
    assert accurate.transcribe(quiet) == []
    hiss = (0.003 * np.random.default_rng(1).standard_normal(5 * SAMPLE_RATE)).astype(np.float32)
    assert live.transcribe(hiss) == []


def test_models_are_loaded_once(live: WhisperTranscriber, accurate: WhisperTranscriber, tmp_path: Path) -> None:
    assert live_transcriber() is live
    assert accurate_transcriber(tmp_path / "elsewhere") is accurate  # one base model per process
    assert (live.name, accurate.name) == ("tiny.en", "base")


def test_base_model_is_assembled_once_and_checked(shared_models_dir: Path, accurate: WhisperTranscriber) -> None:
    model = shared_models_dir / "model.bin"
    stamp = model.stat().st_mtime_ns
    assert ensure_base_model(shared_models_dir) == shared_models_dir
    assert model.stat().st_mtime_ns == stamp  # not rebuilt
    assert {p.name for p in shared_models_dir.iterdir()} == {
        "model.bin",
        "config.json",
        "tokenizer.json",
        "vocabulary.json",
    }


def test_a_truncated_model_bin_is_rebuilt(tmp_path: Path) -> None:
    folder = tmp_path / "whisper-base"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"partial")
    ensure_base_model(folder)
    assert (folder / "model.bin").stat().st_size == 145_217_607
    assert not list(folder.glob(".*.tmp"))


def test_vocabulary_prompt_is_a_short_sentence() -> None:
    prompt, hotwords = vocabulary_prompt(["cache", "Cache", " sharding ", "", "load balancer"])
    assert prompt == "A system design interview about cache, sharding, load balancer."
    assert hotwords == "cache, sharding, load balancer"
    assert vocabulary_prompt([]) == (None, None)
    long_prompt, _ = vocabulary_prompt([f"term{i}" for i in range(500)])
    assert long_prompt is not None and len(long_prompt) < 460


def test_unreadable_file_raises_audio_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("not a recording")
    with pytest.raises(AudioError):
        load_audio(bad)


@pytest.fixture
def workspace(tmp_path: Path, shared_models_dir: Path) -> Workspace:
    ws = build_workspace(Settings(runtime_dir=tmp_path / "runtime"))
    return ws


def test_transcribe_recording_stores_entries_media_and_audit(
    workspace: Workspace, speech_wav: Path, accurate: WhisperTranscriber
) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    progress: list[float] = []
    entries = transcribe_recording(
        workspace,
        session.id,
        filename="../my talk.wav",
        data=speech_wav.read_bytes(),
        progress=progress.append,
        transcriber=accurate,  # the accurate tier, already loaded for this test run,
        actor=CANDIDATE,
    )
    assert entries and all(e.id is not None for e in entries)
    heard = " ".join(e.text for e in entries).lower()
    assert "database" in heard and "shard" in heard, heard
    with workspace.uow_factory() as uow:
        stored = uow.transcripts.in_session(session.id)
        media = uow.media.in_session(session.id)
        audit = [a for a in uow.audit.latest(session_id=session.id) if a.action == "recording_transcribed"]
    assert [(e.speaker, e.source) for e in stored] == [("candidate", "upload")] * len(entries)
    assert [e.text for e in stored] == [e.text for e in entries]
    assert len(media) == 1 and media[0].kind == "audio" and media[0].content_type == "audio/wav"
    assert media[0].path.startswith(f"sessions/{session.id}/upload-") and media[0].path.endswith("my_talk.wav")
    assert workspace.files.read(media[0].path) == speech_wav.read_bytes()
    assert len(audit) == 1 and audit[0].detail["model"] == "base"
    assert progress[-1] == 1.0


def test_transcribe_recording_refuses_bad_uploads_before_storing(workspace: Workspace) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    give_consent(workspace, session.id, ["audio"], actor=Actor.workspace("candidate"))
    with pytest.raises(AudioError, match="could not read"):
        transcribe_recording(workspace, session.id, filename="x.mp3", data=b"garbage" * 100, actor=CANDIDATE)
    with pytest.raises(AudioError, match="empty"):
        transcribe_recording(workspace, session.id, filename="x.wav", data=b"", actor=CANDIDATE)
    with pytest.raises(NotFound):
        transcribe_recording(workspace, "no-such-session", filename="x.wav", data=b"RIFF", actor=CANDIDATE)
    with workspace.uow_factory() as uow:
        assert uow.media.in_session(session.id) == []
        assert uow.transcripts.in_session(session.id) == []
    assert not workspace.files.session_dir(session.id).exists()


def test_no_recording_is_stored_without_consent(workspace: Workspace, speech_wav: Path) -> None:
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    give_consent(workspace, session.id, ["camera", "screen"], actor=Actor.workspace("candidate"))  # not audio
    with pytest.raises(ConsentRequired, match="microphone"):
        transcribe_recording(workspace, session.id, filename="x.wav", data=speech_wav.read_bytes(), actor=CANDIDATE)
    with workspace.uow_factory() as uow:
        assert uow.media.in_session(session.id) == [] and uow.transcripts.in_session(session.id) == []
    assert not workspace.files.session_dir(session.id).exists()


def test_transcribe_recording_refuses_huge_uploads(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    import core.speech.recordings

    monkeypatch.setattr(core.speech.recordings, "MAX_UPLOAD_BYTES", 1000)
    session = create_interview(workspace, problem_id="rate_limiter", actor=CANDIDATE)
    with pytest.raises(AudioError, match="too large"):
        transcribe_recording(workspace, session.id, filename="x.wav", data=b"\0" * 2000, actor=CANDIDATE)


def test_transcribe_file_for_the_cli(speech_wav: Path, accurate: WhisperTranscriber, tmp_path: Path) -> None:
    settings = Settings(runtime_dir=tmp_path / "runtime")
    segments = transcribe_file(speech_wav, settings=settings, problem_id="rate_limiter", accurate=True)
    assert "database" in words(segments)
    payload = json.loads(format_segments(segments, problem_id="rate_limiter", as_json=True))
    assert payload["problem"] == "rate_limiter"
    assert payload["entries"][0].keys() == {"speaker", "text", "start", "end"}
    assert payload["entries"][0]["speaker"] == "candidate"
    assert format_segments(segments).count("\n") == len(segments) - 1
    assert models_dir(settings) == settings.runtime_path / "models" / "whisper-base"


def test_recognition_vocabulary_takes_the_problems_and_the_rubrics_terms_in_turn(workspace: Workspace) -> None:
    problem = workspace.problems.get("ride_matching")
    rubric = workspace.rubrics.get("system_design")
    terms = recognition_vocabulary(problem, rubric)
    assert terms[:4] == [problem.vocabulary[0], rubric.vocabulary[0], problem.vocabulary[1], rubric.vocabulary[1]]
    assert len(terms) == len(set(terms)) and set(terms) == set(problem.vocabulary) | set(rubric.vocabulary)
    prompt, _ = vocabulary_prompt(terms)
    assert prompt is not None and "quadtree" in prompt and "shard" in prompt  # both kinds fit the prompt
    assert recognition_vocabulary(None, None) == []
