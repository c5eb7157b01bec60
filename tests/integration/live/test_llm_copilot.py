"""Copilot follow-ups written by an LLM: the real SDKs against the loopback fakes, a real database for
the token usage, and the offline copilot whenever the model's answer cannot be used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.config import Price, ProviderSettings, Settings
from core.content.templates import InterviewTemplate
from core.interview.services import create_interview, usage_summary
from core.live.copilot import Suggestion, suggest
from core.live.goal_coverage import GoalStatus, goal_coverage
from core.live.llm_copilot import CopilotAnswer, llm_suggest
from core.llm.providers import LLMChoice
from core.models import LiveNote, TranscriptEntry
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.llm_fakes import AnthropicServer, Error, OpenAIServer, RecordedRequest, Reply

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

OPENAI_KEY = "test-openai-key-copilot-01"
ANTHROPIC_KEY = "test-anthropic-key-copilot-01"
OPENAI = LLMChoice("openai", "gpt-test", OPENAI_KEY)
ANTHROPIC = LLMChoice("anthropic", "claude-test", ANTHROPIC_KEY)
STAGE = "current_workflow_and_pains"


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    with OpenAIServer(api_key=OPENAI_KEY, models=["gpt-test"]) as server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[AnthropicServer]:
    with AnthropicServer(api_key=ANTHROPIC_KEY, models=["claude-test"]) as server:
        yield server


@pytest.fixture
def ws(database_url: str, tmp_path: Path, openai_server: OpenAIServer, anthropic_server: AnthropicServer) -> Workspace:
    settings = Settings(
        database_url=database_url,
        runtime_dir=tmp_path,
        request_timeout_seconds=5,
        providers={
            "openai": ProviderSettings(models=["gpt-test"], base_url=openai_server.base_url),
            "anthropic": ProviderSettings(models=["claude-test"], base_url=anthropic_server.base_url),
        },
        prices={"gpt-test": Price(input=1.0, output=2.0), "claude-test": Price(input=3.0, output=15.0)},
    )
    return build_workspace(settings)


@pytest.fixture(params=["openai", "anthropic"])
def llm(
    request: pytest.FixtureRequest, openai_server: OpenAIServer, anthropic_server: AnthropicServer
) -> tuple[LLMChoice, OpenAIServer | AnthropicServer]:
    """Each test runs against both wire protocols."""
    return (OPENAI, openai_server) if request.param == "openai" else (ANTHROPIC, anthropic_server)


@pytest.fixture
def discovery(ws: Workspace) -> InterviewTemplate:
    return ws.templates.get("customer_discovery")


@pytest.fixture
def session_id(ws: Workspace) -> str:
    return create_interview(ws, problem_id="url_shortener", actor=CANDIDATE).id


# The conversation so far: the context stage is done; the candidate just named a workaround and a vague cost.
EARLY = [
    TranscriptEntry("s", "candidate", f"Filler line {i} about the weather.", start=float(i), end=i + 0.5)
    for i in range(5)
]
TRANSCRIPT = [
    *EARLY,
    TranscriptEntry("s", "interviewer", "What does a normal week look like in your role?", 10, 13),
    TranscriptEntry("s", "candidate", "My role is ops lead; I own month-end close.", 14, 18),
    TranscriptEntry("s", "interviewer", "Who else works on it? How is the team set up?", 19, 22),
    TranscriptEntry("s", "candidate", "Our team is four people and we use NetSuite.", 23, 27),
    TranscriptEntry("s", "interviewer", "How do you reconcile the invoices today?", 60, 63),
    TranscriptEntry("s", "candidate", "We do it in a spreadsheet, it takes forever.", 64, 70),
    TranscriptEntry("s", "interviewer", "Forever?", 71, 72),
    TranscriptEntry("s", "candidate", "Well, most of the last day of every month.", 73, 78),
    TranscriptEntry("s", "interviewer", "Mm-hm.", 79, 80),
    TranscriptEntry("s", "candidate", "And then someone double-checks it.", 81, 84),
    TranscriptEntry("s", "interviewer", "Go on.", 85, 86),
    TranscriptEntry("s", "candidate", "That is about it.", 87, 89),
]
NOTES = [
    LiveNote("s", "Reconciles invoices in a spreadsheet", at_seconds=66, stage=STAGE, tag="pain"),
    LiveNote("s", "half-typed draft", at_seconds=88, stage=STAGE, draft=True),
]


def coverage_of(template: InterviewTemplate) -> dict[str, GoalStatus]:
    return goal_coverage(template, transcript=TRANSCRIPT, notes=NOTES)


def ask(
    ws: Workspace, session_id: str, template: InterviewTemplate, choice: LLMChoice, *, limit: int = 3
) -> CopilotAnswer:
    return llm_suggest(
        ws,
        session_id,
        template=template,
        stage=STAGE,
        transcript=TRANSCRIPT,
        notes=NOTES,
        coverage=coverage_of(template),
        choice=choice,
        limit=limit,
    )


def offline(template: InterviewTemplate, *, limit: int = 3) -> list[Suggestion]:
    return suggest(
        template, stage=STAGE, transcript=TRANSCRIPT, notes=NOTES, coverage=coverage_of(template), limit=limit
    )


def answer(*items: dict[str, Any]) -> str:
    return json.dumps({"suggestions": list(items)})


def system_and_user(request: RecordedRequest) -> tuple[str, str]:
    """The system prompt and the user message, from either provider's wire shape."""
    body = request.body
    if "system" in body:  # Anthropic
        system = body["system"] if isinstance(body["system"], str) else " ".join(b["text"] for b in body["system"])
        messages = body["messages"]
    else:
        system, messages = body["messages"][0]["content"], body["messages"][1:]
    content = messages[-1]["content"]
    user = content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)
    return system, user


