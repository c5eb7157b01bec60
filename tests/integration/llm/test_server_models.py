"""Listing a server's models and probing its model names, with the real openai SDK against loopback fakes."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core.config import ProviderSettings, Settings
from core.llm.chat_models import ChatError
from core.llm.providers import LLMChoice
from core.llm.server_models import ServerModels, check_server, list_models, served_models
from tests.llm_fakes import Error, OpenAIServer, Reply
from tests.loopback import LoopbackServer

KEY = "sk-local-fake-SECRET"
GGUF = "qwen2.5-0.5b-instruct-q4_k_m.gguf"
COMPATIBLE = "openai-compatible"


@pytest.fixture(autouse=True)
def keys_never_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    assert KEY not in caplog.text


def settings_for(base_url: str = "http://127.0.0.1:1/v1") -> Settings:
    return Settings(providers={"openai_compatible": ProviderSettings(models=["llama3.1"], base_url=base_url)})


def test_the_list_is_the_servers_own_in_its_order() -> None:
    with OpenAIServer(api_key=KEY, models=["qwen-b", "qwen-a"]) as server:
        assert list_models(server.base_url, api_key=KEY) == ServerModels(("qwen-a", "qwen-b"), listed=True)
        assert server.paths() == ["GET /v1/models"]
        assert server.requests[0].headers["authorization"] == "<redacted>"


def test_a_server_without_a_list_is_no_error_and_a_wrong_key_is() -> None:
    with OpenAIServer(api_key=KEY, models_endpoint=False) as server:
        assert list_models(server.base_url, api_key=KEY) == ServerModels(listed=False)
        server.models_endpoint = True
        with pytest.raises(ChatError) as caught:
            list_models(server.base_url, api_key="sk-wrong-fake-WRONG")
    assert caught.value.kind == "auth"
    assert str(caught.value) == "The OpenAI-compatible server rejected the API key (401). Check it and try again."


def test_a_web_page_at_the_address_says_to_check_the_base_url() -> None:
    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>Chat UI</title>")  # a web app answers every path with its page

    web = LoopbackServer(Starlette(routes=[Route("/{path:path}", page)]))
    with web, pytest.raises(ChatError) as caught:
        list_models(web.url)
    assert str(caught.value) == (
        f"The OpenAI-compatible server at {web.url[7:]} answered with something other than a model list: "
        "check the base URL (it usually ends in /v1)."
    )


def test_a_server_that_is_down_or_silent_is_named_within_the_short_timeout() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(ChatError) as caught:
        list_models(f"http://127.0.0.1:{port}/v1")
    assert str(caught.value) == (
        f"Cannot reach the OpenAI-compatible server at 127.0.0.1:{port}: check that it is running."
    )

    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        started = time.monotonic()
        with pytest.raises(ChatError) as caught:
            list_models(f"http://127.0.0.1:{silent.getsockname()[1]}/v1", timeout=0.5)
        assert time.monotonic() - started < 3  # one attempt, no retries
    assert caught.value.kind == "timeout" and "did not answer within 0.5 seconds" in str(caught.value)


def test_no_address_at_all_asks_for_one() -> None:
    with pytest.raises(ChatError) as caught:
        list_models(None)
    assert str(caught.value) == (
        "No address for the OpenAI-compatible server: set its base URL (for example http://localhost:11434/v1) "
        "on the Setup page (or with --base-url on the command line)."
    )


def test_the_server_entered_wins_over_configs() -> None:
    with OpenAIServer(api_key=KEY, models=["qwen-a"]) as server:
        choice = LLMChoice(COMPATIBLE, "qwen-a", KEY, base_url=server.base_url)
        assert served_models(settings_for(), choice).ids == ("qwen-a",)
        with pytest.raises(ChatError, match="Cannot reach"):
            served_models(settings_for(), replace(choice, base_url=None))  # config's: nothing listens there


def test_a_strict_server_passes_the_check_without_a_warning() -> None:
    with OpenAIServer(api_key=KEY, models=["qwen-a", "qwen-b"]) as server:
        check = check_server(settings_for(), LLMChoice(COMPATIBLE, "qwen-b", KEY, base_url=server.base_url))
        assert check.warning is None and check.models == ServerModels(("qwen-a", "qwen-b"), listed=True)
        paths = server.paths()
        assert paths[:2] == ["GET /v1/models/qwen-b", "GET /v1/models"]
        # the made-up name: a 404 at GET /v1/models/{id} proves nothing on a compatible server, a completion does
        assert len(paths) == 4 and paths[2].startswith("GET /v1/models/no-such-model-")
        assert paths[3] == "POST /v1/chat/completions" and server.requests[3].body["model"].startswith("no-such")

        with pytest.raises(ChatError) as caught:  # a typo is refused by the check itself
            check_server(settings_for(), LLMChoice(COMPATIBLE, "qwen-c", KEY, base_url=server.base_url))
        assert caught.value.kind == "model" and "has no model 'qwen-c'" in str(caught.value)


def test_a_llama_cpp_like_server_is_caught_answering_to_a_made_up_name() -> None:
    with OpenAIServer(models=[GGUF], any_model_name=True, model_lookup=False) as server:
        check = check_server(settings_for(), LLMChoice(COMPATIBLE, "llama3.1", base_url=server.base_url))
        asked = [r.body["model"] for r in server.requests if r.path == "/v1/chat/completions"]
    assert check.models.ids == (GGUF,)
    assert asked[0] == "llama3.1" and asked[1].startswith("no-such-model-") and len(asked) == 2
    assert check.warning == (
        "This server answers to any model name: it accepted 'llama3.1', which it does not list, and a made-up "
        f"name too, so 'llama3.1' is not what runs; it is running {GGUF}."
    )


def test_a_probe_that_proves_nothing_still_warns_about_an_unlisted_name() -> None:
    with OpenAIServer(models=[GGUF], any_model_name=True, model_lookup=False) as server:
        server.script(Reply(text="OK"), *[Error(503, retry_after_ms=5)] * 3)  # the probe meets a busy server
        check = check_server(settings_for(), LLMChoice(COMPATIBLE, "llama3.1", base_url=server.base_url))
    assert check.warning == (
        f"This server may answer to any model name: it accepted 'llama3.1', which it does not list; "
        f"it is running {GGUF}."
    )


def test_openai_itself_is_only_checked() -> None:
    with OpenAIServer(api_key=KEY, models=["gpt-test"]) as server:
        settings = Settings(providers={"openai": ProviderSettings(models=["gpt-test"], base_url=server.base_url)})
        check = check_server(settings, LLMChoice("openai", "gpt-test", KEY))
        assert check == check.__class__(ServerModels()) and server.paths() == ["GET /v1/models/gpt-test"]
