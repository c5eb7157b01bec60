"""Untrusted text in the real browser: an answer that holds Markdown or HTML images shows as typed and
makes the reviewer's browser fetch nothing (issue 15, hardening item 7)."""

from __future__ import annotations

import time

from playwright.sync_api import Page, Request, expect

from tests.e2e.conftest import send_answer, wait_for_app
from tests.e2e.test_whiteboard import start_interview

TRAP = "127.0.0.1:9"  # nothing listens there; a request to it can only come from rendered candidate text
ANSWER = f"We cache hot links ![x](http://{TRAP}/md.png) and <img src=http://{TRAP}/html.png> nothing else."


def test_an_answer_with_image_markup_shows_as_text_and_loads_nothing(page: Page, server_url: str) -> None:
    requested: list[str] = []

    def watch(request: Request) -> None:
        if TRAP in request.url:
            requested.append(request.url)

    page.on("request", watch)
    start_interview(page, server_url)
    message = send_answer(page, ANSWER)
    wait_for_app(page)
    time.sleep(1.0)  # the reply and the transcript panel render too

    expect(message).to_contain_text(f"![x](http://{TRAP}/md.png)")
    expect(message).to_contain_text(f"<img src=http://{TRAP}/html.png>")
    assert page.locator(f"img[src*='{TRAP}']").count() == 0
    assert requested == []
