"""Interviews voiced and evaluated by LLM providers: the real SDKs against loopback fakes."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Price, ProviderSettings, Settings
from core.evaluation.report import load_report
from core.evaluation.report_export import report_markdown
from core.interview.offline_interviewer import OfflineInterviewer
from core.interview.services import (
    create_interview,
    end_interview,
    get_interview,
    send_message,
    start_interview,
    stream_reply,
    submit_answer,
    usage_summary,
)
from core.llm.chat_models import ChatError, json_part
from core.llm.providers import LLMChoice, validate_choice
from core.models import Role, TranscriptEntry
from core.whiteboard.snapshots import save_snapshot
from core.whiteboard.vision import MAX_IMAGE_BYTES
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.llm_fakes import (
    AnthropicServer,
    EmptyStream,
    Error,
    OpenAIServer,
    RecordedRequest,
    Reply,
    SelfHosted,
    StreamError,
)

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

OPENAI_KEY = "sk-openai-fake-01"
ANTHROPIC_KEY = "sk-ant-fake-key-01"


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
            # a local server run with a window the evaluation fits in (its own default, 4,096, does not)
            "openai_compatible": ProviderSettings(
                models=["local"], base_url=openai_server.base_url, context_window=32_768, timeout_seconds=5
            ),
        },
        prices={"gpt-test": Price(input=1.0, output=2.0), "claude-test": Price(input=3.0, output=15.0)},
        evaluation_samples=1,  # one answer per evaluation here; sampling: tests/integration/evaluation
    )
    return build_workspace(settings)


OPENAI = LLMChoice("openai", "gpt-test", OPENAI_KEY)
ANTHROPIC = LLMChoice("anthropic", "claude-test", ANTHROPIC_KEY)


def started(ws: Workspace, choice: LLMChoice) -> str:
    session = create_interview(
        ws, problem_id="url_shortener", provider=choice.provider, model=choice.model, actor=CANDIDATE
    )
    start_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def generations(server: OpenAIServer) -> list[RecordedRequest]:
    """The chat requests a server received, without the GETs that ask it about its context window."""
    return [r for r in server.requests if r.path == "/v1/chat/completions"]


def planned_reply(ws: Workspace, session_id: str) -> str:
    """What the offline engine plans next: the LLM voices it, the fallback says it verbatim."""
    view = get_interview(ws, session_id, actor=CANDIDATE)
    planner = OfflineInterviewer(view.problem, ws.rubric(view.session.rubric_id))
    return planner.reply(view.session, view.messages, ws.clock()).text


def test_a_reply_streams_in_pieces_and_records_tokens_and_cost(ws: Workspace, openai_server: OpenAIServer) -> None:
    session_id = started(ws, OPENAI)
    openai_server.script(
        Reply(text="Good question. We expect about 100 million new links a day.", input_tokens=400, output_tokens=15)
    )
    submit_answer(ws, session_id, "How many new links are created per day?", actor=CANDIDATE)
    plan = planned_reply(ws, session_id)
    reply = stream_reply(ws, session_id, llm=OPENAI)
    chunks = list(reply)

    assert len(chunks) > 3 and "".join(chunks) == "Good question. We expect about 100 million new links a day."
    assert reply.fallback is None
    assert reply.message is not None and reply.message.content == "".join(chunks)
    assert reply.message.meta["provider"] == "openai" and reply.message.meta["model"] == "gpt-test"

    request = openai_server.requests[-1]
    assert request.stream and request.body["model"] == "gpt-test"
    system = request.body["messages"][0]
    assert system["role"] == "system" and plan not in system["content"]  # the same in every turn
    assert request.body["messages"][1]["role"] == "user"  # the conversation starts with the candidate
    latest = request.body["messages"][-1]["content"]
    answer, _, note = latest.partition("\n\n")  # the candidate's words, then the turn's note
    assert answer == "How many new links are created per day?"
    assert note.startswith("[Interviewer's note, not from the candidate]") and plan in note  # the move it voices

    summary = usage_summary(ws, session_id, actor=CANDIDATE)
    assert (summary.calls, summary.input_tokens, summary.output_tokens) == (1, 400, 15)
    assert summary.cost_usd == pytest.approx((400 * 1.0 + 15 * 2.0) / 1_000_000)
    assert summary.by_operation["question_generation"]["calls"] == 1


def test_a_provider_that_stays_down_leaves_the_offline_reply(ws: Workspace, openai_server: OpenAIServer) -> None:
    session_id = started(ws, OPENAI)
    openai_server.script(Error(500, retry_after_ms=1), Error(502, retry_after_ms=1), Error(503, retry_after_ms=1))
    submit_answer(ws, session_id, "Users paste a long link and get a short one back.", actor=CANDIDATE)
    plan = planned_reply(ws, session_id)
    reply = stream_reply(ws, session_id, llm=OPENAI)
    text = "".join(reply)

    assert len(openai_server.requests) == 3  # one call and two retries, then give up
    assert text == plan and reply.message is not None and reply.message.content == plan
    assert reply.fallback is not None and "OpenAI" in reply.fallback and "offline" in reply.fallback
    messages = get_interview(ws, session_id, actor=CANDIDATE).messages
    assert [m.role for m in messages[-2:]] == [Role.CANDIDATE, Role.INTERVIEWER]
    assert messages[-2].content == "Users paste a long link and get a short one back."
    assert messages[-1].meta.get("fallback") is True
    with ws.uow_factory() as uow:
        assert "provider_fallback" in [e.action for e in uow.audit.latest(session_id=session_id)]
    assert usage_summary(ws, session_id, actor=CANDIDATE).calls == 0

    # The next answer doesn't wait out the retries again: offline at once, while it cools down.
    openai_server.reset()
    submit_answer(ws, session_id, "And redirects?", actor=CANDIDATE)
    second = stream_reply(ws, session_id, llm=OPENAI)
    assert "".join(second) and openai_server.requests == []
    assert second.fallback is not None and "again in" in second.fallback

    # After the cool-down the provider is asked again, and answers.
    ws.provider_health.cooldown_seconds = 0
    openai_server.script(Reply(text="Back again: what is your p99 target?"))
    third = send_message(ws, session_id, "Redirects must be fast.", llm=OPENAI, actor=CANDIDATE)
    assert third.content == "Back again: what is your p99 target?"


def test_a_stream_that_breaks_midway_falls_back_and_stores_the_plan(ws: Workspace, openai_server: OpenAIServer) -> None:
    session_id = started(ws, OPENAI)
    openai_server.script(StreamError(after_chunks=2))
    submit_answer(ws, session_id, "Users create short links.", actor=CANDIDATE)
    plan = planned_reply(ws, session_id)
    reply = stream_reply(ws, session_id, llm=OPENAI)
    list(reply)
    assert reply.fallback is not None
    assert reply.message is not None and reply.message.content == plan


def test_an_empty_stream_is_no_reply_and_the_plan_is_stored_with_a_notice(
    ws: Workspace, openai_server: OpenAIServer
) -> None:
    """llama.cpp answers 200 with an empty event stream when the prompt overflows the model's context."""
    session_id = started(ws, OPENAI)
    openai_server.script(EmptyStream())
    submit_answer(ws, session_id, "Users create short links.", actor=CANDIDATE)
    plan = planned_reply(ws, session_id)
    reply = stream_reply(ws, session_id, llm=OPENAI)
    text = "".join(reply)

    assert text == plan and reply.message is not None and reply.message.content == plan
    assert reply.fallback is not None and "empty reply" in reply.fallback and "offline" in reply.fallback
    assert reply.message.meta.get("fallback") is True and "provider" not in reply.message.meta
    assert usage_summary(ws, session_id, actor=CANDIDATE).calls == 0  # no model reply to count