def test_the_models_questions_are_offered_and_their_tokens_recorded(
    ws: Workspace, session_id: str, discovery: InterviewTemplate, llm: tuple[LLMChoice, Any]
) -> None:
    choice, server = llm
    server.script(
        Reply(
            text=answer(
                {"question": "How many hours did the last close take?", "why": "forever", "goal": "pain_quantified"},
                {"question": "  Who double-checks it, and what do they look for?  ", "why": "a second person"},
                {"question": "How many hours did the last close take?", "why": "repeated", "goal": None},
                {"question": "What did it cost when a mistake got through?", "why": "cost", "goal": ""},
                {"question": "Which step would you drop first?", "why": "over the limit", "goal": None},
            ),
            input_tokens=900,
            output_tokens=120,
        )
    )
    result = ask(ws, session_id, discovery, choice)

    assert result.engine == choice.provider and result.note is None
    assert [(s.text, s.goal, s.source) for s in result.suggestions] == [
        ("How many hours did the last close take?", "pain_quantified", "llm"),
        ("Who double-checks it, and what do they look for?", None, "llm"),  # stripped; repeats dropped
        ("What did it cost when a mistake got through?", None, "llm"),  # "" means no goal; capped at 3
    ]
    assert result.suggestions[0].why == "forever"

    assert len(server.requests) == 1 and not server.requests[0].stream
    system, user = system_and_user(server.requests[0])
    assert "Current workflow and pains" in system and "from a real recent example" in system  # title and purpose
    assert "- pain_quantified: The cost of the pain in time" in system
    assert "- workarounds:" not in system  # the spreadsheet covered it
    assert "never read or shown to the other person" in system and "at most 3" in system
    assert "CANDIDATE: That is about it." in user and "CANDIDATE: We do it in a spreadsheet" in user
    assert "INTERVIEWER: What does a normal week" in user and "Filler line" not in user  # only the latest 12 lines
    assert "(pain) Reconciles invoices in a spreadsheet" in user and "half-typed draft" not in user

    summary = usage_summary(ws, session_id, actor=CANDIDATE)
    assert (summary.calls, summary.input_tokens, summary.output_tokens) == (1, 900, 120)
    assert summary.by_operation["copilot"]["calls"] == 1
    price = ws.settings.prices[choice.model]
    assert summary.cost_usd == pytest.approx((900 * price.input + 120 * price.output) / 1_000_000)
    with ws.uow_factory() as uow:
        [record] = uow.token_usage.in_session(session_id)
    assert (record.provider, record.model, record.operation) == (choice.provider, choice.model, "copilot")
    assert record.created_at is not None and abs((record.created_at - ws.clock()).total_seconds()) < 60


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Sure! Ask them about hours.", "no JSON object"),
        ('{"suggestions": [{"question": "How often?",}]}', "not valid JSON"),
        ('{"suggestions": []}', "suggestions"),
        (answer({"question": "What is your budget?", "why": "x", "goal": "budget_and_timeline"}), "not an open goal"),
        (answer({"question": "Anything else?", "goal": "workarounds"}), "'workarounds' is not an open goal"),
        (answer({"question": "", "why": "empty"}), "suggestions.0.question"),
        (answer({"question": "Why " + "really " * 60 + "?", "why": "long"}), "at most 300 characters"),
    ],
    ids=["prose", "broken-json", "empty", "later-stage-goal", "covered-goal", "blank-question", "too-long"],
)
def test_an_answer_that_does_not_fit_falls_back_to_the_offline_copilot(
    ws: Workspace,
    session_id: str,
    discovery: InterviewTemplate,
    llm: tuple[LLMChoice, Any],
    reply: str,
    reason: str,
) -> None:
    choice, server = llm
    server.script(Reply(text=reply, input_tokens=700, output_tokens=40))
    result = ask(ws, session_id, discovery, choice)

    assert result.engine == "offline"
    assert result.suggestions == offline(discovery) and result.suggestions
    assert result.note is not None and reason in result.note and "format" in result.note
    assert result.note.count(". ") == 0 and result.note.endswith(".")  # one sentence
    assert (
        usage_summary(ws, session_id, actor=CANDIDATE).by_operation["copilot"]["input_tokens"] == 700
    )  # the tokens were spent


