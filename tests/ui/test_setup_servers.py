"""Setup with a self-hosted OpenAI-compatible server: its base URL, its own model list, honest warnings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from tests.llm_fakes import OpenAIServer, Reply
from tests.ui.conftest import AppFactory, add_person, button, page_title, signed_in_as
from tests.workspace_server import free_port

PROVIDER = "openai-compatible"
URL_FIELD = f"setup_base_url_{PROVIDER}"
MODEL_FIELD = f"setup_model_{PROVIDER}"
GGUF = "qwen2.5-0.5b-instruct-q4_k_m.gguf"
NOWHERE = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there


@pytest.fixture
def compatible_env(app_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Config names one model and a server that is not running; no key anywhere."""
    app_env.setenv("IW_PROVIDERS__OPENAI_COMPATIBLE__BASE_URL", NOWHERE)
    app_env.setenv("IW_PROVIDERS__OPENAI_COMPATIBLE__MODELS", '["llama3.1"]')
    app_env.delenv("OPENAI_COMPATIBLE_API_KEY", raising=False)
    return app_env


@pytest.fixture
def strict_server(compatible_env: pytest.MonkeyPatch) -> Iterator[OpenAIServer]:
    """Like vLLM: lists its models and refuses any other name."""
    with OpenAIServer(models=["qwen-a", "qwen-b"]) as server:
        yield server


@pytest.fixture
def llama_cpp(compatible_env: pytest.MonkeyPatch) -> Iterator[OpenAIServer]:
    """Like llama.cpp's server: lists the one model it loaded, answers to any name, no GET /v1/models/{id}."""
    with OpenAIServer(models=[GGUF], any_model_name=True, model_lookup=False) as server:
        yield server


def choose_compatible(app: AppTest, base_url: str | None = None) -> AppTest:
    app.run().radio(key="setup_provider").set_value(PROVIDER).run()
    if base_url is not None:
        app.text_input(key=URL_FIELD).set_value(base_url).run()
    assert not app.exception, app.exception
    return app


def warnings(app: AppTest) -> list[str]:
    return [w.value for w in app.warning]


def test_the_base_url_is_filled_from_config_and_a_bad_one_is_refused_clearly(
    new_app: AppFactory, compatible_env: pytest.MonkeyPatch
) -> None:
    app = choose_compatible(new_app())
    assert app.text_input(key=URL_FIELD).value == NOWHERE
    assert app.selectbox(key=MODEL_FIELD).options == ["llama3.1"]
    assert any("From config: **Load models**" in c.value for c in app.caption)

    for typed, said in [
        ("localhost:8080/v1", "must start with http:// or https://"),
        ("ftp://127.0.0.1/v1", "must start with http:// or https://"),
        ("http:///v1", "has no host name"),
        ("http://127.0.0.1:99999/v1", "port in the base URL must be a number"),
        ("http://admin:hunter2@127.0.0.1:8080/v1", "Leave the user name and password out"),
        ("", "Enter the server's base URL"),
    ]:
        app.text_input(key=URL_FIELD).set_value(typed).run()
        assert not app.exception
        assert [said in e.value for e in app.error] == [True], (typed, [e.value for e in app.error])
        assert "hunter2" not in app.error[0].value
        assert button(app, "Check the connection").disabled and button(app, "Load models").disabled

    button(app, "Start interview").click().run()  # never the config's server instead of the one typed wrong
    assert page_title(app) == "Set up a practice interview"
    assert any("Enter the server's base URL" in e.value and "offline interviewer" in e.value for e in app.error)


def test_a_server_that_cannot_be_reached_is_named_by_the_check(
    new_app: AppFactory, compatible_env: pytest.MonkeyPatch
) -> None:
    app = choose_compatible(new_app())
    button(app, "Check the connection").click().run()
    host = NOWHERE.removeprefix("http://").removesuffix("/v1")
    said = f"Cannot reach the OpenAI-compatible server at {host}: check that it is running."
    assert [e.value for e in app.error] == [said]
    button(app, "Load models").click().run()
    assert [e.value for e in app.error] == [said]


def test_models_come_from_the_server_and_the_interview_talks_to_the_server_entered(
    new_app: AppFactory, strict_server: OpenAIServer
) -> None:
    app = choose_compatible(new_app(), strict_server.base_url)
    button(app, "Load models").click().run()
    assert not app.exception
    assert app.selectbox(key=MODEL_FIELD).options == ["qwen-a", "qwen-b"]
    assert app.selectbox(key=MODEL_FIELD).value == "qwen-a"
    assert any(c.value == f"Listed by the server at {strict_server.url[7:]}." for c in app.caption)
    assert [s.value for s in app.success] == [f"The server at {strict_server.url[7:]} lists 2 models: qwen-a, qwen-b."]
    assert strict_server.paths() == ["GET /v1/models"]

    app.selectbox(key=MODEL_FIELD).set_value("qwen-b").run()
    button(app, "Check the connection").click().run()
    assert [s.value for s in app.success] == [
        "OpenAI-compatible server answered: the key works and qwen-b is available."
    ]
    assert warnings(app) == []  # it refused the made-up name: the name it answered to means something
    probes = [r.path for r in strict_server.requests if "no-such-model-" in r.path]
    assert len(probes) == 1

    strict_server.reset()
    button(app, "Start interview").click().run()
    assert not app.exception and not app.error
    assert page_title(app) != "Set up a practice interview"
    strict_server.script(Reply(text="Which numbers matter most here?", input_tokens=40, output_tokens=6))
    app.chat_input[0].set_value("Users pay merchants and every payment needs an idempotency key.").run()
    assert not app.exception
    chats = [r for r in strict_server.requests if r.path == "/v1/chat/completions"]
    assert [r.body["model"] for r in chats] == ["qwen-b"]  # config's server (not running) was never asked
    assert any("OpenAI-compatible server qwen-b · 46 tokens" in c.value for c in app.caption)