def test_a_tab_without_the_key_continues_offline_and_says_why(ws: Workspace, openai_server: OpenAIServer) -> None:
    session_id = started(ws, OPENAI)
    reply = send_message(ws, session_id, "How many redirects per second?", llm=None, actor=CANDIDATE)
    assert openai_server.requests == []
    assert reply.meta.get("fallback") is True
    streamed = stream_reply(ws, session_id, llm=None)
    list(streamed)
    assert streamed.fallback is not None and "Setup" in streamed.fallback


DESIGN = (
    "Links live in a key-value store sharded by the short code, and a load balancer spreads redirects over "
    "stateless servers, so we add capacity as traffic grows without touching the write path. Each link is "
    "about 500 bytes, so a billion links is half a terabyte."
)
"""Enough words for the evaluation's quality gate: below it no evaluator, LLM or offline, scores."""


def test_an_llm_evaluation_is_validated_weighted_and_recorded(ws: Workspace, anthropic_server: AnthropicServer) -> None:
    session_id = started(ws, ANTHROPIC)
    anthropic_server.script(Reply(text="Sure — about 100 million a day.", input_tokens=300, output_tokens=9))
    send_message(
        ws,
        session_id,
        "How many new links per day? I'd cache hot links in Redis because reads dominate. " + DESIGN,
        llm=ANTHROPIC,
        actor=CANDIDATE,
    )
    rubric = ws.rubric("system_design")
    report = {
        "competencies": [
            {
                "key": c.key,
                "score": 4.0 if c.key == "scalability" else 2.0,
                "confidence": 0.6,
                "rationale": f"About {c.name}.",
                "evidence": ["I'd cache hot links in Redis because reads dominate", "a quote nobody said at all"],
            }
            for c in rubric.competencies
        ],
        "went_well": ["You justified the cache with the read ratio."],
        "went_okay": [],
        "needs_improvement": ["No estimates."],
        "improvement_plan": [{"title": "Estimate", "detail": "Practise QPS maths.", "resources": ["DDIA ch. 1"]}],
    }
    anthropic_server.script(Reply(text=json.dumps(report), input_tokens=2000, output_tokens=600))
    evaluation = end_interview(ws, session_id, llm=ANTHROPIC, actor=CANDIDATE)

    assert evaluation.engine == "anthropic" and evaluation.model == "claude-test"
    assert evaluation.prompt_version == "evaluator/v3"
    expected = rubric.overall({c.key: (4.0 if c.key == "scalability" else 2.0) for c in rubric.competencies})
    assert evaluation.overall_score == expected
    scalability = next(c for c in evaluation.competencies if c.key == "scalability")
    assert [e.quote for e in scalability.evidence] == ["I'd cache hot links in Redis because reads dominate"]
    assert evaluation.communication["candidate_words"] > 0  # measured offline, not asked of the model

    summary = usage_summary(ws, session_id, actor=CANDIDATE)
    assert summary.by_operation["evaluation"]["input_tokens"] == 2000
    assert summary.by_operation["question_generation"]["calls"] == 1
    # the long system prompts were marked for Anthropic's prompt cache: written once, at 1.25x the input price
    written = summary.cache_write_tokens
    assert written > 0 and summary.cache_read_tokens == 0
    assert summary.cost_usd == pytest.approx(((2300 - written) * 3.0 + written * 3.75 + 609 * 15.0) / 1_000_000)


