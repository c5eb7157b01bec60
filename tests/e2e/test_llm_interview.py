"""An interview with an LLM provider in a real browser: key check, streamed reply, running cost."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import FAKE_OPENAI_KEY, screenshot, until_shown, wait_for_app
from tests.llm_fakes import OpenAIServer, Reply


def check_with(page: Page, api_key: str, answer: Locator) -> None:
    """Paste a key, press Enter, check the connection, until the check's answer shows."""

    def paste_and_check() -> None:
        key = page.get_by_role("textbox", name="API key")
        key.fill(api_key)
        key.press("Enter")
        wait_for_app(page)
        page.get_by_role("button", name="Check the connection").click()

    until_shown(page, paste_and_check, answer)


def test_an_openai_interview_streams_replies_and_shows_cost(
    page: Page, server_url: str, fake_openai: OpenAIServer
) -> None:
    page.goto(server_url)
    wait_for_app(page)
    page.get_by_text("OpenAI", exact=True).click()
    wait_for_app(page)

    check_with(page, "sk-wrong-key-0000", page.get_by_text("rejected the API key"))
    expect(page.get_by_text("sk-wrong-key")).to_have_count(0)
    check_with(page, FAKE_OPENAI_KEY, page.get_by_text("the key works and gpt-e2e is available"))

    problem = page.get_by_role("combobox", name="Problem")  # the default follows the signed-in person's resume
    problem.click()
    page.keyboard.type("URL Shortener")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(problem).to_have_value(re.compile("URL Shortener"))
    page.get_by_role("button", name="Start interview").click()
    expect(page).to_have_url(re.compile(r"/interview\?session="))
    wait_for_app(page)

    words = "Good question. Expect about 100 million new links a day, so think in thousands per second."
    fake_openai.script(Reply(text=words, input_tokens=900, output_tokens=20, chunk_delay=0.05))
    box = page.get_by_test_id("stChatInputTextArea")
    asked = page.get_by_test_id("stChatMessage").filter(has_text="How many new links are created per day?")
    for _ in range(3):  # a rerun that lands between fill and Enter can swallow the input on a loaded machine
        expect(box).to_be_enabled()
        box.fill("How many new links are created per day?")
        box.press("Enter")
        try:
            expect(asked.first).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            wait_for_app(page)
    expect(page.get_by_test_id("stChatMessage").filter(has_text="100 million new links a day")).to_be_visible(
        timeout=15_000
    )
    wait_for_app(page)
    expect(
        page.get_by_text(re.compile(r"OpenAI gpt-e2e · 920 tokens · \$0\.0020"))
    ).to_be_visible()  # 900×$2 + 20×$8 per M
    screenshot(page, "06-openai-interview")


def test_setup_with_a_self_hosted_server_lists_its_models_and_warns_about_any_name(page: Page, server_url: str) -> None:
    gguf = "qwen2.5-0.5b-instruct-q4_k_m.gguf"
    with OpenAIServer(models=[gguf], any_model_name=True, model_lookup=False) as llama_cpp:  # like llama.cpp's
        page.goto(server_url)
        wait_for_app(page)
        page.get_by_text("OpenAI-compatible server", exact=True).click()
        wait_for_app(page)
        address = page.get_by_role("textbox", name="Server base URL")
        expect(address).to_have_value("http://127.0.0.1:11434/v1")  # config's, filled in

        address.fill("localhost:8080/v1")
        address.press("Enter")
        expect(page.get_by_text("The base URL must start with http:// or https://")).to_be_visible()
        expect(page.get_by_role("button", name="Check the connection")).to_be_disabled()

        address.fill(llama_cpp.base_url)
        address.press("Enter")
        wait_for_app(page)
        warning = page.get_by_text("This server answers to any model name")
        until_shown(page, lambda: page.get_by_role("button", name="Check the connection").click(), warning)
        expect(page.get_by_text(f"it is running {gguf}")).to_be_visible()
        wait_for_app(page)
        expect(page.get_by_text(f"Listed by the server at {llama_cpp.url[7:]}.")).to_be_visible()
        screenshot(page, "07-setup-self-hosted")
