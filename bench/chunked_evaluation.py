"""An hour-long interview evaluated by a small self-hosted model: in parts, then again from the answer cache.

Builds a 60-minute spoken interview from the graded tune set (every exchange, retimed one after another at 150
words a minute: tests/graded_set.long_interview) and ends it, as the product does (core.interview.services
end_interview: the offline reader, the correctness findings, the LLM evaluator, the answer cache in a SQLite
database), against the loopback fake of llama.cpp with a 4,096- and an 8,192-token window. The fake counts
tokens its own way (a token per 4 characters, 4 per message) and reports them as usage, like a real server;
it answers each part at once with a scripted judgement (tests/part_answers.py), so the times are the
product's own work and the HTTP round trips, not a model's. Then a second interview holding the same
transcript is ended: every answer comes from the cache.

Prints, per window: parts and requests, the share of entries consecutive parts share, the prompt tokens we
estimated (core.llm.context_budget, on the safe side) against the server's counts, the largest request
against the window, the time of both runs and the second run's cache hit rate. Asserts nothing.

`--llama-server` runs it on the real servers instead (tests/llama_server.py: llama.cpp's own and llama-cpp-python's,
where installed: ./setup.sh --llama), two threads, with tests/llama_model.py's tiny random-weight model: its words
are nonsense, but every part is asked for the evaluation's JSON schema, which the server turns into a grammar
(core.llm.answer_formats), so whether each part's answer closes within its output limit, parses and merges is
the real thing. Prints per server: the way it took the schema, each part's output tokens and whether it stopped at
the limit, the evaluation stored (the model's, or the offline fallback and why), prompt tokens we estimated
against the server's own counts (its usage), and the second run's cache hit rate.

    .venv/bin/python bench/chunked_evaluation.py [--samples 3] [--windows 4096,8192]
    .venv/bin/python bench/chunked_evaluation.py --llama-server [--samples 1] [--windows 4096] [--part-tokens 1600]

`--part-tokens` sets a part's output limit (PART_ANSWER_TOKENS, 1,200) for this run: the random model fills every
string its schema allows in tiny word pieces (about 2.5 characters a token, against some 4 for a real model's
prose) and llama.cpp's grammar lets it pad with whitespace, so its part answers run to 1,100-1,250 tokens.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import ProviderSettings, Settings
from core.content.text_signals import word_count
from core.evaluation import chunked_evaluation as chunked
from core.evaluation import llm_evaluator
from core.evaluation.llm_evaluator import LLM_PARTS
from core.interview.services import create_interview, end_interview, start_interview, usage_summary
from core.llm import (
    answer_formats,
    chat_factory,  # noqa: F401 - imported up front, as in a running server (the SDKs take seconds)
)
from core.llm.chat_models import AnswerSchema, ChatMessage
from core.llm.context_budget import prompt_tokens
from core.llm.openai_chat import OpenAIChatModel
from core.llm.providers import LLMChoice
from core.models import Evaluation, TranscriptEntry, Utterance
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.graded_set import long_interview
from tests.llama_model import corpus, write_model
from tests.llama_server import KINDS, MODEL_NAME, ROOT, Kind, missing, running
from tests.llm_fakes import OpenAIServer, RecordedRequest, SelfHosted
from tests.part_answers import part_of, responder

LOCAL = LLMChoice("openai-compatible", "qwen2.5-0.5b", None)
MINUTES = 60


def spoken(ws: Workspace, lines: list[Utterance], *, offline: bool = False, model: str = LOCAL.model) -> str:
    provider, chosen = ("offline", None) if offline else (LOCAL.provider, model)
    session = create_interview(ws, problem_id="url_shortener", provider=provider, model=chosen, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    with ws.uow_factory() as uow:
        for line in lines:
            uow.transcripts.add(
                TranscriptEntry(session.id, line.speaker, line.text, line.start or 0.0, line.end or 0.0)
            )
        uow.commit()
    return session.id


def timed_end(ws: Workspace, session_id: str, llm: LLMChoice | None) -> tuple[Evaluation, float]:
    started = time.perf_counter()
    evaluation = end_interview(ws, session_id, llm=llm, actor=CANDIDATE)
    return evaluation, time.perf_counter() - started


def chats(server: OpenAIServer) -> list[RecordedRequest]:
    return [r for r in server.requests if r.path == "/v1/chat/completions"]


def estimated(request: RecordedRequest) -> int:
    """Our estimate of a request's prompt, as context_budget counts it when fitting it."""
    system, *messages = request.body["messages"]
    return prompt_tokens(system["content"], [ChatMessage(m["role"], m["content"]) for m in messages])


