"""The server's OpenAI key in the evaluation tests, and the two ways an evaluation is paid for."""

from __future__ import annotations

from core.llm.providers import LLMChoice

KEY = "sk-server-fake-07"
SERVER_KEY = LLMChoice("openai", "gpt-test", KEY, server_key=True)  # a worker may run it
OWN_KEY = LLMChoice("openai", "gpt-test", KEY, server_key=False)  # typed in a tab: it stays in the page
