"""A candidate's answers in a URL-shortener interview, in the order an interview takes them: the turns the real
llama.cpp servers are driven with (tests/integration/llm, bench/prompt_prefix.py), and the first eight the prompt-layout
tests replay against a fake server (tests/integration/interview/test_llm_context.py)."""

from __future__ import annotations

SHORTENER_ANSWERS = [
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
