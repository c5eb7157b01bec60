"""One whole practice interview through the real pages, as the candidate: Setup → Interview → (a reviewer
approves the evaluation on its page) → the candidate's own view → History."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.errors import AppTestError

from core.content.problems import load_problem
from tests.ui.conftest import (
    APP,
    RESUME,
    ROOT,
    TIMEOUT,
    AppFactory,
    add_person,
    assert_clean,
    button,
    chat,
    clocks,
    labels,
    page_title,
    signed_in_as,
)

PAYMENTS = load_problem(ROOT / "data" / "problems" / "payment_system.yaml")
PEAK_QUESTION = "How many payments per second do we need to handle at peak?"
REQUIREMENTS = (
    "Buyers pay at checkout and we charge them through a PSP exactly once, using an idempotency key. "
    "We track each payment's state, keep a double-entry ledger, handle refunds and pay sellers out "
    "daily. Acceptance needs 99.99% availability and our own overhead must stay under 200 ms."
)


def fact_answer(keyword: str) -> str:
    """The problem's own answer to questions with this keyword, as the interviewer says it."""
    fact = next(f for f in PAYMENTS.facts if keyword in f.keywords)
    return " ".join(fact.answer.split())


def send(at: AppTest, text: str) -> list[tuple[str, str]]:
    before = len(chat(at))
    at.chat_input[0].set_value(text).run()
    assert_clean(at)
    after = chat(at)
    assert after[before : before + 1] == [("candidate", text)], after[before:]
    assert len(after) == before + 2 and after[-1][0] == "interviewer", after[before:]
    return after


