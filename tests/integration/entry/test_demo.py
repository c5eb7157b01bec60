from __future__ import annotations

from pathlib import Path

from core.config import Settings
from core.interview.services import get_interview, list_history
from core.models import SessionStatus
from entry.bootstrap import build_workspace
from entry.demo import SCRIPTS, fill_demo
from tests.actors import CANDIDATE


def test_demo_fills_an_empty_database_once(database_url: str, tmp_path: Path) -> None:
    ws = build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path))
    assert fill_demo(ws) == len(SCRIPTS)
    assert fill_demo(ws) == 0

    summaries, total = list_history(ws)
    assert total == len(SCRIPTS)
    assert [s.created_at for s in summaries] == sorted((s.created_at for s in summaries), reverse=True)
    completed = [s for s in summaries if s.status is SessionStatus.COMPLETED]
    assert all(s.overall_score is not None and s.duration_seconds > 0 for s in completed)
    paused = [s for s in summaries if s.status is SessionStatus.PAUSED]
    assert len(paused) == 1
    view = get_interview(ws, paused[0].id, actor=CANDIDATE)
    assert view.evaluation is None and len(view.messages) >= 3
