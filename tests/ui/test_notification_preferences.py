"""My notifications: a signed-in person sees email on for every event by default, chooses SMS with their phone
number, their zone and quiet hours, and is told in a sentence what to fix; Slack and SMS are offered only where
the workspace has them, and the secrets behind them never reach the page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.config import load_settings
from core.models import Account
from entry.bootstrap import shared_workspace
from tests.ui.conftest import APP, TIMEOUT, AppFactory, add_person, assert_clean, rendered_text, signed_in_as

TOKEN = "twilio-token-never-shown-1234"
HOOK = "https://hooks.slack.com/services/T01/B02/hook-secret-never-shown"


@pytest.fixture
def with_channels(app_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    app_env.setenv("IW_NOTIFICATIONS__SLACK__WEBHOOK_URL", HOOK)
    app_env.setenv("IW_NOTIFICATIONS__SMS__ACCOUNT_SID", "AC" + "1" * 32)
    app_env.setenv("IW_NOTIFICATIONS__SMS__AUTH_TOKEN", TOKEN)
    app_env.setenv("IW_NOTIFICATIONS__SMS__FROM_NUMBER", "+15005550006")
    return app_env


def open_as_ivan(new_app: AppFactory) -> tuple[AppTest, Account]:
    new_app()
    ivan = add_person("ivan@example.com", "interviewer", name="Ivan")
    at = signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), ivan.email, ivan.name)
    at.run()
    at.switch_page("pages/notifications.py").run()
    assert_clean(at)
    return at, ivan


def stored(ivan: Account) -> Account:
    with shared_workspace(load_settings()).uow_factory() as uow:
        return uow.accounts.get(ivan.id)


def test_a_person_chooses_sms_with_their_number_and_quiet_hours(
    new_app: AppFactory, with_channels: pytest.MonkeyPatch
) -> None:
    at, ivan = open_as_ivan(new_app)
    assert at.checkbox(key="notify_booking_reminder_email").value is True
    assert at.checkbox(key="notify_booking_reminder_sms").value is False
    assert not at.checkbox(key="notify_booking_reminder_sms").disabled

    at.checkbox(key="notify_booking_reminder_sms").check()
    at.checkbox(key="notify_booking_update_email").uncheck()
    at.text_input[0].input("+44 7700 900123")
    at.text_input[1].input("Europe/London")
    at.text_input[2].input("21:00-08:00")
    at.button[0].click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["Saved. New messages follow these choices."]

    account = stored(ivan)
    assert account.notify["booking_reminder"] == ["email", "sms"] and account.notify["booking_update"] == []
    assert (account.phone, account.timezone, account.quiet_hours) == ("+447700900123", "Europe/London", "21:00-08:00")
    page = rendered_text(at)
    assert TOKEN not in page and "hook-secret" not in page


def test_sms_without_a_number_is_refused_with_what_to_do(
    new_app: AppFactory, with_channels: pytest.MonkeyPatch
) -> None:
    at, ivan = open_as_ivan(new_app)
    at.checkbox(key="notify_booking_confirmation_sms").check()
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Add your phone number to get text messages (SMS), or turn SMS off."]
    assert stored(ivan).notify == {}


def test_channels_the_workspace_lacks_cannot_be_chosen(new_app: AppFactory) -> None:
    at, _ = open_as_ivan(new_app)
    assert at.checkbox(key="notify_booking_confirmation_slack").disabled
    assert at.checkbox(key="notify_booking_confirmation_sms").disabled
    assert "Not configured on this workspace: Slack, SMS (ask an administrator)." in [c.value for c in at.caption]
