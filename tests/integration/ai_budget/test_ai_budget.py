"""The month's AI budget over real databases, with the real OpenAI SDK against the loopback fake: once the spend
reaches a limit the next turn (evaluation, copilot ask) is the offline engine's, with a message that says why;
a person's limit stops only their interviews; a new month starts again (the workspace clock decides)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.ai_budget.spend import monthly_spend, spend_by_person
from core.config import LlmBudgetSettings, Price, ProviderSettings, Settings
from core.errors import AccessDenied
from core.interview.offline_interviewer import OfflineInterviewer
from core.interview.services import (
    ReplyStream,
    create_interview,
    end_interview,
    get_interview,
    start_interview,
    stream_reply,
    submit_answer,
    usage_summary,
)
from core.live.goal_coverage import goal_coverage
from core.live.llm_copilot import llm_suggest
from core.llm.providers import LLMChoice
from core.models import Account, AccountRole, SessionStatus, TranscriptEntry
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from storage.database import make_engine
from storage.unit_of_work import make_uow_factory
from tests.clock import Clock
from tests.llm_fakes import OpenAIServer, RecordedRequest, Reply

KEY = "sk-budget-fake-01"
OPENAI = LLMChoice("openai", "gpt-test", KEY)
# $1 per million input tokens and $2 per million output: each scripted reply below costs $2.00
PRICES = {"gpt-test": Price(input=1.0, output=2.0)}
TWO_DOLLARS = Reply(
    text="Could you walk me through that part in more detail?", input_tokens=1_000_000, output_tokens=500_000
)
MID_MONTH = datetime(2031, 1, 20, 12, 0, tzinfo=UTC)
SPENT = "This month's AI budget is spent; the offline interviewer takes over."
YOURS_SPENT = "Your AI budget for this month is spent; the offline interviewer takes over."


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Problems, rubrics and templates loaded once for the module."""
    return build_workspace(Settings(runtime_dir=tmp_path_factory.mktemp("content")))


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    # no prompt cache: its discount on the repeated start of each turn would take cents off the round figures
    with OpenAIServer(api_key=KEY, models=["gpt-test"], prompt_cache=False) as fake:
        fake.default = TWO_DOLLARS
        yield fake


@pytest.fixture
def clock() -> Clock:
    return Clock(MID_MONTH)


@pytest.fixture
def ws(
    content: Workspace, database_url: str, tmp_path: Path, server: OpenAIServer, clock: Clock
) -> Iterator[Workspace]:
    settings = Settings(
        database_url=database_url,
        runtime_dir=tmp_path / "runtime",
        request_timeout_seconds=5,
        providers={"openai": ProviderSettings(models=["gpt-test"], base_url=server.base_url)},
        prices=PRICES,
        evaluation_samples=1,
    )
    engine = make_engine(settings.effective_database_url)
    try:
        yield replace(content, settings=settings, uow_factory=make_uow_factory(engine), clock=clock)
    finally:
        engine.dispose()


@pytest.fixture
def people(ws: Workspace) -> dict[str, Account]:
    found = {
        "ada": Account(id="acc-ada", email="ada@example.com", name="Ada Admin", roles=[AccountRole.ADMIN]),
        "ana": Account(id="acc-ana", email="ana@example.com", name="Ana", roles=[AccountRole.CANDIDATE]),
        "bo": Account(id="acc-bo", email="bo@example.com", name="Bo", roles=[AccountRole.CANDIDATE]),
    }
    with ws.uow_factory() as uow:
        for account in found.values():
            uow.accounts.add(account)
        uow.commit()
    return found


def started(ws: Workspace, owner: Account) -> str:
    actor = Actor.person(owner)
    session = create_interview(ws, problem_id="url_shortener", provider="openai", model="gpt-test", actor=actor)
    start_interview(ws, session.id, actor=actor)
    return session.id


