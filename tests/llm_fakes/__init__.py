"""Loopback fakes of the LLM providers' HTTP APIs, for tests that run the real SDKs against them.

    with OpenAIServer(api_key="sk-test-key", models=["gpt-test"]) as server:
        server.script(Error(429, retry_after_ms=5), Reply(text="Hello there", input_tokens=12, output_tokens=3))
        model = OpenAIChatModel("gpt-test", api_key="sk-test-key", base_url=server.base_url)
        ...
        assert len(server.requests) == 2

Each scripted item answers one request (that passed the fake's key/version/model checks), in
order; an empty script answers with `default`. See tests/llm_fakes/server.py for the items.
"""

from tests.llm_fakes.anthropic_server import AnthropicServer
from tests.llm_fakes.openai_server import LLAMA_CPP_PYTHON_REFUSAL, OpenAIServer, SelfHosted
from tests.llm_fakes.server import (
    Disconnect,
    EmptyStream,
    Error,
    RecordedRequest,
    Reply,
    ScriptItem,
    StreamError,
    shared_prefix_share,
    text_of,
)

__all__ = [
    "LLAMA_CPP_PYTHON_REFUSAL",
    "AnthropicServer",
    "Disconnect",
    "EmptyStream",
    "Error",
    "OpenAIServer",
    "RecordedRequest",
    "Reply",
    "ScriptItem",
    "SelfHosted",
    "StreamError",
    "shared_prefix_share",
    "text_of",
]
