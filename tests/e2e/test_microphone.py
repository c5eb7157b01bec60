"""Speaking into the microphone: Chromium's fake capture device plays an espeak-ng sentence,
streamlit-webrtc sends it to the server, and the words appear in the live transcript panel.

The fake audio file is fixed per browser launch, so this test launches its own Chromium with
the shared fixture's arguments plus the fake-media flags.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from playwright.sync_api import Browser, expect

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.conftest import screenshot, sign_in, wait_for_app
from tests.e2e.test_interview_flow import RESUME

SENTENCE = "We put a cache in front of the database to serve hot reads."


def fake_capture_wav(directory: Path) -> Path:
    """The sentence (espeak-ng), then 1.5 s of silence, as 48 kHz mono 16-bit WAV (Chrome's safe format)."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is required for the microphone test")
    spoken = directory / "spoken.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(spoken), SENTENCE], check=True, capture_output=True)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
    chunks = []
    with av.open(str(spoken)) as container:
        for frame in container.decode(audio=0):
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
        chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    silence = np.zeros(int(1.5 * 48_000), dtype=np.int16)
    pcm = np.concatenate([silence, *chunks, silence]).astype("<i2")
    path = directory / "fake-mic.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48_000)
        w.writeframes(pcm.tobytes())
    return path


def test_spoken_answer_appears_in_the_transcript(browser: Browser, server_url: str, tmp_path: Path) -> None:
    wav = fake_capture_wav(tmp_path)
    # A second Chromium from the session's Playwright (only one sync Playwright may run per process).
    mic_browser = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
        ],
    )
    try:
        context = mic_browser.new_context(viewport={"width": 1440, "height": 1000})
        context.grant_permissions(["microphone"], origin=server_url)
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, server_url)

        page.goto(server_url)
        wait_for_app(page)
        resume = tmp_path / "sam.txt"
        resume.write_text(RESUME, encoding="utf-8")
        page.locator("input[type=file]").set_input_files(str(resume))
        expect(page.get_by_text("Sam Rivera", exact=True)).to_be_visible()
        wait_for_app(page)
        page.get_by_role("button", name="Start interview").click()
        expect(page).to_have_url(re.compile(r"/interview\?session=[0-9a-f]{32}"))
        wait_for_app(page)

        page.get_by_text("Speak my answers", exact=True).click()
        wait_for_app(page)
        page.get_by_role("button", name="I agree: record my voice").click()  # the recording notice
        wait_for_app(page)
        mic = page.frame_locator("iframe[title*='webrtc']")
        start = mic.get_by_role("button", name="START")
        expect(start).to_be_visible(timeout=30_000)
        start.click()
        expect(mic.get_by_role("button", name="STOP")).to_be_visible(timeout=30_000)
        # the badge (its icon's name, then the label): the recording notices on the page say "recording" too
        expect(page.get_by_text(re.compile(r"Recording$"))).to_be_visible(timeout=30_000)

        # The words appear in the transcript panel, and the answer (ended by the pause) in the chat,
        # with the interviewer's reply after it.
        spoken = page.get_by_text(re.compile(r"put a cache", re.IGNORECASE)).first
        expect(spoken).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Candidate", exact=True).first).to_be_visible()
        chat = page.locator("[data-testid=stChatMessage]")
        answer = chat.filter(has_text=re.compile(r"put a cache", re.IGNORECASE)).first
        expect(answer).to_be_visible(timeout=30_000)
        # the interviewer's reply comes last (it may quote the answer, so it is told apart by its author)
        authors = page.get_by_role("group", name=re.compile(r"^Chat message from "))
        expect(authors.last).to_have_accessible_name("Chat message from interviewer", timeout=30_000)
        wait_for_app(page)
        screenshot(page, "07-microphone")

        # Ending the interview keeps the recording with the session and lists it on the Evaluation page
        # (this once left a blank page when a timed fragment fired during the end; see _finish_interview).
        page.get_by_role("button", name="End interview").click()
        page.get_by_role("button", name="Yes, end it").click()
        # Signed in as a reviewer (the e2e admin), who sees the evaluation at once: no wait for approval.
        # The accurate pass over the recording runs first: on a machine busy with the rest of the suite it can
        # take minutes (test.sh runs two workers on two cores).
        expect(page).to_have_url(re.compile(r"/evaluation\?session="), timeout=200_000)
        expect(page.get_by_role("heading", name="Recordings")).to_be_visible(timeout=30_000)
        expect(page.get_by_text(re.compile(r"mic-.*\.wav"))).to_be_visible()
        expect(page.locator("audio")).to_have_count(1)
        page.get_by_role("heading", name="Recordings").scroll_into_view_if_needed()
        screenshot(page, "08-recordings")
    finally:
        mic_browser.close()
