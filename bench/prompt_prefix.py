"""How much of each interviewer request a server's prefix cache can reuse from the turn before.

Runs a scripted interview (10 answers) voiced by an OpenAI-compatible model, played by the loopback fake
server, and prints per turn the share of the request's prompt (system prompt and messages, as the server
received them) that starts the same as the previous turn's request: what llama.cpp's or vLLM's prefix cache
(and the hosted providers' prompt caching) can skip reading again. A second run with a small context window
(llama.cpp at 2,048 tokens) shows what trimming the oldest history does to it. Prints figures; asserts nothing.

`--llama-server` measures it on a real server instead: llama.cpp's own server (and llama-cpp-python's, where
installed: ./setup.sh --llama) on two threads with a random-weight model of about 32 million parameters
(tests/llama_model.py, BENCH), 4,096-token window. Per turn it prints the time to first text (from asking for
the reply to its first piece) and, for llama.cpp, how many prompt tokens the server read anew (GET /metrics)
against the prompt's size. Twice: with the prompt layout before issue 17 (interviewer.v2: the stage, time and
planned move inside the system prompt, after the problem and facts) and with today's (interviewer.v3: the
system prompt the same all interview, the turn's note after the candidate's words). Replies are capped at
32 tokens here, so that generating them does not dwarf reading the prompt.

    .venv/bin/python bench/prompt_prefix.py
    .venv/bin/python bench/prompt_prefix.py --llama-server
"""

from __future__ import annotations

import argparse
import itertools
import logging
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import ProviderSettings, Settings
from core.interview import llm_interviewer
from core.interview.services import (
    create_interview,
    send_message,
    start_interview,
    stream_reply,
    submit_answer,
    usage_summary,
)
from core.llm.providers import LLMChoice
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.llama_model import BENCH, corpus, write_model
from tests.llama_server import KINDS, MODEL_NAME, ROOT, Kind, LlamaServer, missing, running
from tests.llm_fakes import OpenAIServer, Reply, SelfHosted, shared_prefix_share
from tests.shortener_answers import SHORTENER_ANSWERS

ANSWERS = SHORTENER_ANSWERS
REPLY = (
    "Thanks, that helps. Let's stay with that for a moment: what happens to the redirect latency when the cache "
    "misses, and how would you keep the hottest links in memory without running out of it?"
)


def run(label: str, hosted: SelfHosted | None, window: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp, OpenAIServer(self_hosted=hosted, default=Reply(text=REPLY)) as server:
        section = ProviderSettings(models=["local"], base_url=server.base_url, context_window=window)
        ws = build_workspace(Settings(runtime_dir=Path(tmp), providers={"openai_compatible": section}))
        choice = LLMChoice("openai-compatible", "local", None)
        session = create_interview(
            ws, problem_id="url_shortener", provider=choice.provider, model=choice.model, actor=CANDIDATE
        )
        start_interview(ws, session.id, actor=CANDIDATE)
        for answer in ANSWERS:
            send_message(ws, session.id, answer, llm=choice, actor=CANDIDATE)
        chats = [r for r in server.requests if r.path == "/v1/chat/completions"]
        shares = [shared_prefix_share(a, b) for a, b in itertools.pairwise(chats)]
        sizes = f"{len(chats[0].prompt_text):,} to {len(chats[-1].prompt_text):,} characters"
        print(f"{label}: {len(chats)} requests, prompts from {sizes}")
        for turn, share in enumerate(shares, start=2):
            print(f"  turn {turn:2d}: {share:6.1%} of the prompt is the previous request's prefix")
        print(f"  median {statistics.median(shares):.1%}, lowest {min(shares):.1%}")


LAYOUTS = {"before (interviewer.v2)": "2", "after (interviewer.v3)": "3"}
WINDOW = 4096


def prompts_up_to(version: str, folder: Path) -> Path:
    """A prompts folder whose newest interviewer prompt is `version` (the app takes the newest)."""
    for path in (ROOT / "data" / "prompts").glob("*.md"):
        name, _, number = path.stem.rpartition(".v")
        if name != "interviewer" or int(number) <= int(version):
            shutil.copy(path, folder / path.name)
    return folder


def prompt_tokens_read(server: LlamaServer) -> int | None:
    """llama.cpp's count of prompt tokens it has read (not taken from its cache) since it started."""
    if server.kind != "llama.cpp":
        return None
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=5) as response:
        found = re.search(r"^llamacpp:prompt_tokens_total (\S+)$", response.read().decode(), re.MULTILINE)
    return int(float(found[1])) if found else None