def test_a_server_that_answers_to_any_model_name_gets_a_warning_naming_what_it_runs(
    new_app: AppFactory, llama_cpp: OpenAIServer
) -> None:
    app = choose_compatible(new_app(), llama_cpp.base_url)
    button(app, "Check the connection").click().run()
    assert not app.exception and not app.error
    assert [s.value for s in app.success] == ["OpenAI-compatible server answered."]
    assert warnings(app) == [
        "This server answers to any model name: it accepted 'llama3.1', which it does not list, and a made-up "
        f"name too, so 'llama3.1' is not what runs; it is running {GGUF}."
    ]
    assert app.selectbox(key=MODEL_FIELD).options == [GGUF]  # the check brought the server's own list
    probe = [r.body["model"] for r in llama_cpp.requests if r.path == "/v1/chat/completions"]
    assert probe[0] == "llama3.1" and probe[1].startswith("no-such-model-")

    button(app, "Check the connection").click().run()  # the listed name: still no proof a typo would be caught
    assert warnings(app) == [
        "This server answers to any model name (it accepted a made-up one), so a typo in the model name would "
        f"pass this check; it is running {GGUF}."
    ]


def test_a_server_that_lists_nothing_and_answers_to_any_name_says_it_does_not_know(
    new_app: AppFactory, compatible_env: pytest.MonkeyPatch
) -> None:
    with OpenAIServer(models_endpoint=False) as server:  # every name answers, no list, no lookup
        app = choose_compatible(new_app(), server.base_url)
        button(app, "Load models").click().run()
        assert [i.value for i in app.info] == [
            f"The server at {server.url[7:]} does not list its models: the models in config are offered."
        ]
        assert app.selectbox(key=MODEL_FIELD).options == ["llama3.1"]
        button(app, "Check the connection").click().run()
    assert warnings(app) == [
        "This server answers to any model name (it accepted a made-up one), so a typo in the model name would "
        "pass this check; it does not list which model it runs."
    ]


def test_the_servers_key_goes_only_to_the_server_in_config(
    new_app: AppFactory, compatible_env: pytest.MonkeyPatch
) -> None:
    key = "sk-local-server-key-01"
    compatible_env.setenv("OPENAI_COMPATIBLE_API_KEY", key)
    with OpenAIServer(api_key=key, models=["llama3.1"]) as server:
        compatible_env.setenv("IW_PROVIDERS__OPENAI_COMPATIBLE__BASE_URL", server.base_url)
        app = choose_compatible(new_app())  # config's server: its key is used
        assert any("OPENAI_COMPATIBLE_API_KEY in the environment" in c.value for c in app.caption)
        button(app, "Check the connection").click().run()
        assert [s.value for s in app.success] == [
            "OpenAI-compatible server answered: the key works and llama3.1 is available."
        ]

        other = server.base_url.replace("127.0.0.1", "localhost")  # the same server under another name
        app.text_input(key=URL_FIELD).set_value(other).run()
        assert any(
            f"OPENAI_COMPATIBLE_API_KEY is sent only to the server in config ({server.url[7:]})" in c.value
            for c in app.caption
        )
        button(app, "Check the connection").click().run()
        assert [e.value for e in app.error] == [
            "The OpenAI-compatible server rejected the API key (401). Check it and try again."
        ]
        app.text_input(key=f"setup_key_{PROVIDER}").set_value(key).run()
        button(app, "Check the connection").click().run()
        assert not app.error and app.success


def test_with_no_address_in_config_the_field_asks_for_one(
    new_app: AppFactory, compatible_env: pytest.MonkeyPatch
) -> None:
    compatible_env.setenv("IW_PROVIDERS__OPENAI_COMPATIBLE__BASE_URL", "")
    app = choose_compatible(new_app())
    assert app.text_input(key=URL_FIELD).value == ""
    assert [e.value for e in app.error] == ["Enter the server's base URL, for example http://localhost:8080/v1."]
    assert button(app, "Check the connection").disabled


def test_a_candidate_cannot_point_the_workspace_at_another_address(
    new_app: AppFactory, strict_server: OpenAIServer, compatible_env: pytest.MonkeyPatch
) -> None:
    """The workspace itself connects to the address typed on Setup: a candidate (anyone on a public server) gets
    config's server, shown but not editable, so the page cannot be used to probe the network behind it."""
    new_app().run()  # the admin exists; the candidate signs in next
    add_person("cara@example.com", "candidate", name="Cara")
    app = signed_in_as(new_app(), "cara@example.com", "Cara")
    app.session_state["llm_entered_base_urls"] = {PROVIDER: strict_server.base_url}  # an earlier, forged entry
    app = choose_compatible(app)
    fixed = app.text_input(key=f"setup_base_url_fixed_{PROVIDER}")
    assert fixed.disabled and fixed.value == NOWHERE
    assert not [t for t in app.text_input if t.key == URL_FIELD]
    assert any("administrator sets which model server" in c.value for c in app.caption)
    button(app, "Load models").click().run()
    assert strict_server.requests == []  # nothing went to the address the candidate wanted
