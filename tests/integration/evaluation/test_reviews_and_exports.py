"""Reviewer overrides and the report/session exports over real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.config import Settings
from core.errors import SessionClosed
from core.evaluation.report import load_report
from core.evaluation.report_export import report_markdown, report_pdf
from core.evaluation.reviews import InvalidOverride, override_score, session_scores
from core.history.session_export import session_zip, zip_name
from core.interview.services import create_interview, end_interview, send_message, start_interview
from core.models import Level, MediaFile, TranscriptEntry, WhiteboardSnapshot
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import ADMIN, CANDIDATE
from tests.unit.evaluation.test_offline_evaluator import STRONG

BOARD = {
    "objects": [
        {"type": "Rect", "left": 10, "top": 10, "width": 120, "height": 60},
        {"type": "IText", "left": 70, "top": 40, "text": "Redis cache"},
        {"type": "Rect", "left": 300, "top": 10, "width": 120, "height": 60},
        {"type": "IText", "left": 360, "top": 40, "text": "Cassandra"},
    ]
}
PNG = b"\x89PNG\r\n\x1a\nnot-really-an-image"
SPOKEN = "We shard the links by a hash of the code so each node gets an even share of the traffic."


@pytest.fixture
def ws(database_url: str, tmp_path: Path) -> Workspace:
    return build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path / "runtime"))


def completed(ws: Workspace, lines: list[str]) -> str:
    session = create_interview(ws, problem_id="url_shortener", level=Level.MID, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    for line in lines:
        send_message(ws, session.id, line, actor=CANDIDATE)
    with ws.uow_factory() as uow:
        uow.transcripts.add(TranscriptEntry(session.id, "candidate", SPOKEN, 30.0, 36.0, source="mic"))
        png_path = ws.files.save(session.id, "whiteboard-1.png", PNG)
        uow.whiteboards.add(WhiteboardSnapshot(session.id, png_path, BOARD))
        frame = ws.files.save(session.id, "screen-1.png", PNG)
        uow.media.add(MediaFile(session.id, "screen", frame, len(PNG), "image/png", offset_seconds=5.0))
        uow.media.add(MediaFile(session.id, "video", f"sessions/{session.id}/gone.mp4", 10, "video/mp4"))
        uow.commit()
    end_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def test_overrides_are_stored_with_the_original_and_audited(ws: Workspace) -> None:
    session_id = completed(ws, STRONG[:8])
    scores = session_scores(ws, session_id, actor=ADMIN)
    assert scores is not None and scores.overall is not None
    original = scores.get("reliability").original
    override_score(
        ws,
        session_id,
        "reliability",
        4.5,
        "Failover was covered in the whiteboard notes.",
        actor=Actor.workspace("Ana"),
    )
    with pytest.raises(InvalidOverride):
        override_score(ws, session_id, "reliability", 9.0, "Out of range.", actor=Actor.workspace("Ana"))

    after = session_scores(ws, session_id, actor=ADMIN)
    assert after is not None
    row = after.get("reliability")
    assert (row.original, row.score) == (original, 4.5)
    assert row.override is not None and row.override.justification.startswith("Failover")
    assert after.original_overall == scores.overall and after.overall != scores.overall
    with ws.uow_factory() as uow:
        evaluation = uow.evaluations.for_session(session_id)
        audit = [e for e in uow.audit.latest(session_id=session_id) if e.action == "score_overridden"]
    assert evaluation is not None and evaluation.overall_score == scores.overall  # the evaluation is untouched
    assert len(audit) == 1 and audit[0].actor == "Ana" and audit[0].detail["new_score"] == 4.5


def test_open_interviews_refuse_overrides(ws: Workspace) -> None:
    session = create_interview(ws, problem_id="url_shortener", level=Level.MID, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    with pytest.raises(SessionClosed):
        override_score(ws, session.id, "reliability", 4.0, "Too early.", actor=Actor.workspace("Ana"))


def test_an_unscored_evaluation_is_stored_with_no_overall(ws: Workspace) -> None:
    session_id = completed(ws, ["I'd use a cache."])
    report = load_report(ws, session_id, actor=CANDIDATE)
    assert not report.scored and report.scores.overall is None
    assert all(c.score is None for c in report.evaluation.competencies)
    markdown = report_markdown(report)
    assert "Not enough to judge" in markdown and "Overall score: not scored" in markdown
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(report_pdf(report))).pages)
    assert "Not enough to judge" in pdf_text and report.problem.title in pdf_text


def test_the_report_shows_modes_evidence_and_overrides(ws: Workspace) -> None:
    session_id = completed(ws, STRONG)
    override_score(
        ws, session_id, "communication", 2.5, "Talked over the interviewer twice.", actor=Actor.workspace("Ana")
    )
    report = load_report(ws, session_id, actor=CANDIDATE)
    modes = report.modes
    assert (modes.typed_answers, modes.spoken_answers, modes.whiteboard_snapshots) == (len(STRONG), 1, 1)
    assert (modes.screen_frames, modes.camera_recordings) == (1, 1)
    assert set(modes.labels()) == {"chat", "speech", "whiteboard", "screen share", "camera"}
    assert any(line.text == SPOKEN for line in report.lines_near(33.0))
    assert report.whiteboard_summary
    drawn = [e.quote for c in report.evaluation.competencies for e in c.evidence if e.source == "whiteboard"]
    assert "Whiteboard: Redis cache (not connected to anything)" in drawn  # the evaluator scored and cited the board
    assert report.whiteboard_evidence == {}  # so the report adds no second, label-only list

    markdown = report_markdown(report)
    assert f"# Evaluation — {report.problem.title}" in markdown
    for c in report.scores.competencies:
        assert f"| {c.name} | {c.score:.1f} |" in markdown  # type: ignore[str-format]
    assert "Talked over the interviewer twice." in markdown and "-> 2.5" in markdown
    evidence = next(e for c in report.evaluation.competencies for e in c.evidence if e.at_seconds is not None)
    assert evidence.at_seconds is not None
    minutes, seconds = divmod(int(evidence.at_seconds), 60)
    assert f"> [{minutes:02d}:{seconds:02d}]" in markdown
    assert "Typed vs spoken" in markdown and "Screen share | 1 frame(s)" in markdown
    assert "- Whiteboard: Redis cache (not connected to anything)" in markdown
    assert "Whiteboard | 1 snapshot(s); the last one shows 2 component(s), 0 connection(s)" in markdown

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(report_pdf(report))).pages)
    assert report.problem.title in text
    assert "Back-of-the-envelope estimation" in text and "Communication" in text


def test_the_session_zip_holds_the_whole_interview(ws: Workspace) -> None:
    session_id = completed(ws, STRONG[:10])
    override_score(ws, session_id, "estimation", 3.5, "Checked the arithmetic.", actor=Actor.workspace("Ana"))
    archive = zipfile.ZipFile(io.BytesIO(session_zip(ws, session_id, actor=CANDIDATE)))
    assert archive.testzip() is None
    names = set(archive.namelist())
    assert {
        "session.json",
        "chat.json",
        "transcript.json",
        "transcript.txt",
        "transcript.srt",
        "evaluation.json",
        "report.md",
        "report.pdf",
        "whiteboard/001.json",
        "whiteboard/001.png",
        "media/manifest.json",
        "media/screen/screen-1.png",
    } <= names

    chat = json.loads(archive.read("chat.json"))
    assert [m["content"] for m in chat if m["role"] == "candidate"] == STRONG[:10]
    assert json.loads(archive.read("session.json"))["session"]["id"] == session_id
    transcript = json.loads(archive.read("transcript.json"))
    said = [e["text"] for e in transcript["entries"] if e["speaker"] == "candidate"]
    assert said == [*STRONG[:10], SPOKEN]  # typed in the chat, then said (at 0:30), as the transcript panel shows
    assert SPOKEN in archive.read("transcript.txt").decode() and "-->" in archive.read("transcript.srt").decode()
    evaluation = json.loads(archive.read("evaluation.json"))
    assert evaluation["effective_scores"]["estimation"] == 3.5
    assert evaluation["overrides"][0]["justification"] == "Checked the arithmetic."
    assert evaluation["evaluation"]["session_id"] == session_id
    assert json.loads(archive.read("whiteboard/001.json")) == BOARD
    assert archive.read("whiteboard/001.png") == PNG
    manifest = json.loads(archive.read("media/manifest.json"))
    assert [(m["kind"], m["file"] is not None) for m in manifest] == [("screen", True), ("video", False)]
    assert "missing" in manifest[1]["left_out"]
    assert "Back-of-the-envelope estimation" in archive.read("report.md").decode()
    assert PdfReader(io.BytesIO(archive.read("report.pdf"))).pages
    assert zip_name(ws, session_id, actor=CANDIDATE).startswith("interview-url_shortener-")


def test_a_typed_interview_exports_its_chat_as_the_transcript(ws: Workspace) -> None:
    session = create_interview(ws, problem_id="url_shortener", level=Level.MID, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    send_message(ws, session.id, STRONG[0], actor=CANDIDATE)
    archive = zipfile.ZipFile(io.BytesIO(session_zip(ws, session.id, max_media_bytes=0, actor=CANDIDATE)))
    assert "evaluation.json" not in archive.namelist()  # still going: no evaluation yet
    assert STRONG[0] in archive.read("transcript.txt").decode()
