"""The History page: filters narrow the list, pages, an opened interview's tabs, trends and comparison."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.models import Session, SessionStatus, SortKey
from entry.bootstrap import build_workspace
from tests.history_data import T0, History, build_history
from tests.ui.conftest import AppFactory, assert_clean, chat, page_title, rendered_text


@pytest.fixture
def history(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> History:
    """The known six interviews in the database the app will open."""
    return build_history(build_workspace(Settings(runtime_dir=runtime_dir)).uow_factory)


def add_many(runtime_dir: Path, count: int) -> None:
    """Older interviews without a candidate, for paging."""
    ws = build_workspace(Settings(runtime_dir=runtime_dir))
    with ws.uow_factory() as uow:
        for i in range(count):
            created = T0 - timedelta(days=i + 1)
            uow.sessions.add(
                Session(id=uuid.uuid4().hex, problem_id="rate_limiter", problem_title="Design a Rate Limiter",
                        status=SessionStatus.CANCELLED, created_at=created)
            )  # fmt: skip
        uow.commit()


def open_history(new_app: AppFactory, **query_params: str) -> AppTest:
    at = new_app()
    at.run()
    for key, value in query_params.items():
        at.query_params[key] = value
    at.switch_page("pages/history.py").run()
    assert_clean(at)
    assert page_title(at) == "History"
    return at


def candidates(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Candidate"])


def caption_starting(at: AppTest, prefix: str) -> str:
    return next(c.value for c in at.caption if c.value.startswith(prefix))


def test_filters_narrow_the_list(new_app: AppFactory, history: History) -> None:
    at = open_history(new_app)
    assert candidates(at) == ["—", "Grace Hopper", "Alan Turing", "Alan Turing", "Ada Lovelace", "Ada Lovelace"]
    assert caption_starting(at, "Page") == "Page 1 of 1 · 1–6 of 6 interviews"

    at.text_input(key="history_candidate").set_value("ada").run()
    assert_clean(at)
    assert candidates(at) == ["Ada Lovelace", "Ada Lovelace"]
    at.text_input(key="history_candidate").set_value("").run()

    at.multiselect(key="history_problems").select("payment_system").run()
    assert list(at.dataframe[0].value["Problem"]) == ["Design a Payment System"] * 2
    at.multiselect(key="history_problems").unselect("payment_system").run()

    at.multiselect(key="history_statuses").select(SessionStatus.CANCELLED).select(SessionStatus.ACTIVE).run()
    assert list(at.dataframe[0].value["Status"]) == ["active", "cancelled"]
    at.multiselect(key="history_statuses").unselect(SessionStatus.CANCELLED).unselect(SessionStatus.ACTIVE).run()

    at.slider(key="history_scores").set_range(3.0, 5.0).run()
    assert list(at.dataframe[0].value["Overall score"]) == [3.0, 3.5, 4.5]  # unscored ones left out
    at.slider(key="history_scores").set_range(0.0, 5.0).run()
    assert len(at.dataframe[0].value) == 6

    picker = at.selectbox(key="history_interviewer")
    assert picker.options == ["anthropic · claude", "offline", "openai · gpt-4o", "openai · gpt-4o-mini"]
    picker.select_index(2).run()
    assert list(at.dataframe[0].value["Interviewer"]) == ["openai · gpt-4o"]
    at.selectbox(key="history_interviewer").set_value(None).run()

    at.date_input(key="history_dates").set_value((date(2025, 3, 5), date(2025, 3, 6))).run()
    assert_clean(at)
    assert candidates(at) == ["Alan Turing", "Ada Lovelace"]  # s3 and s2 (4 and 5 March, any timezone ±12 h)
    at.date_input(key="history_dates").set_value(()).run()

    at.text_input(key="history_candidate").set_value("nobody").run()
    assert_clean(at)
    assert [i.value for i in at.info] == ["No interview matches these filters."]


def test_sorting_by_score_puts_unscored_last(new_app: AppFactory, history: History) -> None:
    at = open_history(new_app)
    at.selectbox(key="history_sort").select(SortKey.SCORE).run()
    assert_clean(at)
    scores = list(at.dataframe[0].value["Overall score"])
    assert scores[:4] == [4.5, 3.5, 3.0, 2.0] and all(s != s for s in scores[4:])  # NaN: not scored
    at.selectbox(key="history_order").select("Ascending").run()
    assert list(at.dataframe[0].value["Overall score"])[:4] == [2.0, 3.0, 3.5, 4.5]


def test_pages_and_a_changed_filter_goes_back_to_the_first(
    new_app: AppFactory, history: History, runtime_dir: Path
) -> None:
    add_many(runtime_dir, 30)
    at = open_history(new_app)
    assert len(at.dataframe[0].value) == 25
    assert caption_starting(at, "Page") == "Page 1 of 2 · 1–25 of 36 interviews"
    at.pagination[0].set_value(2).run()
    assert_clean(at)
    assert len(at.dataframe[0].value) == 11
    assert caption_starting(at, "Page") == "Page 2 of 2 · 26–36 of 36 interviews"
    at.selectbox(key="history_page_size").select(50).run()
    assert caption_starting(at, "Page") == "Page 1 of 1 · 1–36 of 36 interviews"
    at.selectbox(key="history_page_size").select(25).run()
    at.pagination[0].set_value(2).run()
    at.multiselect(key="history_statuses").select(SessionStatus.CANCELLED).run()
    assert caption_starting(at, "Page") == "Page 1 of 2 · 1–25 of 31 interviews"


def test_an_opened_interview_shows_every_tab_and_stays_in_the_url(new_app: AppFactory, history: History) -> None:
    at = open_history(new_app)
    first = history.sessions["s1"]
    picker = next(s for s in at.selectbox if s.label == "Open an interview")
    picker.select(first).run()
    assert_clean(at)
    assert at.query_params["session"] == first
    assert "session_id" not in at.session_state, "browsing History does not switch this tab's interview"
    tabs = {t.label: t for t in at.tabs}
    assert list(tabs) == ["Chat", "Transcript", "Whiteboard", "Evaluation", "Recordings", "Trends", "Compare"]
    assert chat(tabs["Chat"]) == [
        ("interviewer", "Welcome to Design a URL Shortener."),
        ("candidate", "How many users?"),
    ]
    transcript = [m.value for m in tabs["Transcript"].markdown][1:]  # after its title
    assert "Welcome to Design a URL Shortener." in transcript[0] and "· typed" in transcript[0], "the chat, typed"
    assert "We need a cache." in transcript[-1] and "typed" not in transcript[-1], "and what was said"
    whiteboard = tabs["Whiteboard"]
    assert [m.value.split(" · ")[-1] for m in whiteboard.markdown] == ["3 shapes"], "the latest drawing"
    assert whiteboard.caption[0].value == "The latest drawing, of 3 saved versions."
    assert [e.label for e in whiteboard.expander] == ["Earlier versions (2)"]
    assert {m.label: m.value for m in tabs["Evaluation"].metric}["Overall score"] == "4.5 / 5"
    assert "Nothing was recorded" in tabs["Recordings"].caption[0].value
    assert tabs["Trends"].get("plotly_chart"), "a chart of Ada's scores over her attempts"
    trend = tabs["Trends"].dataframe[0].value
    assert list(trend["Attempt"]) == [1, 2] and list(trend["Overall"]) == [4.5, 2.0]

    # A reload (or a bookmark) of the same address opens it again.
    again = open_history(new_app, session=first)
    assert next(t.label for t in again.tabs) == "Chat"
    assert "Ada Lovelace" in caption_starting(again, "Ada Lovelace")

    button = next(b for b in at.button if b.label == "Close")
    button.click().run()
    assert "session" not in at.query_params and not at.tabs


def test_the_whiteboard_tab_shows_the_latest_drawing_and_the_earlier_ones_on_demand(
    new_app: AppFactory, history: History
) -> None:
    first = history.sessions["s1"]
    at = open_history(new_app, session=first)
    tab = next(t for t in at.tabs if t.label == "Whiteboard")
    (earlier,) = tab.expander
    assert not earlier.markdown, "the earlier versions are drawn only once asked for"
    at.session_state[f"history_earlier_snapshots_{first}"] = True  # the reader opens them
    at.run()
    assert_clean(at)
    tab = next(t for t in at.tabs if t.label == "Whiteboard")
    shown = [m.value for m in tab.markdown]
    assert [line.split(" ")[0] for line in shown] == ["**Latest**", "**2.**", "**1.**"], "newest first"
    assert [line.split(" · ")[-1] for line in shown] == ["3 shapes", "2 shapes", "1 shape"]
    assert [line.split(" · ")[0][-3:] for line in shown] == [":20", ":12", ":05"]  # saved T0 + 20, 12, 5 minutes


def test_two_interviews_side_by_side(new_app: AppFactory, history: History) -> None:
    at = open_history(new_app, session=history.sessions["s1"])
    compare = next(s for s in at.selectbox if s.label == "Compare with")
    assert history.sessions["s2"] in compare.options or any("attempt 2" in o for o in compare.options)
    compare.select(history.sessions["s2"]).run()
    assert_clean(at)
    assert at.query_params["compare"] == history.sessions["s2"]
    compare_tab = next(t for t in at.tabs if t.label == "Compare")
    metrics = {m.label: m.value for m in compare_tab.metric}
    assert metrics == {"Overall score A": "4.5", "Overall score B": "2.0"}
    table = compare_tab.dataframe[0].value
    assert list(table["Competency"]) == ["Overall", "Requirements", "Scalability"]
    assert list(table["Change (B − A)"]) == ["-2.5", "-2.5", "-2.5"]
    assert compare_tab.get("plotly_chart")


def test_an_unscored_interview_compares_without_errors(new_app: AppFactory, history: History) -> None:
    at = open_history(new_app, session=history.sessions["s5"], compare=history.sessions["s1"])
    compare_tab = next(t for t in at.tabs if t.label == "Compare")
    assert {m.label: m.value for m in compare_tab.metric} == {"Overall score A": "not scored", "Overall score B": "4.5"}
    assert list(compare_tab.dataframe[0].value["Change (B − A)"]) == ["—", "—", "—"]
    assert "score: **not scored**" in rendered_text(at)


def test_an_unknown_interview_in_the_url_is_dropped(new_app: AppFactory, history: History) -> None:
    at = open_history(new_app, session="no-such-session")
    assert [w.value for w in at.warning] == ["There is no interview with that id that you can open."]
    assert "session" not in at.query_params and not at.tabs


def test_before_any_interview_the_filters_show_greyed_above_the_way_to_setup(new_app: AppFactory) -> None:
    """The page keeps its shape from the first visit: what History will filter and sort by is visible, and
    nothing can be chosen until there is something to choose from."""
    at = open_history(new_app)
    bar = [at.text_input(key="history_candidate"), at.multiselect(key="history_problems")]
    bar += [at.selectbox(key=k) for k in ("history_interviewer", "history_sort", "history_order", "history_page_size")]
    bar += [at.date_input(key="history_dates"), at.slider(key="history_scores"), at.multiselect(key="history_statuses")]
    assert all(widget.disabled for widget in bar)
    assert at.info[0].value.startswith("No interviews yet. Start one on the Setup page")
    assert not at.dataframe
