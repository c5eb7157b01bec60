"""Uploads the Setup page must refuse with a clear sentence, storing nothing and breaking nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import AppFactory, assert_clean, button, page_title


def text_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf("Jordan Lee\nSenior payments engineer"))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64

BAD_UPLOADS = [
    pytest.param(
        "resume.pdf",
        b"%PDF-1.4\n..garbage",
        "resume.pdf could not be read: the file seems damaged.",
        None,
        id="corrupt-pdf",
    ),
    pytest.param(
        "locked.pdf",
        encrypted_pdf(),
        "locked.pdf is password-protected, so its text cannot be read.",
        None,
        id="encrypted-pdf",
    ),
    pytest.param(
        "long.txt",
        b"Jordan Lee\n" + b"Built payment systems for years. " * 100,
        "long.txt is 3.2 KB, which is over the 1 KB limit for resumes.",
        "0.001",
        id="oversized",
    ),
    pytest.param(
        "photo.pdf",
        PNG,
        "photo.pdf looks like a PNG image, not a PDF or text file.",
        None,
        id="png-renamed-pdf",
    ),
]


@pytest.mark.parametrize(("filename", "data", "message", "max_mb"), BAD_UPLOADS)
def test_a_bad_upload_shows_an_error_and_stores_nothing(
    new_app: AppFactory,
    app_env: pytest.MonkeyPatch,
    runtime_dir: Path,
    filename: str,
    data: bytes,
    message: str,
    max_mb: str | None,
) -> None:
    if max_mb is not None:
        app_env.setenv("IW_RESUME_MAX_MB", max_mb)
    at = new_app().run()
    assert_clean(at)

    at.file_uploader(key="setup_resume").set_value((filename, data, "application/pdf")).run()
    assert_clean(at)
    assert len(at.error) == 1
    error = at.error[0].value
    assert error.startswith(message), error
    assert error.endswith(".") and "Traceback" not in error and "Error:" not in error
    assert not at.metric, "no profile is shown for a refused file"
    assert "candidate_id" not in at.session_state
    assert not (runtime_dir / "candidates").exists()

    # Setup still works: a rerun keeps the message, removing the file clears it.
    at.run()
    assert [e.value for e in at.error] == [error]
    at.file_uploader(key="setup_resume").set_value(None).run()
    assert_clean(at)
    assert not at.error
    assert at.text_input(key="setup_name").label == "No resume at hand? Your name"

    # … and the interview starts without a resume.
    button(at, "Start interview").click().run()
    assert_clean(at)
    assert page_title(at) != "Set up a practice interview"
    assert any(c.value.startswith("Candidate · mid · ") for c in at.caption)
    assert [m.name for m in at.chat_message] == ["interviewer"]
    assert not (runtime_dir / "candidates").exists()


def test_a_good_upload_after_a_bad_one_clears_the_error(app: AppTest) -> None:
    uploader = app.file_uploader(key="setup_resume")
    uploader.set_value(("resume.pdf", b"%PDF-1.4\n..garbage", "application/pdf")).run()
    assert app.error
    resume = text_pdf("Priya Nair\npriya@example.com\nStaff engineer, 12 years of experience in payments.")
    app.file_uploader(key="setup_resume").set_value(("priya.pdf", resume, "application/pdf")).run()
    assert_clean(app)
    assert not app.error
    assert {m.label: m.value for m in app.metric}["Name"] == "Priya Nair"


@pytest.mark.parametrize(("max_mb", "page_says", "uploader_takes"), [(None, "5", 5), ("2.5", "2.5", 3)])
def test_the_uploader_refuses_what_the_page_says_is_too_large(
    new_app: AppFactory, app_env: pytest.MonkeyPatch, max_mb: str | None, page_says: str, uploader_takes: int
) -> None:
    """The browser refuses a file over the uploader's limit before sending it (and says so); the page's
    text names the same limit, not the server's (room for interview recordings)."""
    if max_mb is not None:
        app_env.setenv("IW_RESUME_MAX_MB", max_mb)
    at = new_app().run()
    assert_clean(at)
    uploader = at.file_uploader(key="setup_resume")
    assert f"(up to {page_says} MB)" in uploader.label
    assert uploader.proto.max_upload_size_mb == uploader_takes  # whole MB: a file in between gets the message above