def test_setup_interview_evaluation_history(new_app: AppFactory) -> None:
    reviewer = new_app()  # the workspace's admin, who reviews
    add_person("jordan.lee@example.com", "candidate", name="Jordan Lee")
    app = signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), "jordan.lee@example.com", "Jordan Lee").run()
    # --- Setup: the resume fills the profile and moves the pickers to its recommendation --------
    assert page_title(app) == "Set up a practice interview"
    assert app.selectbox(key="setup_problem").value != PAYMENTS.id
    app.file_uploader(key="setup_resume").set_value(("jordan.txt", RESUME, "text/plain")).run()
    assert_clean(app)
    assert not app.error
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Name"] == "Jordan Lee"
    assert metrics["Level"] == "Senior"
    assert metrics["Experience"] == "7 years"
    assert app.selectbox(key="setup_level").value.value == "senior"
    problem_picker = app.selectbox(key="setup_problem")
    assert problem_picker.value == PAYMENTS.id
    assert f"{PAYMENTS.title} (recommended for you)" in problem_picker.options
    assert not app.text_input, "the name box is only for people without a resume"

    # --- Start: switches to the Interview page, the interviewer opens ----------------------------
    button(app, "Start interview").click().run()
    assert_clean(app)
    assert page_title(app) == PAYMENTS.title
    session_id = app.session_state["session_id"]
    assert app.query_params["session"] == session_id
    assert any(
        c.value.startswith("Jordan Lee · senior · ")
        and c.value.endswith("status: **active** · Offline (built in) · free: no tokens, no cost")
        for c in app.caption
    ), "the offline engine's usage line says it costs nothing"
    opening = chat(app)
    assert len(opening) == 1 and opening[0][0] == "interviewer"
    assert PAYMENTS.title in opening[0][1]
    assert [c.value for c in app.chat_message[0].caption] == ["00:00"], "time from the start, as evidence shows it"

    # --- Chat: a clarifying question about scale gets the problem's numbers ----------------------
    messages = send(app, PEAK_QUESTION)
    peak = fact_answer("peak")
    assert peak in messages[-1][1]
    numbers = set(re.findall(r"\d[\d,]*", peak))
    assert numbers and numbers <= set(re.findall(r"\d[\d,]*", messages[-1][1]))
    messages = send(app, REQUIREMENTS)
    assert messages[-1][1] != messages[-3][1]

    # --- Pause: no typing, the clock stands still; Resume: typing again, the clock runs -----------------
    [running] = clocks(app)
    assert (running["label"], running["running"], running["planned"]) == ("Elapsed", True, 45 * 60)
    button(app, "Pause").click().run()
    assert_clean(app)
    [paused] = clocks(app)
    assert (paused["label"], paused["running"]) == ("Paused at", False)
    assert paused["elapsed"] >= running["elapsed"]
    box = app.chat_input(key="interview_input")
    assert box.disabled and box.placeholder == "The interview is paused"
    assert any("status: **paused**" in c.value for c in app.caption)
    assert "Resume" in labels(app) and "Pause" not in labels(app)
    with pytest.raises(AppTestError, match="disabled"):
        box.set_value("Anyone there?")
    assert len(chat(app)) == len(messages)

    button(app, "Resume").click().run()
    assert_clean(app)
    assert not app.chat_input(key="interview_input").disabled
    messages = send(app, "How many buyers and sellers are there?")
    assert fact_answer("buyers") in messages[-1][1]

    # --- End: the dialog asks first; "Keep going" changes nothing --------------------------------
    button(app, "End interview").click().run()
    assert_clean(app)
    assert {"Yes, end it", "Keep going"} <= set(labels(app))
    button(app, "Keep going").click().run()
    assert_clean(app)
    assert "Yes, end it" not in labels(app)
    assert page_title(app) == PAYMENTS.title and not app.chat_input[0].disabled

    button(app, "End interview").click().run()
    button(app, "Yes, end it").click().run()
    assert_clean(app)

    # --- Ended: approval before sharing is on (config.yaml), so the candidate waits for a reviewer ----
    assert page_title(app) == PAYMENTS.title
    assert any(i.value.startswith("Your evaluation is being reviewed") for i in app.info)
    assert "See your evaluation" not in labels(app) and "See the evaluation" not in labels(app)

    # --- The candidate cannot read it early: the Evaluation page sends them to their own view ---------
    app.switch_page("pages/evaluation.py").run()
    assert_clean(app)
    assert page_title(app) == PAYMENTS.title and not app.metric
    assert any("being reviewed" in i.value for i in app.info)

    # --- Evaluation, the reviewer's page: everything at once, and the approval that releases it -----
    reviewer.query_params["session"] = session_id
    reviewer.switch_page("pages/evaluation.py").run()
    assert_clean(reviewer)
    assert page_title(reviewer) == "Evaluation"
    score = {m.label: m.value for m in reviewer.metric}["Overall score"]
    assert re.fullmatch(r"\d\.\d / 5", score), score
    assert any(c.value.startswith(f"{PAYMENTS.title} · Jordan Lee · ") for c in reviewer.caption)
    assert [s.value for s in reviewer.subheader][-6:] == [
        "Improvement plan",
        "Competencies",
        "Communication analysis",
        "Transcript",
        "Export",
        "Model usage",
    ]
    button(reviewer, "Approve and release").click().run()
    assert_clean(reviewer)

    # --- Back on the interview: the candidate opens the released evaluation in their own view ------
    app.switch_page("pages/interview.py").run()
    button(app, "See your evaluation").click().run()
    assert_clean(app)
    assert page_title(app) == PAYMENTS.title and "Your evaluation" in [s.value for s in app.subheader]
    assert {m.label: m.value for m in app.metric}["Overall score"] == score

    # --- History: the interview is listed and opens with its chat and evaluation -----------------
    app.switch_page("pages/history.py").run()
    assert_clean(app)
    assert page_title(app) == "History"
    table = app.dataframe[0].value
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["Problem"], row["Candidate"], row["Status"]) == (PAYMENTS.title, "Jordan Lee", "completed")
    assert f"{row['Overall score']:.1f} / 5" == score

    picker = next(s for s in app.selectbox if s.label == "Open an interview")
    picker.select(session_id).run()
    assert_clean(app)
    tabs = {t.label: t for t in app.tabs}
    chat_tab, evaluation_tab = tabs["Chat"], tabs["Evaluation"]
    assert chat(chat_tab) == messages
    assert {m.label: m.value for m in evaluation_tab.metric}["Overall score"] == score
    assert "Continue this interview" not in labels(app)