def shared_share(earlier: RecordedRequest, later: RecordedRequest) -> float:
    a, b = (
        part_of(earlier.body["messages"][-1]["content"])["transcript"],
        part_of(later.body["messages"][-1]["content"])["transcript"],
    )
    shared = next((k for k in range(len(a), 0, -1) if a[-k:] == b[:k]), 0)
    return shared / len(a)


def run(window: int, samples: int, talk: list[Utterance]) -> None:
    hosted = SelfHosted("llama.cpp", n_ctx=window, counts_usage=True)
    with tempfile.TemporaryDirectory() as tmp, OpenAIServer(self_hosted=hosted) as server:
        section = ProviderSettings(models=[LOCAL.model], base_url=server.base_url)
        ws = build_workspace(
            Settings(runtime_dir=Path(tmp), providers={"openai_compatible": section}, evaluation_samples=samples)
        )
        server.respond = responder([c.key for c in ws.rubric("system_design").competencies])
        _, offline_seconds = timed_end(ws, spoken(ws, talk, offline=True), None)  # all but asking the model
        evaluation, first_seconds = timed_end(ws, spoken(ws, talk), LOCAL)
        requests = chats(server)
        parts = evaluation.communication.get(LLM_PARTS, {}).get("parts", 1)
        server.reset()
        second = spoken(ws, talk)
        _, second_seconds = timed_end(ws, second, LOCAL)
        sent_again = len(chats(server))
        again = usage_summary(ws, second, actor=CANDIDATE)

    ours = [estimated(r) for r in requests]
    theirs = [SelfHosted.prompt_tokens(r.body["messages"]) for r in requests]
    ratios = [o / t for o, t in zip(ours, theirs, strict=True)]
    shares = [shared_share(a, b) for a, b in itertools.pairwise(requests[:parts])]
    asking = first_seconds - offline_seconds
    print(
        f"\nllama.cpp (fake), --ctx-size {window:,}, {samples} sample(s): "
        f"{evaluation.engine}, {evaluation.prompt_version}"
    )
    print(f"  {evaluation.notes[0] if evaluation.notes else ''}")
    print(
        f"  parts: {parts}; requests: {len(requests)} ({samples} x {parts}); "
        f"refused by the server: {len(hosted.refusals)}"
    )
    if shares:
        print(
            f"  entries shared with the next part: mean {statistics.fmean(shares):.0%}, "
            f"{min(shares):.0%}-{max(shares):.0%}"
        )
    print(
        f"  prompt tokens: estimated {sum(ours):,}, server counted {sum(theirs):,} "
        f"(estimate / count {sum(ours) / max(1, sum(theirs)):.2f}, per request {min(ratios):.2f}-{max(ratios):.2f})"
    )
    print(
        f"  largest request, as the server counts: {max(theirs):,} prompt + {chunked.PART_ANSWER_TOKENS:,} answer = "
        f"{max(theirs) + chunked.PART_ANSWER_TOKENS:,} of {window:,}"
    )
    print(
        f"  first run: {first_seconds:.2f} s; an offline evaluation of the same transcript {offline_seconds:.2f} s; "
        f"the difference {asking:.2f} s, {asking / max(1, len(requests)) * 1000:.0f} ms a request"
    )
    print(
        f"  second run, the same transcript: {second_seconds:.2f} s, {sent_again} requests sent, "
        f"{again.cache_text()} ({again.cached_answers / max(1, again.answers):.0%}), "
        f"{again.input_tokens + again.output_tokens} tokens"
    )