def turn(ws: Workspace, session_id: str, owner: Account, answer: str) -> ReplyStream:
    """The candidate answers and the interviewer replies (streamed to its end, as the page reads it)."""
    submit_answer(ws, session_id, answer, actor=Actor.person(owner))
    reply = stream_reply(ws, session_id, llm=OPENAI)
    list(reply)
    return reply


def planned(ws: Workspace, session_id: str, owner: Account) -> str:
    view = get_interview(ws, session_id, actor=Actor.person(owner))
    return (
        OfflineInterviewer(view.problem, ws.rubric(view.session.rubric_id))
        .reply(view.session, view.messages, ws.clock())
        .text
    )


def generations(server: OpenAIServer) -> list[RecordedRequest]:
    return [r for r in server.requests if r.path == "/v1/chat/completions"]


def test_a_budget_reached_mid_interview_hands_the_next_turn_to_the_offline_interviewer(
    ws: Workspace, server: OpenAIServer, people: dict[str, Account]
) -> None:
    ws.settings.llm_budget = LlmBudgetSettings(monthly_usd=3)
    ana = people["ana"]
    session_id = started(ws, ana)

    first = turn(ws, session_id, ana, "Users paste a long link and get a short one back.")
    assert first.fallback is None and len(generations(server)) == 1  # $2.00 of $3: the model voices it
    second = turn(ws, session_id, ana, "We expect about 100 million new links a day.")
    assert second.fallback is None and len(generations(server)) == 2  # $4.00 now: this call crossed the limit

    submit_answer(ws, session_id, "Reads outnumber writes about 100 to 1.", actor=Actor.person(ana))
    plan = planned(ws, session_id, ana)
    third = stream_reply(ws, session_id, llm=OPENAI)
    text = "".join(third)

    assert len(generations(server)) == 2  # nothing more was sent to the provider
    assert text == plan and third.message is not None and third.message.content == plan
    assert third.fallback is not None and third.fallback.startswith(SPENT)
    assert "($4.00 of $3 used; the budget starts again on 1 February.)" in third.fallback
    assert third.message.meta["fallback"] is True
    # the interview goes on: still active, the next answer gets the offline interviewer's reply too
    fourth = turn(ws, session_id, ana, "A cache in front of the database keeps the hot links.")
    assert fourth.fallback is not None and fourth.fallback.startswith(SPENT)
    assert len(generations(server)) == 2
    view = get_interview(ws, session_id, actor=Actor.person(ana))
    assert view.session.status is SessionStatus.ACTIVE and len(view.messages) == 9
    usage = usage_summary(ws, session_id, actor=Actor.person(ana))
    assert (usage.calls, usage.cost_usd) == (2, pytest.approx(4.0))
    with ws.uow_factory() as uow:
        reasons = [
            e.detail["reason"] for e in uow.audit.latest(session_id=session_id) if e.action == "provider_fallback"
        ]
    assert len(reasons) == 2 and all(r.startswith(SPENT) for r in reasons)

    spend = monthly_spend(ws, actor=Actor.person(ana))
    assert spend.workspace.reached and spend.workspace.text() == "$4.00 of $3 this month"


def test_the_evaluation_and_the_copilot_are_the_offline_ones_once_the_budget_is_spent(
    ws: Workspace, server: OpenAIServer, people: dict[str, Account]
) -> None:
    ws.settings.llm_budget = LlmBudgetSettings(monthly_usd=2)
    ana = people["ana"]
    session_id = started(ws, ana)
    turn(ws, session_id, ana, "Users paste a long link and get a short one back.")  # $2.00: spent
    sent = len(server.requests)

    evaluation = end_interview(ws, session_id, actor=Actor.person(ana), llm=OPENAI)
    assert evaluation.engine == "offline"
    assert evaluation.notes[0].startswith("This month's AI budget is spent; the offline evaluator takes over.")

    discovery = ws.templates.get("customer_discovery")
    transcript = [TranscriptEntry(session_id, "candidate", "We reconcile invoices in a spreadsheet.", 1, 4)]
    answer = llm_suggest(
        ws,
        session_id,
        template=discovery,
        stage=discovery.stages[0].key,
        transcript=transcript,
        notes=[],
        coverage=goal_coverage(discovery, transcript=transcript, notes=[]),
        choice=OPENAI,
    )
    assert answer.engine == "offline" and answer.suggestions
    assert answer.note is not None and answer.note.startswith("This month's AI budget is spent; the offline copilot")
    assert len(server.requests) == sent  # neither asked the provider anything


