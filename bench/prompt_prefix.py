"""How much of each interviewer request a server's prefix cache can reuse from the turn before.

Runs a scripted interview (10 answers) voiced by an OpenAI-compatible model, played by the loopback fake
server, and prints per turn the share of the request's prompt (system prompt and messages, as the server
received them) that starts the same as the previous turn's request: what llama.cpp's or vLLM's prefix cache
(and the hosted providers' prompt caching) can skip reading again. A second run with a small context window
(llama.cpp at 2,048 tokens) shows what trimming the oldest history does to it. Prints figures; asserts nothing.

    .venv/bin/python bench/prompt_prefix.py
"""

from __future__ import annotations

import itertools
import logging
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import ProviderSettings, Settings
from core.interview.services import create_interview, send_message, start_interview
from core.llm.providers import LLMChoice
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.llm_fakes import OpenAIServer, Reply, SelfHosted, shared_prefix_share

ANSWERS = [
    "How many links are created per day, and how long do we keep them?",
    "Users paste a long URL and get a short link; the redirect must be fast and the links never collide.",
    "At 100 million new links a day that is about 1,200 writes per second; reads are a hundred times more.",
    "A load balancer in front of stateless API servers, a Redis cache for hot links and a sharded key-value store.",
    "Short codes come from a counter per shard encoded in base62, so two servers never hand out the same code.",
    "If a shard fails we fail over to its replica; the cache absorbs the redirect traffic meanwhile.",
    "Analytics go through a queue so the redirect path never waits for them.",
    "The trade-off is consistency versus latency: a new link may take a second to show up in every region.",
    "I would add a CDN for the most popular links and rate-limit link creation per user.",
    "To summarise: API servers, cache, sharded replicated store, async analytics, CDN at the edge.",
]
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


def main() -> None:
    logging.disable(logging.WARNING)  # a voiced reply the plan replaces is logged; it changes nothing here
    run("OpenAI-compatible server, 32,768-token window", None, 32_768)
    run("llama.cpp with --ctx-size 2048 (oldest history left out)", SelfHosted("llama.cpp", n_ctx=2048), None)


if __name__ == "__main__":
    main()