def test_an_evaluation_that_does_not_fit_the_schema_falls_back_offline_and_says_so(
    ws: Workspace, anthropic_server: AnthropicServer
) -> None:
    session_id = started(ws, ANTHROPIC)
    send_message(
        ws, session_id, DESIGN, llm=None, actor=CANDIDATE
    )  # enough to judge (the quality gate), answered offline
    anthropic_server.script(Reply(text='{"competencies": [{"key": "requirements", "score": 9}]}'))
    evaluation = end_interview(ws, session_id, llm=ANTHROPIC, actor=CANDIDATE)
    assert evaluation.engine == "offline"
    assert "Anthropic" in evaluation.notes[0] and "format" in evaluation.notes[0]
    assert (
        usage_summary(ws, session_id, actor=CANDIDATE).by_operation["evaluation"]["calls"] == 1
    )  # the tokens were still spent


def test_credential_checks_give_actionable_messages(ws: Workspace, openai_server: OpenAIServer) -> None:
    validate_choice(ws.settings, OPENAI)

    with pytest.raises(ChatError) as wrong:
        validate_choice(ws.settings, LLMChoice("openai", "gpt-test", "sk-wrong-key-0000"))
    assert wrong.value.kind == "auth" and "401" in str(wrong.value) and "sk-wrong" not in str(wrong.value)

    with pytest.raises(ChatError) as unknown:
        validate_choice(ws.settings, LLMChoice("openai", "gpt-nope", OPENAI_KEY))
    assert unknown.value.kind == "model" and "gpt-nope" in str(unknown.value)

    with pytest.raises(ChatError) as missing:
        validate_choice(ws.settings, LLMChoice("anthropic", "claude-test", None))
    assert missing.value.kind == "missing_key" and "ANTHROPIC_API_KEY" in str(missing.value)

    openai_server.script(*[Error(429, retry_after_ms=1)] * 3)
    with pytest.raises(ChatError) as limited:
        validate_choice(ws.settings, OPENAI)
    assert limited.value.kind == "rate_limit" and "429" in str(limited.value)


