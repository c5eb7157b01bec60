"""The Evaluation page's "Evaluate again" under AppTest: who sees it, the run in the page, the worker's run found
again after a reload, and the earlier evaluation kept on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import load_settings
from core.evaluation.release import approve
from core.interview.reevaluation import reevaluation_job
from core.interview.services import create_interview, end_interview, send_message, start_interview
from core.jobs.runner import run
from core.llm.providers import LLMChoice
from core.models import JobStatus, Level
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace, shared_workspace
from entry.job_handlers import HANDLERS
from tests.actors import CANDIDATE
from tests.integration.evaluation.test_llm_sampling import DESIGN, answer
from tests.llm_fakes import OpenAIServer
from tests.ui.conftest import AppFactory, add_person, assert_clean, rendered_text, signed_in_as
from tests.unit.evaluation.test_offline_evaluator import STRONG

ADMIN_ACTOR = Actor.workspace("admin")


def open_evaluation(at: AppTest, session_id: str) -> AppTest:
    at.query_params["session"] = session_id
    at.switch_page("pages/evaluation.py").run()
    assert_clean(at)
    return at


def offline_interview(ws: Workspace, actor: Actor = CANDIDATE) -> str:
    session = create_interview(ws, problem_id="url_shortener", level=Level.MID, actor=actor)
    start_interview(ws, session.id, actor=actor)
    for line in STRONG:
        send_message(ws, session.id, line, actor=actor)
    end_interview(ws, session.id, actor=actor)
    return session.id


def test_a_reviewer_evaluates_again_and_the_earlier_evaluation_stays_on_the_page(
    app_env: pytest.MonkeyPatch, runtime_dir: Path, new_app: AppFactory
) -> None:
    ws = build_workspace(load_settings())
    session_id = offline_interview(ws)
    at = open_evaluation(new_app(), session_id)  # the admin, a reviewer too
    assert "Earlier evaluations" not in [s.value for s in at.subheader]

    at.button(key="reevaluate_now").click().run()
    assert_clean(at)

    (flash,) = [s.value for s in at.success if "Evaluated again" in s.value]
    assert flash.startswith("Evaluated again by the offline evaluator") and flash.endswith("it costs nothing.")
    assert "Earlier evaluations" in [s.value for s in at.subheader]
    assert [e.label for e in at.expander if " · offline · overall " in e.label], [e.label for e in at.expander]
    assert "Replaced on" in rendered_text(at) and "Never released to the candidate." in rendered_text(at)


def test_the_candidate_and_a_reviewer_of_another_team_are_not_offered_it(
    app_env: pytest.MonkeyPatch, runtime_dir: Path, new_app: AppFactory
) -> None:
    new_app().run()  # the admin first, so the workspace has its people
    ws = shared_workspace(load_settings())
    cara = add_person("cara@example.com", "candidate", name="Cara", team="core")
    add_person("otto@example.com", "reviewer", name="Otto", team="other")
    session_id = offline_interview(ws, Actor.person(cara))
    approve(ws, session_id, actor=ADMIN_ACTOR)  # released: the candidate may read it

    as_candidate = open_evaluation(signed_in_as(new_app(), "cara@example.com", "Cara"), session_id)
    assert not [b for b in as_candidate.button if b.key == "reevaluate_now"]
    as_outsider = signed_in_as(new_app(), "otto@example.com", "Otto")
    as_outsider.query_params["session"] = session_id
    as_outsider.switch_page("pages/evaluation.py").run()
    assert not [b for b in as_outsider.button if b.key == "reevaluate_now"]
    assert "Evaluate again" not in rendered_text(as_outsider)


def test_a_worker_run_shows_its_progress_after_a_reload_and_says_what_it_cost(
    app_env: pytest.MonkeyPatch, new_app: AppFactory
) -> None:
    with OpenAIServer(api_key="sk-ui-server", models=["gpt-test"]) as server:
        app_env.setenv("OPENAI_API_KEY", "sk-ui-server")
        app_env.setenv("IW_PROVIDERS__OPENAI__BASE_URL", server.base_url)
        new_app().run()
        ws = shared_workspace(load_settings())
        session = create_interview(ws, problem_id="url_shortener", provider="openai", model="gpt-test", actor=CANDIDATE)
        start_interview(ws, session.id, actor=CANDIDATE)
        for line in DESIGN:
            send_message(ws, session.id, line, llm=None, actor=CANDIDATE)
        server.script(*[answer(ws, 4.0)] * 3)
        end_interview(ws, session.id, actor=CANDIDATE, llm=LLMChoice("openai", "gpt-test", "sk-ui-server"))
        asked = len(server.requests)

        at = open_evaluation(new_app(), session.id)
        at.button(key="reevaluate_now").click().run()  # the server's key pays: a job, no worker yet
        assert_clean(at)
        job = reevaluation_job(ws, session.id, actor=ADMIN_ACTOR)
        assert job is not None and job.status is JobStatus.QUEUED
        assert not [b for b in at.button if b.key == "reevaluate_now"], "no second run while one waits"

        reloaded = open_evaluation(new_app(), session.id)  # a new tab finds the run and shows its progress
        assert [p.value for p in reloaded.get("progress")] == [0]
        assert "Waiting for a worker" in str(reloaded.get("progress")[0].proto.text)
        assert job.id is not None
        run(ws, job.id, HANDLERS)  # the worker
        reloaded.run()
        assert_clean(reloaded)

    assert len(server.requests) == asked, "an unchanged interview sent nothing"
    (flash,) = [s.value for s in reloaded.success]
    assert flash.endswith("3 of 3 model answers from the cache, nothing sent to OpenAI — it cost nothing.")
    assert "Earlier evaluations" in [s.value for s in reloaded.subheader]
    usage = reloaded.dataframe[-1].value.set_index("Operation").loc["re evaluation"]
    assert (usage["Input tokens"], usage["From the cache"]) == (0, "3 of 3 model answers from the cache")
