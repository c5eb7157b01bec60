"""The app must say what is wrong when it cannot start, never show a traceback or a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import ADMIN_EMAIL, AppFactory, add_person, assert_clean, page_title, rendered_text

DOWN = "postgresql://postgres:s3cret@127.0.0.1:1/test"  # nothing listens on port 1


@pytest.mark.parametrize("variable", ["DATABASE_URL", "IW_DATABASE_URL"])
def test_database_down_shows_an_error_without_the_password(
    new_app: AppFactory, app_env: pytest.MonkeyPatch, runtime_dir: Path, variable: str
) -> None:
    app_env.setenv(variable, DOWN)
    at = new_app().run()

    assert_clean(at)
    assert page_title(at) == "Interview Workspace"
    assert len(at.error) == 1
    error = at.error[0].value
    assert "Cannot reach the database" in error
    assert "127.0.0.1:1" in error, "the message says which database"
    assert not at.button and not at.chat_input and not at.file_uploader, "no page runs"
    assert "s3cret" not in rendered_text(at)
    for log in runtime_dir.rglob("*.log*"):
        assert "s3cret" not in log.read_text(encoding="utf-8"), log

    at.run()  # a failure is not cached: each rerun tries again, and still explains
    assert_clean(at)
    assert "Cannot reach the database" in at.error[0].value


@pytest.mark.parametrize(
    ("variable", "value", "key"),
    [
        ("IW_INTERVIEW_MINUTES", "abc", "interview_minutes"),
        ("IW_RESUME_MAX_MB", "-1", "resume_max_mb"),
        ("IW_LOG_LEVEL", "LOUD", "log_level"),
    ],
)
def test_bad_config_names_the_setting(
    new_app: AppFactory, app_env: pytest.MonkeyPatch, variable: str, value: str, key: str
) -> None:
    app_env.setenv(variable, value)
    at = new_app().run()

    assert_clean(at)
    assert page_title(at) == "Interview Workspace"
    assert len(at.error) == 1
    error = at.error[0].value
    assert f"'{key}'" in error and variable in error, error
    assert "validation error" not in error.lower() and "pydantic" not in error.lower()
    assert not at.button and not at.file_uploader


def test_the_app_starts_once_the_config_is_fixed(new_app: AppFactory, app_env: pytest.MonkeyPatch) -> None:
    app_env.setenv("IW_INTERVIEW_MINUTES", "abc")
    at = new_app().run()
    assert at.error
    app_env.setenv("IW_INTERVIEW_MINUTES", "30")
    add_person(ADMIN_EMAIL, "admin", name="Ada Admin")  # nobody could be added while it could not start
    at.run()
    assert_clean(at)
    assert not at.error
    assert page_title(at) == "Set up a practice interview"
    assert at.slider(key="setup_minutes").value == 30