def test_an_openai_compatible_server_needs_no_key(ws: Workspace, openai_server: OpenAIServer) -> None:
    openai_server.api_key = None
    openai_server.models = None  # a local server serves whatever model it has loaded
    local = LLMChoice("openai-compatible", "local", None)
    session_id = started(ws, local)
    openai_server.script(Reply(text="Tell me about the read path."))
    reply = send_message(ws, session_id, "Users shorten links.", llm=local, actor=CANDIDATE)
    assert reply.content == "Tell me about the read path."


# --- the whiteboard at evaluation: the offline graph in the prompt, the picture to a vision model ---------

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whiteboard"
BOARD = json.loads((FIXTURES / "url_shortener.json").read_text())
PNG = (FIXTURES / "url_shortener.png").read_bytes()
READING = {
    "summary": "A client goes through an ELB to API servers, which read Redis and Postgres; Postgres has a replica.",
    "components": ["Client", "ELB (load balancer)", "API servers", "Redis (cache)", "Postgres", "read replica"],
    "connections": ["Client → ELB", "ELB → API servers", "API servers → Redis", "API servers → Postgres"],
    "missing": ["a key generation service", "analytics queue"],
    "concerns": ["no CDN in front of the redirects"],
}


def llm_report(ws: Workspace, *evidence: str) -> str:
    """A well-formed evaluation answer: every competency 3.0, citing `evidence` under scalability."""
    rubric = ws.rubric("system_design")
    return json.dumps(
        {
            "competencies": [
                {
                    "key": c.key,
                    "score": 3.0,
                    "confidence": 0.6,
                    "rationale": f"About {c.name}.",
                    "evidence": list(evidence) if c.key == "scalability" else [],
                }
                for c in rubric.competencies
            ],
            "improvement_plan": [{"title": "Estimate", "detail": "Practise QPS maths.", "resources": []}],
        }
    )


def drawn_interview(ws: Workspace, choice: LLMChoice, png: bytes | None = PNG) -> str:
    session_id = started(ws, choice)
    send_message(
        ws, session_id, DESIGN, llm=None, actor=CANDIDATE
    )  # enough to judge, answered offline (no provider call)
    save_snapshot(ws, session_id, BOARD, png, actor=CANDIDATE)
    return session_id


@pytest.mark.parametrize("choice", [OPENAI, ANTHROPIC], ids=["openai", "anthropic"])
def test_a_vision_provider_reads_the_whiteboard_picture_and_the_report_shows_it(
    ws: Workspace, openai_server: OpenAIServer, anthropic_server: AnthropicServer, choice: LLMChoice
) -> None:
    server: OpenAIServer | AnthropicServer = openai_server if choice is OPENAI else anthropic_server
    session_id = drawn_interview(ws, choice)
    server.script(
        Reply(text=json.dumps(READING), input_tokens=900, output_tokens=80),
        Reply(text=llm_report(ws, "Whiteboard: API servers → Redis", "Whiteboard: Kafka → Spark"), input_tokens=2000),
    )
    evaluation = end_interview(ws, session_id, llm=choice, actor=CANDIDATE)

    picture, scoring = server.requests
    assert server.images(picture) == [PNG]  # decoded from the provider's own wire shape
    content = picture.body["messages"][-1]["content"]
    if choice is OPENAI:
        assert content[-1] == {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()},
        }
    else:
        assert content[0] == {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(PNG).decode()},
        }
    assert "Design a URL Shortener" in (picture.body.get("system") or picture.body["messages"][0]["content"])
    assert server.images(scoring) == []  # the picture is read once; the evaluation gets the reading as text
    asked = json.loads(json_part(scoring.body["messages"][-1]["content"]))["whiteboard"]
    assert "Whiteboard: API servers → Redis" in asked["citable_lines"] and asked["drawing"]
    assert asked["picture"]["model"] == choice.model and READING["summary"] in asked["picture"]["reading"][0]

    assert evaluation.engine == choice.provider and evaluation.prompt_version == "evaluator/v3"
    stored = get_interview(ws, session_id, actor=CANDIDATE).evaluation
    assert stored is not None and stored.communication["whiteboard"]["model_reading"]["summary"] == READING["summary"]
    scalability = next(c for c in stored.competencies if c.key == "scalability")
    assert [(e.quote, e.source) for e in scalability.evidence] == [("Whiteboard: API servers → Redis", "whiteboard")]

    report = load_report(ws, session_id, actor=CANDIDATE)
    assert report.whiteboard_reading is not None and report.whiteboard_reading.model == choice.model
    assert report.whiteboard_reading.concerns == ["no CDN in front of the redirects"]
    markdown = report_markdown(report)
    assert f"The model's reading of the picture ({choice.model})" in markdown and READING["summary"] in markdown
    assert "Read from the drawing's shapes and labels" in markdown
    usage = usage_summary(ws, session_id, actor=CANDIDATE).by_operation
    assert usage["whiteboard_analysis"]["calls"] == 1 and usage["whiteboard_analysis"]["input_tokens"] == 900
    assert usage["evaluation"]["input_tokens"] == 2000