def test_a_persons_budget_stops_only_their_own_interviews(
    ws: Workspace, server: OpenAIServer, people: dict[str, Account]
) -> None:
    ws.settings.llm_budget = LlmBudgetSettings(per_person_usd=3)
    ana, bo = people["ana"], people["bo"]
    anas, bos = started(ws, ana), started(ws, bo)
    turn(ws, anas, ana, "Users paste a long link and get a short one back.")
    turn(ws, anas, ana, "We expect about 100 million new links a day.")  # Ana: $4.00 of her $3

    stopped = turn(ws, anas, ana, "Reads outnumber writes about 100 to 1.")
    assert stopped.fallback is not None and stopped.fallback.startswith(YOURS_SPENT)
    assert len(generations(server)) == 2
    voiced = turn(ws, bos, bo, "Users paste a long link and get a short one back.")  # Bo has his whole $3
    assert voiced.fallback is None and len(generations(server)) == 3

    assert monthly_spend(ws, actor=Actor.person(ana)).person is not None
    ana_spend = monthly_spend(ws, actor=Actor.person(ana)).person
    bo_spend = monthly_spend(ws, actor=Actor.person(bo)).person
    assert ana_spend is not None and bo_spend is not None
    assert (ana_spend.text(), ana_spend.reached) == ("$4.00 of $3 this month", True)
    assert (bo_spend.text(), bo_spend.reached) == ("$2.00 of $3 this month", False)
    by_person = spend_by_person(ws, actor=Actor.person(people["ada"]))
    assert [(p.name, p.spend.spent_usd, p.spend.reached) for p in by_person] == [("Ana", 4.0, True), ("Bo", 2.0, False)]
    with pytest.raises(AccessDenied):  # each person sees their own; the list of everyone's is the admins'
        spend_by_person(ws, actor=Actor.person(ana))


def test_a_new_month_starts_the_budget_again(
    ws: Workspace, server: OpenAIServer, people: dict[str, Account], clock: Clock
) -> None:
    ws.settings.llm_budget = LlmBudgetSettings(monthly_usd=2)
    clock.now = datetime(2031, 1, 31, 23, 50, tzinfo=UTC)
    ana = people["ana"]
    session_id = started(ws, ana)
    turn(ws, session_id, ana, "Users paste a long link and get a short one back.")  # $2.00 in January: spent
    january = turn(ws, session_id, ana, "We expect about 100 million new links a day.")
    assert january.fallback is not None and january.fallback.startswith(SPENT)
    assert len(generations(server)) == 1

    clock.advance(timedelta(minutes=20).total_seconds())  # 1 February, 00:10 UTC
    february = turn(ws, session_id, ana, "Reads outnumber writes about 100 to 1.")
    assert february.fallback is None and len(generations(server)) == 2
    spend = monthly_spend(ws, actor=Actor.person(ana))
    assert spend.month_start == datetime(2031, 2, 1, tzinfo=UTC)
    assert spend.workspace.text() == "$2.00 of $2 this month"


def test_without_a_limit_nothing_stops_the_model(
    ws: Workspace, server: OpenAIServer, people: dict[str, Account]
) -> None:
    ws.settings.llm_budget = LlmBudgetSettings(monthly_usd=0, per_person_usd=None)  # 0 and empty: no limit
    ana = people["ana"]
    session_id = started(ws, ana)
    for answer in ("Users paste a long link.", "About 100 million a day.", "Reads outnumber writes."):
        assert turn(ws, session_id, ana, answer).fallback is None
    assert len(generations(server)) == 3
    assert monthly_spend(ws, actor=Actor.person(ana)).workspace.text() == "$6.00 this month (no limit)"
