"""An LLM evaluation paid by the server's key runs on a real worker; a person's own key never leaves their page.

The worker is Huey's real consumer (tests/job_worker.py) and the provider the loopback OpenAI fake, whose
key the worker finds in the environment as a server's would be.
"""

from __future__ import annotations

import time

import pytest

from core.interview.queued_evaluation import evaluate_on_worker, evaluation_job, start_evaluation
from core.interview.services import create_interview, get_interview, send_message, start_interview
from core.jobs.runner import Progress
from core.models import Job, JobStatus, SessionStatus
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import CANDIDATE
from tests.integration.evaluation.server_key import KEY, OWN_KEY, SERVER_KEY
from tests.integration.evaluation.test_llm_sampling import DESIGN, answer
from tests.job_worker import WorkerThreads
from tests.llm_fakes import OpenAIServer

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


def _interview(ws: Workspace) -> str:
    session = create_interview(ws, problem_id="url_shortener", provider="openai", model="gpt-test", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    for line in DESIGN:
        send_message(ws, session.id, line, llm=None, actor=CANDIDATE)
    return session.id


def _finished(ws: Workspace, session_id: str) -> Job:
    deadline = time.monotonic() + 60
    while (job := evaluation_job(ws, session_id, actor=CANDIDATE)) is None or job.status is not JobStatus.DONE:
        assert job is None or job.status is not JobStatus.FAILED, job.reason
        assert time.monotonic() < deadline, "the worker never finished the evaluation"
        time.sleep(0.05)
    return job


def test_the_server_key_evaluation_runs_once_on_a_worker_for_the_person_who_ended_it(
    ws: Workspace, server: OpenAIServer
) -> None:
    session_id = _interview(ws)
    server.script(answer(ws, 4.0), answer(ws, 4.0), answer(ws, 4.0))
    with WorkerThreads(lambda: ws) as worker:
        ws.job_queue = worker.queue
        ender = Actor.workspace("account:7")
        job = start_evaluation(ws, session_id, actor=ender, llm=SERVER_KEY)
        assert job is not None and job.payload == {"session_id": session_id, "provider": "openai", "model": "gpt-test"}
        again = start_evaluation(ws, session_id, actor=ender, llm=SERVER_KEY)  # a reload asks again
        assert again is not None and again.id == job.id
        done = _finished(ws, session_id)

    assert done.attempts == 1 and done.progress == 1.0 and done.reason == "Evaluated (openai): overall 4.0/5."
    assert KEY not in str(done.payload) and KEY not in done.reason
    view = get_interview(ws, session_id, actor=CANDIDATE)
    assert view.session.status is SessionStatus.COMPLETED
    assert view.evaluation is not None and view.evaluation.engine == "openai"
    assert len(server.requests) == 3  # the three samples, asked once
    with ws.uow_factory() as uow:
        completed = [e for e in uow.audit.latest(session_id=session_id) if e.action == "session_completed"]
    assert [e.actor for e in completed] == ["account:7"]

    notes: list[str] = []
    progress: Progress = lambda fraction, note: notes.append(note)  # noqa: E731
    assert evaluate_on_worker(ws, done, SERVER_KEY, progress) == "The interview was evaluated already."
    assert notes == [] and len(server.requests) == 3  # a retry evaluates nothing twice


def test_a_key_typed_by_the_person_is_never_handed_to_a_worker(ws: Workspace) -> None:
    session_id = _interview(ws)
    assert start_evaluation(ws, session_id, actor=CANDIDATE, llm=OWN_KEY) is None
    assert start_evaluation(ws, session_id, actor=CANDIDATE, llm=None) is None
    assert evaluation_job(ws, session_id, actor=CANDIDATE) is None
    with ws.uow_factory() as uow:
        assert uow.jobs.by_key(f"llm_evaluation:{session_id}") is None