class Sent:
    """Each completion the product received from the server: what we estimated its prompt at, what the server
    counted, its output tokens and why it stopped (recorded around OpenAIChatModel, for this benchmark only)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, int, str]] = []
        self._original = OpenAIChatModel._create

    def __enter__(self) -> Sent:
        original = self._original
        calls = self.calls

        def recording(chat: OpenAIChatModel, params: dict[str, Any], schema: AnswerSchema | None) -> Any:
            completion = original(chat, params, schema)
            system, *messages = params["messages"]
            ours = prompt_tokens(system["content"], [ChatMessage(m["role"], m["content"]) for m in messages])
            usage = completion.usage
            calls.append(
                (ours, usage.prompt_tokens, usage.completion_tokens, completion.choices[0].finish_reason or "")
            )
            return completion

        OpenAIChatModel._create = recording  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        OpenAIChatModel._create = self._original  # type: ignore[method-assign]


def run_llama_server(kind: Kind, model: Path, window: int, samples: int, talk: list[Utterance]) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        running(kind, model, n_ctx=window, log_dir=Path(tmp), threads=2) as server,
    ):
        section = ProviderSettings(
            models=[MODEL_NAME], base_url=server.base_url, context_window=window, timeout_seconds=600
        )
        ws = build_workspace(
            Settings(runtime_dir=Path(tmp), providers={"openai_compatible": section}, evaluation_samples=samples)
        )
        choice = LLMChoice(LOCAL.provider, MODEL_NAME, None)
        with Sent() as sent:
            first_id = spoken(ws, talk, model=MODEL_NAME)
            evaluation, first_seconds = timed_end(ws, first_id, choice)
            first = list(sent.calls)
            way = answer_formats.untried(choice.provider, server.base_url)[0]
            second_id = spoken(ws, talk, model=MODEL_NAME)
            again_evaluation, second_seconds = timed_end(ws, second_id, choice)
            sent_again = len(sent.calls) - len(first)
        usage = usage_summary(ws, first_id, actor=CANDIDATE)
        again = usage_summary(ws, second_id, actor=CANDIDATE)

    parts = evaluation.communication.get(LLM_PARTS, {}).get("parts", "not recorded (fell back)")
    stopped = [out for _, _, out, why in first if why == "length"]
    outputs = [out for _, _, out, _ in first]
    ours, theirs = sum(o for o, _, _, _ in first), sum(t for _, t, _, _ in first)
    ratios = [o / t for o, t, _, _ in first if t]
    fell_back = [n for n in evaluation.notes if "could not be used" in n or "samples could be used" in n]
    print(f"\n{kind}, --ctx-size {window:,}, {samples} sample(s), schema asked as response_format {way}")
    print(
        f"  stored: engine {evaluation.engine}, {evaluation.prompt_version}, overall {evaluation.overall_score}; "
        f"{'; '.join(fell_back) if fell_back else 'every part parsed and merged'}"
    )
    print(
        f"  parts: {parts}; answers received: {len(first)}; stopped at the output limit: "
        f"{len(stopped)}; output tokens per answer {min(outputs, default=0)}-{max(outputs, default=0)} "
        f"(median {statistics.median(outputs) if outputs else 0:.0f}) of {chunked.PART_ANSWER_TOKENS:,}"
    )
    print(
        f"  prompt tokens: estimated {ours:,}, server counted {theirs:,} "
        f"(estimate / count {ours / max(1, theirs):.2f}, "
        f"per request {min(ratios, default=0):.2f}-{max(ratios, default=0):.2f}); "
        f"usage stored {usage.input_tokens:,} in, {usage.output_tokens:,} out"
    )
    print(f"  first run: {first_seconds:.1f} s ({first_seconds / max(1, len(first)):.1f} s an answer)")
    same = again_evaluation.overall_score == evaluation.overall_score and again_evaluation.notes == evaluation.notes
    print(
        f"  second run, the same transcript: {second_seconds:.2f} s, {sent_again} requests sent, "
        f"{again.cache_text()} ({again.cached_answers / max(1, again.answers):.0%}), "
        f"{again.input_tokens + again.output_tokens} tokens; same evaluation: {same}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=None, help="default: 3 (fake), 1 (--llama-server)")
    parser.add_argument("--windows", default=None, help="default: 4096,8192 (fake), 4096 (--llama-server)")
    parser.add_argument("--llama-server", action="store_true", help="on real llama.cpp servers (a random model)")
    parser.add_argument("--part-tokens", type=int, default=None, help="a part's output limit (see the docstring)")
    args = parser.parse_args()
    if args.part_tokens:
        chunked.PART_ANSWER_TOKENS = llm_evaluator.PART_ANSWER_TOKENS = args.part_tokens
    logging.disable(logging.WARNING)  # the fake's access log and our info lines would bury the figures
    talk = long_interview(MINUTES)
    words = sum(word_count(u.text) for u in talk)
    print(f"transcript: {len(talk)} entries, {words:,} words, {(talk[-1].end or 0) / 60:.0f} minutes")
    windows = [int(w) for w in (args.windows or ("4096" if args.llama_server else "4096,8192")).split(",")]
    samples = args.samples or (1 if args.llama_server else 3)
    if not args.llama_server:
        for window in windows:
            run(window, samples, talk)
        return
    with tempfile.TemporaryDirectory() as tmp:
        model = write_model(Path(tmp) / "tiny-random.gguf", corpus(ROOT))
        for kind in KINDS:
            if (reason := missing(kind)) is not None:
                print(f"{kind}: skipped, {reason}")
                continue
            for window in windows:
                run_llama_server(kind, model, window, samples, talk)


if __name__ == "__main__":
    main()
