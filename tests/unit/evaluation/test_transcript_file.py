from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.config import Settings
from core.errors import ContentError, WorkspaceError
from core.evaluation.transcript_file import evaluate_transcript_file, find_problem, read_transcript_file
from entry.cli import main

STRONG = [
    "How many new links are created per day?",
    "At 100 million links a day that is about 1,200 writes per second, so 500 bytes each is 50 GB a day.",
    "A load balancer spreads requests over stateless app servers because they scale horizontally.",
    "We cache hot links in Redis since 20% of links take most reads, at the cost of some memory.",
    "If a database node fails we fail over to a replica, and writes retry with an idempotency key.",
]


def write(tmp_path: Path, payload: object) -> Path:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(payload) if not isinstance(payload, str) else payload, encoding="utf-8")
    return path


def transcript(lines: list[str], problem: str = "url_shortener") -> dict[str, object]:
    entries = []
    for i, text in enumerate(lines):
        entries.append({"speaker": "interviewer", "text": "Go on.", "start": i * 20.0, "end": i * 20.0 + 2})
        entries.append({"speaker": "candidate", "text": text, "start": i * 20.0 + 3, "end": i * 20.0 + 15})
    return {"problem": problem, "entries": entries}


def test_reading_reports_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not valid JSON"):
        read_transcript_file(write(tmp_path, "{oops"))
    with pytest.raises(WorkspaceError, match=r"entries\.0\.speaker"):
        read_transcript_file(write(tmp_path, {"entries": [{"speaker": "bot", "text": "x", "start": 0, "end": 1}]}))
    with pytest.raises(WorkspaceError, match="Cannot read"):
        read_transcript_file(tmp_path / "missing.json")


def test_problems_are_found_by_id_or_title() -> None:
    settings = Settings()
    assert find_problem(settings, "url_shortener") is not None
    assert find_problem(settings, "design a url shortener") is not None
    assert find_problem(settings, "something else entirely") is None


def test_evaluating_a_file_rewards_reasoning_and_does_not_score_a_few_words(tmp_path: Path) -> None:
    settings = Settings()
    strong = evaluate_transcript_file(write(tmp_path, transcript(STRONG)), settings)
    weak_path = tmp_path / "weak.json"
    weak_path.write_text(json.dumps(transcript(["Redis, Kafka, Cassandra.", "Load balancer, cache."])))
    weak = evaluate_transcript_file(weak_path, settings)
    assert strong.overall_score is not None
    assert weak.overall_score is None and "Not enough to judge" in weak.notes[0]
    with pytest.raises(ContentError, match="No rubric"):
        evaluate_transcript_file(weak_path, settings, rubric_id="sales_call")


def test_the_cli_prints_evaluation_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(write(tmp_path, transcript(STRONG)))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 1.0 <= out["overall_score"] <= 5.0
    assert len(out["competencies"]) == 8
    assert main(["evaluate", str(tmp_path / "missing.json")]) == 2
    assert "Cannot read" in capsys.readouterr().err
