"""Uploading a recording on the Interview page: it is transcribed into the transcript panel."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import button

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng to speak")


def started_interview(app: AppTest) -> AppTest:
    button(app, "Start interview").click().run()
    assert not app.exception
    button(app, "I agree: record my voice").click().run()  # the recording notice above the upload
    assert not app.exception
    return app


def test_a_spoken_recording_becomes_transcript_lines(app: AppTest, tmp_path: Path) -> None:
    wav = tmp_path / "answer.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "We put a cache in front of the database."], check=True)
    app = started_interview(app)
    app.file_uploader(key="interview_recording").set_value(("answer.wav", wav.read_bytes(), "audio/wav")).run()
    button(app, "Transcribe").click().run()
    assert not app.exception and not app.error
    assert any("lines to the transcript" in s.value for s in app.success)
    assert "cache" in " ".join(m.value for m in app.markdown).lower()


def test_an_unreadable_recording_gets_a_clear_message(app: AppTest) -> None:
    app = started_interview(app)
    app.file_uploader(key="interview_recording").set_value(("answer.wav", b"RIFF not audio at all", "audio/wav")).run()
    button(app, "Transcribe").click().run()
    assert not app.exception
    assert app.error and "could not read" in app.error[0].value