def test_an_answer_cut_off_at_the_output_limit_falls_back_and_says_so(
    ws: Workspace, session_id: str, discovery: InterviewTemplate, llm: tuple[LLMChoice, Any]
) -> None:
    choice, server = llm
    whole = answer({"question": "What did that workaround cost you last month?", "why": "vague cost"})
    server.script(Reply(text=whole, stop="length", output_tokens=600))  # even whole-looking, it is not read
    result = ask(ws, session_id, discovery, choice)
    assert result.engine == "offline" and result.suggestions == offline(discovery)
    assert result.note is not None and "stopped at the output limit before its JSON was complete" in result.note
    body = server.requests[-1].body
    assert body.get("max_tokens", body.get("max_completion_tokens")) == 600
    assert usage_summary(ws, session_id, actor=CANDIDATE).by_operation["copilot"]["output_tokens"] == 600


def test_a_refused_key_falls_back_with_a_clear_note_that_never_shows_the_key(
    ws: Workspace, session_id: str, discovery: InterviewTemplate, llm: tuple[LLMChoice, Any]
) -> None:
    choice, server = llm
    wrong = LLMChoice(choice.provider, choice.model, "wrong-copilot-key-12345")
    result = ask(ws, session_id, discovery, wrong)

    assert len(server.requests) == 1  # a refused key is not retried
    assert result.engine == "offline" and result.suggestions == offline(discovery)
    assert result.note is not None
    assert "401" in result.note and "API key" in result.note and result.note.startswith("Offline suggestions")
    assert "wrong-copilot" not in result.note and "12345" not in result.note
    assert result.note.count(". ") == 0
    assert usage_summary(ws, session_id, actor=CANDIDATE).calls == 0


def test_a_provider_that_stays_down_is_not_asked_again_during_its_cool_down(
    ws: Workspace, session_id: str, discovery: InterviewTemplate, openai_server: OpenAIServer
) -> None:
    openai_server.script(Error(500, retry_after_ms=1), Error(502, retry_after_ms=1), Error(503, retry_after_ms=1))
    first = ask(ws, session_id, discovery, OPENAI)
    assert len(openai_server.requests) == 3  # one call and two retries
    assert first.engine == "offline" and first.note is not None and "OpenAI could not be used" in first.note

    openai_server.reset()
    second = ask(ws, session_id, discovery, OPENAI)
    assert openai_server.requests == [] and second.suggestions == offline(discovery)
    assert second.note is not None and "tried again in" in second.note

    ws.provider_health.cooldown_seconds = 0
    openai_server.script(Reply(text=answer({"question": "How many hours a month?", "why": "x", "goal": None})))
    assert ask(ws, session_id, discovery, OPENAI).engine == "openai"


def test_the_offline_choice_or_an_unknown_provider_asks_no_model(
    ws: Workspace, session_id: str, discovery: InterviewTemplate, openai_server: OpenAIServer
) -> None:
    result = ask(ws, session_id, discovery, LLMChoice("offline", ""), limit=4)
    assert result == CopilotAnswer(offline(discovery, limit=4), "offline", None)
    assert openai_server.requests == [] and usage_summary(ws, session_id, actor=CANDIDATE).calls == 0

    unknown = ask(ws, session_id, discovery, LLMChoice("gemini", "g-1", "gemini-secret"))
    assert unknown.engine == "offline" and unknown.suggestions == offline(discovery)
    assert unknown.note is not None and "'gemini'" in unknown.note and "secret" not in unknown.note
