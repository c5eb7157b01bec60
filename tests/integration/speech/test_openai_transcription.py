"""OpenAITranscriber with the real openai SDK against a loopback fake of /v1/audio/transcriptions.

The speech is two sentences spoken by espeak-ng with silence around and between them, so Silero
finds two stretches of speech; without espeak-ng these tests are skipped, except on CI (CI=true),
where that is a failure.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import socket
import subprocess
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from core.config import ProviderSettings, Settings, TranscriptionSettings
from core.llm.chat_models import MAX_ATTEMPTS, ChatError
from core.speech.audio import SAMPLE_RATE, AudioError, load_audio
from core.speech.engines import transcriber_for
from core.speech.openai_transcription import GAP_S, OpenAITranscriber
from core.speech.segmentation import MAX_SPAN_S, Span, silero_spans
from core.speech.transcription import Segment, vocabulary_prompt
from tests.llm_fakes import Disconnect, Error, OpenAIServer, Reply
from tests.llm_fakes.openai_server import Transcript

KEY = "sk-test-fake-STT"
WRONG_KEY = "sk-wrong-fake-STT"
SENTENCES = [
    "We put a cache in front of the database to serve hot reads.",
    "When one machine is not enough, we shard the database by user id.",
]
VOCABULARY = ["cache", "shard", "database"]

Connect = Callable[..., OpenAITranscriber]


@pytest.fixture(autouse=True)
def keys_never_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    for key in (KEY, WRONG_KEY):
        assert key not in caplog.text


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """1 s of silence, a sentence, 2 s of silence, a sentence, 0.5 s of silence: 16 kHz mono float32."""
    if shutil.which("espeak-ng") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is required on CI for the transcription tests")
        pytest.skip("espeak-ng is not installed")
    folder = tmp_path_factory.mktemp("openai-speech")
    parts = []
    for i, sentence in enumerate(SENTENCES):
        path = folder / f"s{i}.wav"
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), sentence], check=True, capture_output=True)
        parts.append(load_audio(path))
    silence = [np.zeros(int(s * SAMPLE_RATE), dtype=np.float32) for s in (1.0, 2.0, 0.5)]
    return np.concatenate([silence[0], parts[0], silence[1], parts[1], silence[2]]).astype(np.float32)


@pytest.fixture(scope="module")
def spans(speech: np.ndarray) -> list[Span]:
    """Where the transcriber will find speech (the same VAD call it makes)."""
    found = silero_spans(speech, max_span_s=MAX_SPAN_S)
    assert len(found) == 2, found  # one stretch a sentence
    return found


def seconds_of(span: Span, audio: np.ndarray) -> float:
    """How long a stretch lasts in the uploaded file (whole samples)."""
    return len(span.slice(audio)) / SAMPLE_RATE


@pytest.fixture(scope="module")
def shared_server() -> Iterator[OpenAIServer]:
    with OpenAIServer(api_key=KEY, models=["whisper-1", "gpt-4o-transcribe", "whisper-transcribe-test"]) as fake:
        yield fake


@pytest.fixture
def server(shared_server: OpenAIServer) -> OpenAIServer:
    shared_server.reset()
    return shared_server


@pytest.fixture
def connect(server: OpenAIServer) -> Iterator[Connect]:
    made: list[OpenAITranscriber] = []

    def connect(
        model: str = "whisper-1", *, api_key: str | None = KEY, base_url: str | None = None, **kwargs: object
    ) -> OpenAITranscriber:
        transcriber = OpenAITranscriber(
            model, api_key=api_key, base_url=base_url or server.base_url, timeout=2.0, **kwargs
        )
        made.append(transcriber)
        return transcriber

    yield connect
    for transcriber in made:
        transcriber.close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def read_wav(data: bytes) -> tuple[int, int, int, float]:
    with wave.open(io.BytesIO(data), "rb") as wav:
        return wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes() / wav.getframerate()


def assert_near(segment: Segment, start: float, end: float, text: str) -> None:
    assert segment.text == text
    assert segment.start == pytest.approx(start, abs=0.011)
    assert segment.end == pytest.approx(end, abs=0.011)


# -- speech, segments and what is sent ---------------------------------------------------------


def test_only_speech_is_sent_and_segments_land_where_it_was_said(
    server: OpenAIServer, connect: Connect, speech: np.ndarray, spans: list[Span]
) -> None:
    first, second = (seconds_of(s, speech) for s in spans)
    # Times in the uploaded file: the first stretch, GAP_S of silence, the second.
    server.script(
        Transcript(segments=[(0.0, first, SENTENCES[0]), (first + GAP_S, first + GAP_S + second, SENTENCES[1])])
    )
    progress: list[float] = []

    segments = connect().transcribe(speech, vocabulary=VOCABULARY, progress=progress.append)

    assert len(segments) == 2
    for segment, span, sentence in zip(segments, spans, SENTENCES, strict=True):
        assert_near(segment, span.start, span.end, sentence)
    assert segments[0].start > 0.5, "the leading second of silence is not part of the first line"
    assert progress and progress[-1] == 1.0 and progress == sorted(progress)

    (request,) = server.requests
    assert request.path == "/v1/audio/transcriptions"
    assert request.body["model"] == "whisper-1"
    assert request.body["language"] == "en"
    assert request.body["response_format"] == "verbose_json"
    assert request.body["prompt"] == vocabulary_prompt(VOCABULARY)[0]
    assert request.body["file"]["filename"] == "audio.wav"
    assert request.body["file"]["content_type"] == "audio/wav"
    channels, width, rate, duration = read_wav(server.uploads[0])
    assert (channels, width, rate) == (1, 2, SAMPLE_RATE)
    assert duration == pytest.approx(first + GAP_S + second, abs=0.001)
    assert duration < len(speech) / SAMPLE_RATE - 3.0, "the 3.5 s of silence stay on this machine"


def test_no_vocabulary_sends_no_prompt(server: OpenAIServer, connect: Connect, speech: np.ndarray) -> None:
    server.script(Reply(text="Something was said."))
    assert [s.text for s in connect().transcribe(speech)] == ["Something was said."]
    assert "prompt" not in server.requests[0].body


def test_segments_whisper_marks_as_not_speech_are_dropped(
    server: OpenAIServer, connect: Connect, speech: np.ndarray
) -> None:
    server.script(Transcript(segments=[(0.0, 1.0, "We put a cache."), (1.0, 2.0, "Thanks for watching!")], silent=[1]))
    assert [s.text for s in connect().transcribe(speech)] == ["We put a cache."]


def test_silence_sends_no_request_and_gives_nothing(server: OpenAIServer, connect: Connect) -> None:
    transcriber = connect()
    hiss = (0.003 * np.random.default_rng(1).standard_normal(5 * SAMPLE_RATE)).astype(np.float32)
    for audio in (np.zeros(5 * SAMPLE_RATE, dtype=np.float32), hiss, np.zeros(0, dtype=np.float32)):
        progress: list[float] = []
        assert transcriber.transcribe(audio, vocabulary=VOCABULARY, progress=progress.append) == []
        assert progress == [1.0]
    assert server.requests == []


def test_a_json_only_model_gives_one_line_for_its_request(
    server: OpenAIServer, connect: Connect, speech: np.ndarray, spans: list[Span]
) -> None:
    server.script(Reply(text=" ".join(SENTENCES)))
    (segment,) = connect("gpt-4o-transcribe").transcribe(speech, vocabulary=VOCABULARY)
    assert_near(segment, spans[0].start, spans[-1].end, " ".join(SENTENCES))
    (request,) = server.requests
    assert request.body["response_format"] == "json"
    assert request.body["prompt"] == vocabulary_prompt(VOCABULARY)[0]


def test_a_model_that_refuses_verbose_json_is_asked_again_for_json(
    server: OpenAIServer, connect: Connect, speech: np.ndarray
) -> None:
    transcriber = connect("whisper-transcribe-test")  # a Whisper name, but the server gives it json only
    server.script(Reply(text="First."), Reply(text="Second."))
    assert [s.text for s in transcriber.transcribe(speech)] == ["First."]
    assert [s.text for s in transcriber.transcribe(speech)] == ["Second."]
    assert [r.body["response_format"] for r in server.requests] == ["verbose_json", "json", "json"]


def test_audio_over_the_size_limit_is_sent_in_several_requests(
    server: OpenAIServer, connect: Connect, speech: np.ndarray, spans: list[Span], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (seconds_of(s, speech) for s in spans)
    limit = 44 + int((max(first, second) + 0.2) * SAMPLE_RATE * 2)  # one sentence fits, both do not
    monkeypatch.setattr(server, "max_upload_bytes", limit + 2000)  # the rest of the form is small
    server.script(Transcript(segments=[(0.0, first, SENTENCES[0])]), Transcript(segments=[(0.0, second, SENTENCES[1])]))
    progress: list[float] = []

    segments = connect(max_request_bytes=limit).transcribe(speech, vocabulary=VOCABULARY, progress=progress.append)

    for segment, span, sentence in zip(segments, spans, SENTENCES, strict=True):
        assert_near(segment, span.start, span.end, sentence)
    assert len(server.requests) == 2
    assert all(len(upload) <= limit for upload in server.uploads)
    assert all(r.body["prompt"] == vocabulary_prompt(VOCABULARY)[0] for r in server.requests)
    assert len(progress) == 2 and 0.3 < progress[0] < 0.7 and progress[1] == 1.0


# -- failures ----------------------------------------------------------------------------------


def test_a_wrong_key_is_a_clear_error_that_never_shows_the_key(
    server: OpenAIServer, connect: Connect, speech: np.ndarray
) -> None:
    with pytest.raises(ChatError) as caught:
        connect(api_key=WRONG_KEY).transcribe(speech)
    error = caught.value
    assert isinstance(error, AudioError)
    assert error.kind == "auth" and not error.transient
    assert str(error) == "Could not transcribe the audio: OpenAI rejected the API key (401). Check it and try again."
    assert WRONG_KEY not in repr(error) and WRONG_KEY[-4:] not in str(error)
    assert len(server.requests) == 1, "a 401 is not retried"


def test_a_rate_limit_is_retried_then_succeeds(server: OpenAIServer, connect: Connect, speech: np.ndarray) -> None:
    server.script(Error(429, retry_after=1, retry_after_ms=5), Reply(text="Made it."))
    started = time.monotonic()
    assert [s.text for s in connect().transcribe(speech)] == ["Made it."]
    assert len(server.requests) == 2
    assert time.monotonic() - started < 0.9, "the SDK waits what retry-after-ms asks"


def test_a_lasting_rate_limit_says_when_to_try_again(
    server: OpenAIServer, connect: Connect, speech: np.ndarray
) -> None:
    server.script(*[Error(429, retry_after_ms=5)] * (MAX_ATTEMPTS - 1), Error(429, retry_after=7))
    with pytest.raises(ChatError) as caught:
        connect().transcribe(speech)
    error = caught.value
    assert error.kind == "rate_limit" and error.transient and error.retry_after == 7
    assert str(error) == (
        "Could not transcribe the audio: OpenAI is rate-limiting this API key (429); try again in 7 seconds."
    )
    assert len(server.requests) == MAX_ATTEMPTS


def test_a_dropped_connection_is_retried(server: OpenAIServer, connect: Connect, speech: np.ndarray) -> None:
    server.script(Disconnect(), Reply(text="Second time lucky."))
    assert [s.text for s in connect().transcribe(speech)] == ["Second time lucky."]
    assert len(server.requests) == 2


def test_a_request_over_the_api_limit_is_a_clear_error(
    server: OpenAIServer, connect: Connect, speech: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "max_upload_bytes", 1000)
    with pytest.raises(ChatError) as caught:
        connect().transcribe(speech)
    assert caught.value.kind == "bad_request"
    assert str(caught.value) == (
        "Could not transcribe the audio: OpenAI refused the audio as too large (413): at most 25 MB can be sent "
        "at once. Try a shorter recording."
    )
    assert len(server.requests) == 1, "a 413 is not retried"


def test_an_unknown_model_names_the_setting(server: OpenAIServer, connect: Connect, speech: np.ndarray) -> None:
    with pytest.raises(ChatError) as caught:
        connect("whisper-9").transcribe(speech)
    assert caught.value.kind == "model"
    assert "OpenAI has no model 'whisper-9'" in str(caught.value)
    assert "IW_TRANSCRIPTION__OPENAI_MODEL" in str(caught.value)


def test_a_closed_port_is_a_network_error_naming_only_the_host(connect: Connect, speech: np.ndarray) -> None:
    url = closed_port_url()
    started = time.monotonic()
    with pytest.raises(ChatError) as caught:
        connect(base_url=url).transcribe(speech)
    host = url.removeprefix("http://").removesuffix("/v1")
    assert caught.value.kind == "network" and caught.value.transient
    assert (
        str(caught.value)
        == f"Could not transcribe the audio: Cannot reach OpenAI at {host}: check the network connection."
    )
    assert time.monotonic() - started < 5.0


def test_no_key_is_an_error_naming_the_variable_before_any_request(server: OpenAIServer) -> None:
    for key in (None, "", "   "):
        with pytest.raises(ChatError) as caught:
            OpenAITranscriber("whisper-1", api_key=key, base_url=server.base_url)
        assert caught.value.kind == "missing_key"
        assert "OPENAI_API_KEY" in str(caught.value)
    assert server.requests == []


# -- choosing the engine -----------------------------------------------------------------------


def settings_with(engine: str, tmp_path: Path, base_url: str = "") -> Settings:
    providers = {**Settings().providers, "openai": ProviderSettings(models=["gpt-test"], base_url=base_url)}
    return Settings(
        runtime_dir=tmp_path / "runtime",
        providers=providers,
        transcription=TranscriptionSettings(engine=engine, openai_model="whisper-1"),  # type: ignore[arg-type]
    )


def test_offline_is_the_engine_unless_openai_is_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)  # a key alone does not send audio anywhere
    settings = settings_with("offline", tmp_path)
    assert transcriber_for(settings, "live").name == "tiny.en"

    asked: list[Path] = []
    monkeypatch.setattr("core.speech.engines.accurate_transcriber", lambda folder: asked.append(folder) or "base")
    assert transcriber_for(settings, "accurate") == "base"  # type: ignore[comparison-overlap]
    assert asked == [settings.runtime_path / "models" / "whisper-base"]

    with pytest.raises(ValueError, match="tier"):
        transcriber_for(settings, "fast")  # type: ignore[arg-type]


@pytest.mark.parametrize("tier", ["live", "accurate"])
def test_openai_serves_both_tiers_when_configured(
    tier: str, server: OpenAIServer, speech: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    transcriber = transcriber_for(settings_with("openai", tmp_path, server.base_url), tier)  # type: ignore[arg-type]
    assert isinstance(transcriber, OpenAITranscriber)
    try:
        assert transcriber.name == "openai:whisper-1"
        server.script(Reply(text="Heard it."))
        assert [s.text for s in transcriber.transcribe(speech)] == ["Heard it."]
    finally:
        transcriber.close()
    assert server.paths() == ["POST /v1/audio/transcriptions"]


def test_a_key_given_to_the_factory_wins_over_the_environment(
    server: OpenAIServer, speech: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", WRONG_KEY)
    transcriber = transcriber_for(settings_with("openai", tmp_path, server.base_url), "live", api_key=KEY)
    assert isinstance(transcriber, OpenAITranscriber)
    try:
        assert [s.text for s in transcriber.transcribe(speech)] == [Reply().text]
    finally:
        transcriber.close()


def test_openai_without_a_key_names_openai_api_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(AudioError) as caught:
        transcriber_for(settings_with("openai", tmp_path), "accurate")
    assert "OPENAI_API_KEY" in str(caught.value)
    assert "IW_TRANSCRIPTION__ENGINE=offline" in str(caught.value)
