"""Setup with an LLM provider: the key is checked before the interview starts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from tests.llm_fakes import OpenAIServer, Reply
from tests.ui.conftest import APP, TIMEOUT, AppFactory, add_person, button, page_title, rendered_text, signed_in_as

KEY = "sk-ui-fake-key-01"


@pytest.fixture
def fake_openai(app_env: pytest.MonkeyPatch) -> Iterator[OpenAIServer]:
    with OpenAIServer(api_key=KEY, models=["gpt-ui"]) as server:
        app_env.setenv("IW_PROVIDERS__OPENAI__BASE_URL", server.base_url)
        app_env.setenv("IW_PROVIDERS__OPENAI__MODELS", '["gpt-ui"]')
        app_env.delenv("OPENAI_API_KEY", raising=False)
        yield server


def choose_openai(app: AppTest) -> AppTest:
    app.run().radio(key="setup_provider").set_value("openai").run()
    assert app.selectbox(key="setup_model_openai").value == "gpt-ui"
    return app


def test_a_missing_or_wrong_key_stops_the_start_with_a_clear_message(
    new_app: AppFactory, fake_openai: OpenAIServer
) -> None:
    app = choose_openai(new_app())
    assert any("No key yet" in c.value for c in app.caption)

    button(app, "Start interview").click().run()
    assert not app.exception
    assert page_title(app) == "Set up a practice interview"
    assert "OPENAI_API_KEY" in app.error[0].value and "offline interviewer" in app.error[0].value
    assert fake_openai.requests == []  # a missing key never reaches the network

    app.text_input(key="setup_key_openai").set_value("sk-wrong-key-0000").run()
    button(app, "Check the connection").click().run()
    assert "rejected the API key (401)" in app.error[0].value
    assert "sk-wrong-key" not in rendered_text(app)
    button(app, "Start interview").click().run()
    assert page_title(app) == "Set up a practice interview"


def test_a_good_key_is_checked_and_starts_an_openai_interview(new_app: AppFactory, fake_openai: OpenAIServer) -> None:
    app = choose_openai(new_app())
    app.text_input(key="setup_key_openai").set_value(KEY).run()
    assert any("kept in this tab's memory only" in c.value for c in app.caption)
    button(app, "Check the connection").click().run()
    assert "the key works and gpt-ui is available" in app.success[0].value

    button(app, "Start interview").click().run()
    assert not app.exception and not app.error
    assert page_title(app) != "Set up a practice interview"
    assert any("OpenAI gpt-ui · 0 tokens · $0.0000" in c.value for c in app.caption)
    assert [r.path for r in fake_openai.requests].count("/v1/models/gpt-ui") == 2  # the check, and again at start
    assert KEY not in rendered_text(app)


ANSWER = (
    "Users pay merchants; every payment needs an idempotency key. The API stores each payment with its state, "
    "a ledger records both sides of every transfer, and a queue hands settlement to workers so a slow bank "
    "never blocks checkout or the refund flow."
)  # enough words to pass the evaluation's quality gate, so the evaluator is asked


def test_the_evaluation_page_shows_usage_per_operation(new_app: AppFactory, fake_openai: OpenAIServer) -> None:
    app = choose_openai(new_app())
    app.text_input(key="setup_key_openai").set_value(KEY).run()
    button(app, "Start interview").click().run()
    fake_openai.script(Reply(text="Which numbers matter most here?", input_tokens=500, output_tokens=7))
    app.chat_input[0].set_value(ANSWER).run()
    assert not app.exception
    assert any("OpenAI gpt-ui · 507 tokens" in c.value for c in app.caption)

    # The evaluation's three samples answer with prose, not JSON: the offline evaluator stands in and says so.
    fake_openai.script(*[Reply(text="Overall a decent start.", input_tokens=500, output_tokens=5)] * 3)
    button(app, "End interview").click().run()
    button(app, "Yes, end it").click().run()
    assert not app.exception
    app.switch_page("pages/evaluation.py").run()  # approval before sharing is on: the reviewer's page has it
    assert page_title(app) == "Evaluation"
    assert any("OpenAI evaluator could not be used" in i.value for i in app.info)
    usage = app.dataframe[-1].value
    assert list(usage["Operation"]) == ["question generation", "evaluation"]
    assert list(usage["Input tokens"]) == [500, 1500]
    assert any("Total: 2,022 tokens" in c.value for c in app.caption)


def as_candidate(new_app: AppFactory) -> AppTest:
    """Cleo, a candidate, on Setup in her own tab (new_app makes the admin first)."""
    new_app()
    add_person("cleo@example.com", "candidate", name="Cleo")
    return signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), "cleo@example.com", "Cleo")


def test_the_servers_key_is_spent_only_by_the_roles_an_admin_allows(
    new_app: AppFactory, fake_openai: OpenAIServer, app_env: pytest.MonkeyPatch
) -> None:
    """accounts.server_key_roles (staff by default): a candidate brings her own key, kept in her tab; an
    interviewer starts on the server's key."""
    app_env.setenv("OPENAI_API_KEY", KEY)  # the server's key, as the environment or Streamlit secrets give it
    cleo = choose_openai(as_candidate(new_app))
    assert any("No key yet" in c.value for c in cleo.caption)
    button(cleo, "Start interview").click().run()
    assert page_title(cleo) == "Set up a practice interview" and "OPENAI_API_KEY" in cleo.error[0].value
    assert fake_openai.requests == []  # the server's key never left for her

    cleo.text_input(key="setup_key_openai").set_value(KEY).run()  # her own key (the fake takes one key)
    assert any("kept in this tab's memory only" in c.value for c in cleo.caption)
    button(cleo, "Start interview").click().run()
    assert not cleo.exception and page_title(cleo) != "Set up a practice interview"

    staff = choose_openai(new_app())  # the admin, who is also an interviewer
    assert any("OPENAI_API_KEY in the environment" in c.value for c in staff.caption)
    button(staff, "Start interview").click().run()
    assert not staff.exception and page_title(staff) != "Set up a practice interview"


def test_an_admin_may_let_candidates_spend_the_servers_key(
    new_app: AppFactory, fake_openai: OpenAIServer, app_env: pytest.MonkeyPatch
) -> None:
    app_env.setenv("OPENAI_API_KEY", KEY)
    app_env.setenv("IW_ACCOUNTS__SERVER_KEY_ROLES", '["candidate", "interviewer"]')
    cleo = choose_openai(as_candidate(new_app))
    assert any("OPENAI_API_KEY in the environment" in c.value for c in cleo.caption)
    button(cleo, "Start interview").click().run()
    assert not cleo.exception and page_title(cleo) != "Set up a practice interview"
