"""Evaluate again: a reviewer re-runs a finished interview's evaluation; nothing earlier vanishes.

Real database (SQLite and Postgres), the real answer cache, the loopback OpenAI fake through the real SDK, and a
real worker (Huey's consumer, tests/job_worker.py) for the run the server's key pays for.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.accounts.services import add_account
from core.errors import AccessDenied
from core.evaluation.release import ReleaseStatus, approve, release_status
from core.evaluation.reviews import override_score, session_scores
from core.interview.reevaluation import (
    NotReevaluable,
    earlier_evaluations,
    evaluate_again,
    reevaluation_job,
    start_reevaluation,
)
from core.interview.services import create_interview, end_interview, send_message, start_interview, usage_summary
from core.models import Account, AccountRole, JobStatus
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.integration.evaluation.server_key import KEY, OWN_KEY, SERVER_KEY
from tests.integration.evaluation.test_llm_sampling import DESIGN, answer
from tests.job_worker import WorkerThreads
from tests.llm_fakes import Error, OpenAIServer

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)

SETUP = Actor.workspace("test set-up")


def person(ws: Workspace, name: str, *roles: AccountRole, team: str = "core") -> Actor:
    account: Account = add_account(
        ws, email=f"{name.lower()}@example.com", name=name, roles=roles, team=team, actor=SETUP
    )
    return Actor.person(account)


def evaluated(ws: Workspace, server: OpenAIServer, candidate: Actor) -> str:
    """An interview the candidate held with the model and ended: its evaluation asked of the model (3 samples)."""
    session = create_interview(ws, problem_id="url_shortener", provider="openai", model="gpt-test", actor=candidate)
    start_interview(ws, session.id, actor=candidate)
    for line in DESIGN:
        send_message(ws, session.id, line, llm=None, actor=candidate)
    server.script(answer(ws, 3.0), answer(ws, 3.0), answer(ws, 3.0))
    end_interview(ws, session.id, llm=OWN_KEY, actor=candidate)
    return session.id


def test_an_unchanged_interview_evaluated_again_costs_nothing_and_keeps_the_earlier_one(
    ws: Workspace, server: OpenAIServer
) -> None:
    candidate = person(ws, "Cara", AccountRole.CANDIDATE)
    reviewer = person(ws, "Rita", AccountRole.REVIEWER)
    session_id = evaluated(ws, server, candidate)
    override_score(ws, session_id, "estimation", 4.5, "Her estimates were right.", actor=reviewer)
    approve(ws, session_id, actor=reviewer)
    with ws.uow_factory() as uow:
        first = uow.evaluations.for_session(session_id)
    asked = len(server.requests)
    assert first is not None

    result = evaluate_again(ws, session_id, actor=reviewer, llm=OWN_KEY)

    assert len(server.requests) == asked, "every answer came from the cache: nothing was sent"
    assert result.replaced and result.evaluation.created_at != first.created_at
    assert (
        result.note == "Evaluated again (overall 3.0/5): 3 of 3 model answers from the cache, nothing sent to "
        "OpenAI — it cost nothing."
    )
    (earlier,) = earlier_evaluations(ws, session_id, actor=reviewer)
    assert earlier.evaluation.id == first.id and earlier.evaluation.overall_score == first.overall_score
    assert earlier.evaluation.competencies == first.competencies
    assert earlier.replaced_by == reviewer.name and earlier.approved_by == reviewer.name
    # the reviewer's adjustment stays in force; the new evaluation waits for its own approval
    scores = session_scores(ws, session_id, actor=reviewer)
    assert scores is not None and scores.get("estimation").score == 4.5
    assert release_status(ws, session_id, actor=reviewer) is ReleaseStatus.AWAITING
    row = usage_summary(ws, session_id, actor=reviewer).by_operation["re_evaluation"]
    assert (row["input_tokens"], row["output_tokens"], row["cost_usd"]) == (0, 0, 0.0)
    assert (row["answers"], row["cached_answers"]) == (3, 3)
    with ws.uow_factory() as uow:
        (entry,) = [e for e in uow.audit.latest(session_id=session_id) if e.action == "evaluation_rerun"]
    assert entry.actor == reviewer.name
    assert entry.detail["replaced"] and entry.detail["release_withdrawn"] and entry.detail["overrides_kept"] == 1
    assert entry.detail["previous_evaluation_id"] == first.id and entry.detail["cached_answers"] == 3


def test_a_candidate_and_a_reviewer_of_another_team_are_refused(ws: Workspace, server: OpenAIServer) -> None:
    candidate = person(ws, "Cara", AccountRole.CANDIDATE)
    outsider = person(ws, "Otto", AccountRole.REVIEWER, team="other")
    interviewer = person(ws, "Ivan", AccountRole.INTERVIEWER)
    session_id = evaluated(ws, server, candidate)
    for who in (candidate, outsider, interviewer):
        with pytest.raises(AccessDenied):
            evaluate_again(ws, session_id, actor=who, llm=OWN_KEY)
        with pytest.raises(AccessDenied):
            start_reevaluation(ws, session_id, actor=who, llm=SERVER_KEY)
    with pytest.raises(AccessDenied):
        earlier_evaluations(ws, session_id, actor=candidate)
    with ws.uow_factory() as uow:
        assert uow.evaluations.earlier(session_id) == []
        assert not [e for e in uow.audit.latest(session_id=session_id) if e.action == "evaluation_rerun"]


def test_without_a_key_for_its_model_the_run_is_refused_before_anything_changes(
    ws: Workspace, server: OpenAIServer
) -> None:
    candidate = person(ws, "Cara", AccountRole.CANDIDATE)
    reviewer = person(ws, "Rita", AccountRole.REVIEWER)
    session_id = evaluated(ws, server, candidate)
    with pytest.raises(NotReevaluable, match="no OpenAI key"):
        evaluate_again(ws, session_id, actor=reviewer, llm=None)
    assert earlier_evaluations(ws, session_id, actor=reviewer) == []


def test_a_model_that_fails_leaves_the_models_earlier_evaluation_in_place(
    ws: Workspace, server: OpenAIServer, database_url: str, tmp_path: Path
) -> None:
    candidate = person(ws, "Cara", AccountRole.CANDIDATE)
    reviewer = person(ws, "Rita", AccountRole.REVIEWER)
    session_id = evaluated(ws, server, candidate)
    # one sample instead of three asks a new question (another temperature): the cache has no answer for it
    single = build_workspace(ws.settings.model_copy(update={"evaluation_samples": 1}))
    server.script(Error(400, message="This model is not available right now."))
    result = evaluate_again(single, session_id, actor=reviewer, llm=OWN_KEY)

    assert not result.replaced and result.evaluation.engine == "openai"
    assert result.note.startswith("The earlier evaluation stays: ")
    assert earlier_evaluations(ws, session_id, actor=reviewer) == []
    with ws.uow_factory() as uow:
        (entry,) = [e for e in uow.audit.latest(session_id=session_id) if e.action == "evaluation_rerun"]
    assert entry.detail["replaced"] is False and entry.actor == reviewer.name


def test_the_server_key_run_goes_through_the_job_queue_and_is_found_again(ws: Workspace, server: OpenAIServer) -> None:
    candidate = person(ws, "Cara", AccountRole.CANDIDATE)
    reviewer = person(ws, "Rita", AccountRole.REVIEWER)
    session_id = evaluated(ws, server, candidate)
    asked = len(server.requests)
    with WorkerThreads(lambda: ws) as worker:
        ws.job_queue = worker.queue
        job = start_reevaluation(ws, session_id, actor=reviewer, llm=SERVER_KEY)
        assert job is not None and job.kind == "llm_reevaluation" and job.actor == reviewer.name
        again = start_reevaluation(ws, session_id, actor=reviewer, llm=SERVER_KEY)  # a double click, a reload
        assert again is not None and again.id == job.id
        deadline = time.monotonic() + 60
        while (found := reevaluation_job(ws, session_id, actor=reviewer, job_id=job.id)) is None or found.status in (
            JobStatus.QUEUED,
            JobStatus.RUNNING,
        ):
            assert time.monotonic() < deadline, "the worker never finished"
            time.sleep(0.05)

    assert found.status is JobStatus.DONE, found.reason
    assert found.reason.endswith("3 of 3 model answers from the cache, nothing sent to OpenAI — it cost nothing."), (
        f"{found.reason} (attempts: {found.attempts})"
    )
    assert KEY not in str(found.payload) and len(server.requests) == asked
    (earlier,) = earlier_evaluations(ws, session_id, actor=reviewer)
    assert earlier.replaced_by == reviewer.name, "the audit and the record name who asked, not the worker"
    assert reevaluation_job(ws, session_id, actor=reviewer) is None, "the new evaluation has no re-run yet"