def test_a_drawn_interview_evaluated_again_reads_the_picture_and_judges_from_the_cache(
    ws: Workspace, openai_server: OpenAIServer
) -> None:
    """The picture's reading goes into the evaluation's request: read afresh, it could differ and every answer
    would be asked again. From the cache, the second evaluation of the same drawing and words sends nothing."""

    def spoken_and_drawn() -> str:
        session_id = started(ws, OPENAI)
        with ws.uow_factory() as uow:
            uow.transcripts.add(TranscriptEntry(session_id, "candidate", DESIGN, 5.0, 25.0))
            uow.commit()
        save_snapshot(ws, session_id, BOARD, PNG, actor=CANDIDATE)
        return session_id

    openai_server.script(Reply(text=json.dumps(READING)), Reply(text=llm_report(ws, "Whiteboard: API servers → Redis")))
    first = end_interview(ws, spoken_and_drawn(), llm=OPENAI, actor=CANDIDATE)
    assert len(openai_server.requests) == 2
    openai_server.reset()

    again_id = spoken_and_drawn()
    again = end_interview(ws, again_id, llm=OPENAI, actor=CANDIDATE)
    assert openai_server.requests == []
    assert again.communication["whiteboard"]["model_reading"] == first.communication["whiteboard"]["model_reading"]
    usage = usage_summary(ws, again_id, actor=CANDIDATE)
    assert usage.by_operation["whiteboard_analysis"]["cached_answers"] == 1 and usage.input_tokens == 0
    assert usage.cache_text() == "2 of 2 model answers from the cache"


def test_a_provider_without_vision_gets_no_picture(ws: Workspace, openai_server: OpenAIServer) -> None:
    openai_server.api_key, openai_server.models = None, None  # a local server serving the model it has loaded
    openai_server.self_hosted = SelfHosted("ollama")  # it takes the answer's whole schema for its grammar
    local = LLMChoice("openai-compatible", "local", None)  # vision: false unless configured
    session_id = drawn_interview(ws, local)
    openai_server.script(Reply(text=llm_report(ws)))
    evaluation = end_interview(ws, session_id, llm=local, actor=CANDIDATE)

    (scoring,) = generations(openai_server)  # besides the questions about its context window
    assert OpenAIServer.images(scoring) == [] and isinstance(scoring.body["messages"][-1]["content"], str)
    assert "Whiteboard: API servers → Redis" in scoring.body["messages"][-1]["content"]  # the offline reading goes
    assert evaluation.engine == "openai-compatible" and "model_reading" not in evaluation.communication["whiteboard"]
    assert not any("image" in note for note in evaluation.notes)

    ws.settings.providers["openai_compatible"].vision = True  # a server running a model that reads images
    session_id = drawn_interview(ws, local)
    openai_server.script(Reply(text=json.dumps(READING)), Reply(text=llm_report(ws)))
    end_interview(ws, session_id, llm=local, actor=CANDIDATE)
    assert [len(OpenAIServer.images(r)) for r in generations(openai_server)[1:]] == [1, 0]


