"""Approval before sharing under AppTest: the Candidate view before and after a reviewer approves in the
Review queue, and the release state and button on the Evaluation page."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.evaluation.release import is_released
from core.evaluation.reviews import session_scores
from core.interview.services import create_interview, end_interview, send_message, start_interview
from core.models import Candidate, Level
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import ADMIN, CANDIDATE
from tests.ui.conftest import AppFactory, assert_clean, button, labels, page_title, rendered_text
from tests.unit.evaluation.test_offline_evaluator import STRONG


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


@pytest.fixture
def session_id(ws: Workspace) -> str:
    candidate = Candidate(id=uuid.uuid4().hex, name="Ana Rossi")
    with ws.uow_factory() as uow:
        uow.candidates.add(candidate)
        uow.commit()
    session = create_interview(
        ws, problem_id="url_shortener", level=Level.MID, candidate_id=candidate.id, actor=CANDIDATE
    )
    start_interview(ws, session.id, actor=CANDIDATE)
    for line in STRONG[:6]:
        send_message(ws, session.id, line, actor=CANDIDATE)
    end_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def open_page(at: AppTest, page: str, session_id: str | None = None) -> AppTest:
    if session_id:
        at.query_params["session"] = session_id
    at.switch_page(page).run()
    assert_clean(at)
    return at


def test_the_candidate_view_shows_the_evaluation_once_approved_in_the_queue(
    ws: Workspace, session_id: str, new_app: AppFactory
) -> None:
    candidate = open_page(new_app(), "pages/share.py", session_id)
    assert page_title(candidate) == "Design a URL Shortener"
    assert any("Your evaluation is being reviewed" in i.value for i in candidate.info)
    assert not candidate.metric and "Download the report" not in rendered_text(candidate)

    queue = open_page(new_app(), "pages/review_queue.py")
    assert page_title(queue) == "Review queue"
    assert any("Ana Rossi" in m.value for m in queue.markdown)
    button(queue, "Approve").click().run()
    assert_clean(queue)
    assert any("Released to Ana Rossi" in s.value for s in queue.success)
    assert any("Nothing is waiting" in i.value for i in queue.info) and "Approve" not in labels(queue)

    candidate.run()
    assert_clean(candidate)
    assert not candidate.info
    scores = session_scores(ws, session_id, actor=ADMIN)
    assert scores is not None and scores.overall is not None
    assert [(m.label, m.value) for m in candidate.metric] == [("Overall score", f"{scores.overall:.1f} / 5")]
    assert "Your evaluation" in [s.value for s in candidate.subheader]
    assert "Download the report (PDF)" in rendered_text(candidate)


def test_the_evaluation_page_shows_the_release_and_approves_or_withdraws_it(
    ws: Workspace, session_id: str, new_app: AppFactory
) -> None:
    at = open_page(new_app(), "pages/evaluation.py", session_id)
    assert any(w.value.startswith("Not released yet") for w in at.warning)
    button(at, "Approve and release").click().run()
    assert_clean(at)
    assert is_released(ws, session_id, actor=ADMIN)  # by the signed-in reviewer, named as they are called
    assert any(s.value.startswith("Released to the candidate on ") and "by Ada Admin" in s.value for s in at.success)

    button(at, "Withdraw the release").click().run()
    assert_clean(at)
    assert not is_released(ws, session_id, actor=ADMIN)
    assert any(w.value.startswith("Not released yet") for w in at.warning)
