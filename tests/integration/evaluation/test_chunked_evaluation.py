"""A long spoken interview evaluated on a small self-hosted model (the loopback fake of llama.cpp, 4,096 tokens),
through the services, the real openai SDK and a real database: in parts that each fit, overlapping by a fifth,
merged as the scripted part answers say; asked again, answered from the answer cache with nothing sent.

What the fake server received is the proof: every request fits its window (it counts tokens its own way and
refuses a prompt over n_ctx), and consecutive parts share a fifth of their transcript entries.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from core.config import ProviderSettings, Settings
from core.evaluation.chunked_evaluation import PART_ANSWER_TOKENS
from core.evaluation.llm_evaluator import LLM_PARTS
from core.interview.services import create_interview, end_interview, start_interview, usage_summary
from core.llm.providers import LLMChoice
from core.models import Evaluation, TranscriptEntry, Utterance
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.graded_set import long_interview
from tests.llm_fakes import LLAMA_CPP_PYTHON_REFUSAL, OpenAIServer, RecordedRequest, SelfHosted
from tests.part_answers import MERGED, part_of, responder

pytestmark = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

LOCAL = LLMChoice("openai-compatible", "qwen2.5-0.5b", None)
OTHER = LLMChoice("openai-compatible", "llama3.2-1b", None)
N_CTX = 4096
LONG = long_interview(20, problem="url_shortener")  # 20 minutes of a spoken interview: some 7,000 tokens


@pytest.fixture
def llama_cpp() -> Iterator[tuple[OpenAIServer, SelfHosted]]:
    hosted = SelfHosted("llama.cpp", n_ctx=N_CTX, counts_usage=True)
    with OpenAIServer(self_hosted=hosted) as server:
        yield server, hosted


@pytest.fixture
def ws(database_url: str, tmp_path: Path, llama_cpp: tuple[OpenAIServer, SelfHosted]) -> Workspace:
    server, _ = llama_cpp
    settings = Settings(
        database_url=database_url,
        runtime_dir=tmp_path,
        providers={
            "openai_compatible": ProviderSettings(
                models=[LOCAL.model, OTHER.model], base_url=server.base_url, timeout_seconds=5
            )
        },
        evaluation_samples=1,
    )
    workspace = build_workspace(settings)
    server.respond = responder([c.key for c in workspace.rubric("system_design").competencies])
    return workspace


def spoken(ws: Workspace, lines: list[Utterance], choice: LLMChoice = LOCAL) -> str:
    """An interview whose answers were spoken: its transcript holds `lines`."""
    session = create_interview(
        ws, problem_id="url_shortener", provider=choice.provider, model=choice.model, actor=CANDIDATE
    )
    start_interview(ws, session.id, actor=CANDIDATE)
    with ws.uow_factory() as uow:
        for line in lines:
            assert line.start is not None and line.end is not None
            uow.transcripts.add(TranscriptEntry(session.id, line.speaker, line.text, line.start, line.end))
        uow.commit()
    return session.id


def chats(server: OpenAIServer) -> list[RecordedRequest]:
    return [r for r in server.requests if r.path == "/v1/chat/completions"]


def transcript_sent(request: RecordedRequest) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = part_of(request.body["messages"][-1]["content"])["transcript"]
    return entries


def scores(evaluation: Evaluation) -> dict[str, float | None]:
    return {c.key: c.score for c in evaluation.competencies}


def test_a_long_interview_on_a_small_model_is_evaluated_in_parts_that_fit_and_overlap_by_a_fifth(
    ws: Workspace, llama_cpp: tuple[OpenAIServer, SelfHosted]
) -> None:
    server, hosted = llama_cpp
    session_id = spoken(ws, LONG)
    evaluation = end_interview(ws, session_id, llm=LOCAL, actor=CANDIDATE)

    requests = chats(server)
    count = len(requests)
    assert count >= 5 and hosted.refusals == []
    for number, request in enumerate(requests, start=1):
        assert part_of(request.body["messages"][-1]["content"])["part"] == {"number": number, "of": count}
        assert request.body["max_tokens"] == PART_ANSWER_TOKENS
        assert request.body["response_format"]["json_schema"]["name"] == "evaluation_part"
        assert SelfHosted.prompt_tokens(request.body["messages"]) + PART_ANSWER_TOKENS <= N_CTX
    shares = []
    for earlier, later in itertools.pairwise(transcript_sent(r) for r in requests):
        shared = next(k for k in range(len(earlier), 0, -1) if earlier[-k:] == later[:k])
        shares.append(shared / len(earlier))
    assert all(0.1 <= share <= 0.3 for share in shares) and abs(sum(shares) / len(shares) - 0.2) < 0.05, shares
    assert server.paths().count("GET /props") == 1

    assert evaluation.engine == "openai-compatible" and evaluation.prompt_version == "evaluator_part/v1"
    assert scores(evaluation) == {**dict.fromkeys(scores(evaluation), 1.0), **MERGED}
    assert evaluation.communication[LLM_PARTS]["parts"] == count
    assert f"judged it in {count} parts" in evaluation.notes[0]
    usage = usage_summary(ws, session_id, actor=CANDIDATE)
    assert (usage.answers, usage.cached_answers) == (count, 0)
    assert usage.cache_text() == f"none of {count} model answers from the cache"
    served = sum(SelfHosted.prompt_tokens(r.body["messages"]) for r in requests)
    assert usage.input_tokens == served  # the server's own counts, as it reported them


def test_the_same_interview_evaluated_again_sends_nothing_and_says_all_came_from_the_cache(
    ws: Workspace, llama_cpp: tuple[OpenAIServer, SelfHosted]
) -> None:
    server, _ = llama_cpp
    first = end_interview(ws, spoken(ws, LONG), llm=LOCAL, actor=CANDIDATE)
    count = len(chats(server))
    server.reset()

    again_id = spoken(ws, LONG)  # the same spoken interview, as a second look reads it
    again = end_interview(ws, again_id, llm=LOCAL, actor=CANDIDATE)
    assert chats(server) == []
    assert scores(again) == scores(first) and again.notes == first.notes
    usage = usage_summary(ws, again_id, actor=CANDIDATE)
    assert (usage.input_tokens, usage.output_tokens, usage.cost_usd) == (0, 0, 0.0)
    assert usage.cache_text() == f"{count} of {count} model answers from the cache"
    assert usage.by_operation["evaluation"]["cached_answers"] == count


def test_a_changed_transcript_or_another_model_misses_the_cache(
    ws: Workspace, llama_cpp: tuple[OpenAIServer, SelfHosted]
) -> None:
    server, _ = llama_cpp
    end_interview(ws, spoken(ws, LONG), llm=LOCAL, actor=CANDIDATE)
    count = len(chats(server))

    server.reset()
    changed = [*LONG[:-1], replace(LONG[-1], text=LONG[-1].text + " Thanks, that was fun.")]
    changed_id = spoken(ws, changed)
    end_interview(ws, changed_id, llm=LOCAL, actor=CANDIDATE)
    asked = [part_of(r.body["messages"][-1]["content"])["part"]["number"] for r in chats(server)]
    assert asked in ([count], [count - 1, count])  # the part holding the line (the last two share the end)
    assert usage_summary(ws, changed_id, actor=CANDIDATE).cached_answers == count - len(asked)

    server.reset()
    other_id = spoken(ws, LONG, OTHER)
    end_interview(ws, other_id, llm=OTHER, actor=CANDIDATE)
    assert len(chats(server)) == count and {r.body["model"] for r in chats(server)} == {OTHER.model}
    assert usage_summary(ws, other_id, actor=CANDIDATE).cached_answers == 0


def test_the_same_model_name_on_another_server_misses_the_cache(
    ws: Workspace, llama_cpp: tuple[OpenAIServer, SelfHosted]
) -> None:
    """llama.cpp answers to any model name: two servers may run different models under one name, so an answer
    is kept per server as well."""
    server, hosted = llama_cpp
    end_interview(ws, spoken(ws, LONG), llm=LOCAL, actor=CANDIDATE)
    with OpenAIServer(self_hosted=hosted) as elsewhere:
        elsewhere.respond = server.respond
        on_another = replace(LOCAL, base_url=elsewhere.base_url)
        other_id = spoken(ws, LONG, on_another)
        end_interview(ws, other_id, llm=on_another, actor=CANDIDATE)
        assert chats(elsewhere)  # asked again, not answered from the first server's answers
    assert usage_summary(ws, other_id, actor=CANDIDATE).cached_answers == 0


def test_a_server_refusing_json_schema_is_asked_each_part_with_json_object_and_its_schema(
    ws: Workspace, llama_cpp: tuple[OpenAIServer, SelfHosted]
) -> None:
    """llama-cpp-python's server refuses response_format json_schema (a 500 naming it) but builds its grammar from
    json_object's "schema": refused once, not resent, then every part asked its way; the evaluation is the model's."""
    server, hosted = llama_cpp
    server.refuse_json_schema = LLAMA_CPP_PYTHON_REFUSAL
    evaluation = end_interview(ws, spoken(ws, LONG), llm=LOCAL, actor=CANDIDATE)

    formats = [r.body["response_format"] for r in chats(server)]
    assert formats[0]["type"] == "json_schema" and len(formats) >= 6 and hosted.refusals == []
    assert all(f["type"] == "json_object" and f["schema"]["properties"]["competencies"] for f in formats[1:])
    assert evaluation.engine == "openai-compatible" and scores(evaluation) == {
        **dict.fromkeys(scores(evaluation), 1.0),
        **MERGED,
    }
