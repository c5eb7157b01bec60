"""Pages with nothing to show yet explain what to do instead of failing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import AppFactory, assert_clean, button, page_title


@pytest.mark.parametrize(
    ("page", "title", "info"),
    [
        ("pages/evaluation.py", "Evaluation", "No completed interviews yet. Start one on the Setup page."),
        ("pages/history.py", "History", "No interviews yet. Start one on the Setup page"),
        ("pages/interview.py", "Interview", "No interview is open in this tab. Start one on the Setup page."),
    ],
)
def test_an_empty_workspace_shows_help_not_errors(app: AppTest, page: str, title: str, info: str) -> None:
    app.switch_page(page).run()
    assert_clean(app)
    assert page_title(app) == title
    assert not app.error and not app.warning
    assert app.info and app.info[0].value.startswith(info)
    assert any(link.proto.page.endswith("setup") for link in app.get("page_link")), "a way to Setup"


def test_evaluation_of_an_open_interview_points_back_to_it(app: AppTest) -> None:
    button(app, "Start interview").click().run()
    session_id = app.session_state["session_id"]
    app.switch_page("pages/evaluation.py").run()
    assert_clean(app)
    assert page_title(app) == "Evaluation"
    assert [i.value for i in app.info] == [
        "This interview is still going: end it on the Interview page to get its evaluation.",
        "No completed interviews yet. Start one on the Setup page.",
    ]
    assert app.session_state["session_id"] == session_id


def test_an_unknown_session_in_the_url_is_forgotten(new_app: AppFactory) -> None:
    at = new_app()
    at.query_params["session"] = "no-such-session"
    at.run()
    at.switch_page("pages/interview.py").run()
    assert_clean(at)
    assert page_title(at) == "Interview"
    assert at.info[0].value.startswith("No interview is open in this tab.")
    assert "session" not in at.query_params
    assert "session_id" not in at.session_state


def test_setup_describes_the_modes_the_interview_has(app: AppTest) -> None:
    """The whiteboard and voice exist: Setup says how to use them, not that they are coming."""
    assert_clean(app)
    modes = [
        m.value for m in app.markdown if "**Chat**" in m.value or "**Whiteboard**" in m.value or "**Voice**" in m.value
    ]
    assert len(modes) == 3
    assert "Speak my answers" in modes[2]
    assert not any("coming soon" in m.value.lower() for m in app.markdown)
    assert not any("coming soon" in c.label.lower() for c in app.checkbox)