def test_a_failed_picture_reading_leaves_a_note_and_the_evaluation_completes(
    ws: Workspace, openai_server: OpenAIServer
) -> None:
    openai_server.vision = False  # the configured model turns out to read no images: a 400, not retried
    session_id = drawn_interview(ws, OPENAI)
    openai_server.script(Reply(text=llm_report(ws)))
    evaluation = end_interview(ws, session_id, llm=OPENAI, actor=CANDIDATE)

    assert len(openai_server.requests) == 2  # the refused picture, then the evaluation
    assert evaluation.engine == "openai" and evaluation.overall_score == 3.0
    assert "model_reading" not in evaluation.communication["whiteboard"]
    (note,) = [n for n in evaluation.notes if "image analysis" in n]
    assert note.startswith("The OpenAI whiteboard image analysis failed (") and "shapes and labels only" in note
    assert "Traceback" not in note
    assert load_report(ws, session_id, actor=CANDIDATE).whiteboard_reading is None


def test_a_picture_reading_out_of_shape_is_dropped_with_a_note(
    ws: Workspace, anthropic_server: AnthropicServer
) -> None:
    session_id = drawn_interview(ws, ANTHROPIC)
    anthropic_server.script(Reply(text='{"components": "Redis"}'), Reply(text=llm_report(ws)))
    evaluation = end_interview(ws, session_id, llm=ANTHROPIC, actor=CANDIDATE)
    assert evaluation.engine == "anthropic" and "model_reading" not in evaluation.communication["whiteboard"]
    assert any("did not fit the expected format" in n for n in evaluation.notes)
    assert (
        usage_summary(ws, session_id, actor=CANDIDATE).by_operation["whiteboard_analysis"]["calls"] == 1
    )  # its tokens were spent


def test_a_picture_reading_cut_off_at_the_output_limit_is_dropped_with_a_note(
    ws: Workspace, anthropic_server: AnthropicServer
) -> None:
    session_id = drawn_interview(ws, ANTHROPIC)
    anthropic_server.script(Reply(text=json.dumps(READING), stop="length"), Reply(text=llm_report(ws)))
    evaluation = end_interview(ws, session_id, llm=ANTHROPIC, actor=CANDIDATE)
    assert evaluation.engine == "anthropic" and "model_reading" not in evaluation.communication["whiteboard"]
    assert any(
        "whiteboard image analysis stopped at the output limit before its JSON was complete" in n
        for n in evaluation.notes
    )


def test_a_picture_over_the_limit_is_not_sent(ws: Workspace, openai_server: OpenAIServer) -> None:
    huge = PNG + bytes(MAX_IMAGE_BYTES)
    session_id = drawn_interview(ws, OPENAI, png=huge)
    openai_server.script(Reply(text=llm_report(ws)))
    evaluation = end_interview(ws, session_id, llm=OPENAI, actor=CANDIDATE)
    (scoring,) = generations(openai_server)  # besides the questions about its context window
    assert OpenAIServer.images(scoring) == []
    assert any("over the 4 MB limit for image analysis" in n for n in evaluation.notes)


def test_an_evaluation_that_falls_back_offline_keeps_the_board_credit_and_the_reading(
    ws: Workspace, openai_server: OpenAIServer
) -> None:
    session_id = drawn_interview(ws, OPENAI)
    openai_server.script(Reply(text=json.dumps(READING)), Reply(text="not json"))
    evaluation = end_interview(ws, session_id, llm=OPENAI, actor=CANDIDATE)
    assert evaluation.engine == "offline" and "format" in evaluation.notes[0]
    assert evaluation.communication["whiteboard"]["model_reading"]["summary"] == READING["summary"]
    design = next(c for c in evaluation.competencies if c.key == "high_level_design")
    assert any(e.source == "whiteboard" for e in design.evidence)


def test_nothing_drawn_means_no_picture_call(ws: Workspace, anthropic_server: AnthropicServer) -> None:
    session_id = started(ws, ANTHROPIC)
    send_message(ws, session_id, DESIGN, llm=None, actor=CANDIDATE)
    save_snapshot(
        ws, session_id, {"objects": [], "background": "#ffffff"}, PNG, actor=CANDIDATE
    )  # cleared: a blank picture
    anthropic_server.script(Reply(text=llm_report(ws)))
    evaluation = end_interview(ws, session_id, llm=ANTHROPIC, actor=CANDIDATE)
    assert len(anthropic_server.requests) == 1 and "whiteboard" not in evaluation.communication
