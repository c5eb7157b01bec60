from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from core.logs import configure_logging, session_context


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_json_lines_carry_the_session_id_inside_a_session(
    tmp_path: Path, restore_root_logger: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(level="INFO", log_dir=tmp_path)
    log = logging.getLogger("test.logs")
    with session_context("abc123"):
        log.info("message stored", extra={"seq": 3})
    log.info("outside")

    lines = [json.loads(line) for line in (tmp_path / "workspace.log").read_text().splitlines()]
    inside = next(r for r in lines if r["message"] == "message stored")
    outside = next(r for r in lines if r["message"] == "outside")
    assert inside["session_id"] == "abc123" and inside["seq"] == 3 and inside["level"] == "INFO"
    assert outside["session_id"] is None
    assert '"session_id": "abc123"' in capsys.readouterr().err


def test_configuring_twice_does_not_duplicate_lines(tmp_path: Path, restore_root_logger: None) -> None:
    configure_logging(level="INFO", log_dir=tmp_path)
    configure_logging(level="INFO", log_dir=tmp_path)
    logging.getLogger("test.logs").warning("once")
    assert (tmp_path / "workspace.log").read_text().count('"once"') == 1


def test_the_file_rotates(tmp_path: Path, restore_root_logger: None) -> None:
    configure_logging(level="INFO", log_dir=tmp_path, max_bytes=2000, backups=2)
    for i in range(100):
        logging.getLogger("test.logs").info("line %d with some padding to fill the file", i)
    assert (tmp_path / "workspace.log.1").exists()
    assert not (tmp_path / "workspace.log.3").exists()


def test_a_terminal_gets_short_plain_lines_and_only_failures_while_the_file_keeps_the_json(
    tmp_path: Path, restore_root_logger: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(level="WARNING", log_dir=tmp_path, console="plain", console_level="ERROR")
    log = logging.getLogger("test.logs")
    with session_context("abc123"):
        log.warning("openai-compatible chat call failed: %s", "network", extra={"status": None})
        log.error("the evaluation\ncould not be stored")
    log.info("below the level: nowhere")

    assert capsys.readouterr().err == "error: the evaluation could not be stored\n"
    lines = [json.loads(line) for line in (tmp_path / "workspace.log").read_text().splitlines()]
    assert [(r["level"], r["session_id"]) for r in lines] == [("WARNING", "abc123"), ("ERROR", "abc123")]
    assert lines[0]["message"] == "openai-compatible chat call failed: network"