def timed_turns(ws: Workspace, server: LlamaServer) -> list[tuple[float, int, int | None]]:
    """Per turn: seconds to the reply's first piece, the prompt's tokens (the server's count), tokens read anew."""
    choice = LLMChoice("openai-compatible", MODEL_NAME, None)
    session = create_interview(
        ws, problem_id="url_shortener", provider=choice.provider, model=choice.model, actor=CANDIDATE
    )
    start_interview(ws, session.id, actor=CANDIDATE)
    turns: list[tuple[float, int, int | None]] = []
    for answer in ANSWERS:
        submit_answer(ws, session.id, answer, actor=CANDIDATE)
        read_before, tokens_before = prompt_tokens_read(server), usage_summary(ws, session.id, actor=CANDIDATE)
        started = time.perf_counter()
        reply = stream_reply(ws, session.id, llm=choice)
        pieces = iter(reply)
        next(pieces)
        first_text = time.perf_counter() - started
        for _ in pieces:
            pass
        if reply.fallback:
            print(f"  (turn {len(turns) + 1}: {reply.fallback})")
        read_after = prompt_tokens_read(server)
        prompt = usage_summary(ws, session.id, actor=CANDIDATE).input_tokens - tokens_before.input_tokens
        read = read_after - read_before if read_after is not None and read_before is not None else None
        turns.append((first_text, prompt, read))
    return turns


def run_llama_server(kind: Kind, model: Path, folder: Path) -> None:
    for label, version in LAYOUTS.items():
        prompts = prompts_up_to(version, Path(tempfile.mkdtemp(dir=folder)))
        with running(kind, model, n_ctx=WINDOW, log_dir=folder, threads=2) as server:
            section = ProviderSettings(models=[MODEL_NAME], base_url=server.base_url, context_window=WINDOW)
            runtime = Path(tempfile.mkdtemp(dir=folder))
            ws = build_workspace(
                Settings(runtime_dir=runtime, prompts_dir=prompts, providers={"openai_compatible": section})
            )
            turns = timed_turns(ws, server)
        print(f"{kind}, layout {label}: time to first text per turn")
        for turn, (seconds, prompt, read) in enumerate(turns, start=1):
            if read is not None:
                print(f"  turn {turn:2d}: {seconds:6.2f} s; prompt {prompt:5,d} tokens, read anew {read:5,d} "
                      f"({1 - read / prompt:6.1%} from the cache)")  # fmt: skip
            else:  # llama-cpp-python reports no usage in a stream: the app's estimate, 4 characters a token
                print(f"  turn {turn:2d}: {seconds:6.2f} s; prompt about {prompt:5,d} tokens (estimated)")
        later = [seconds for seconds, _, _ in turns[1:]]
        print(f"  turns 2-{len(turns)}: median {statistics.median(later):.2f} s, longest {max(later):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llama-server", action="store_true", help="time first text on real llama.cpp servers")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # a voiced reply the plan replaces is logged; it changes nothing here
    if not args.llama_server:
        run("OpenAI-compatible server, 32,768-token window", None, 32_768)
        run("llama.cpp with --ctx-size 2048 (oldest history left out)", SelfHosted("llama.cpp", n_ctx=2048), None)
        return
    llm_interviewer.MAX_REPLY_TOKENS = llm_interviewer.MIN_REPLY_TOKENS = 32  # see the docstring
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = write_model(folder / "bench-random.gguf", corpus(ROOT), BENCH)
        for kind in KINDS:
            if (reason := missing(kind)) is not None:
                print(f"{kind}: skipped, {reason}")
                continue
            run_llama_server(kind, model, folder)


if __name__ == "__main__":
    main()
