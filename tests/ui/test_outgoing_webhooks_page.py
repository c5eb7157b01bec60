"""The Webhook log's Outgoing tab under AppTest: subscribing (a bad address refused with the reason, the secret
shown once), enabling, disabling and deleting, and the deliveries with their attempts and a Replay."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.jobs import runner
from core.models import DeliveryStatus, JobStatus, OutgoingEvent
from core.outgoing_webhooks import deliveries, subscriptions
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from entry.job_handlers import HANDLERS
from tests.actors import ADMIN
from tests.smtp_server import free_port
from tests.ui.conftest import APP, TIMEOUT, AppFactory, add_person, assert_clean, button, rendered_text, signed_in_as


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


def open_outgoing(new_app: AppFactory) -> AppTest:
    at = new_app()
    at.run()
    at.switch_page("pages/webhooks.py").run()
    assert_clean(at)
    assert [t.label for t in at.tabs] == ["Incoming (Cal.com)", "Outgoing"]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def test_an_admin_subscribes_sees_the_secret_once_then_disables_and_deletes(new_app: AppFactory, ws: Workspace) -> None:
    at = open_outgoing(new_app)
    assert "No subscriptions yet" in at.tabs[1].info[0].value

    at.text_input(key="new_subscription_url").input("ats.example.com/hooks")
    button(at, "Add subscription").click().run()
    assert_clean(at)
    assert "it must start with https://" in at.error[0].value
    assert subscriptions.listing(ws, actor=ADMIN) == []

    at.text_input(key="new_subscription_url").input("https://ats.example.com/hooks?token=abc")
    at.text_input(key="new_subscription_description").input("Our ATS")
    at.multiselect(key="new_subscription_events").set_value(["booking.created", "interview.completed"])
    button(at, "Add subscription").click().run()
    assert_clean(at)
    [made] = subscriptions.listing(ws, actor=ADMIN)
    with ws.uow_factory() as uow:
        secret = uow.webhook_subscriptions.get(made.id).secret
    assert (made.url, made.description, made.events) == (
        "https://ats.example.com/hooks?token=abc",
        "Our ATS",
        ["booking.created", "interview.completed"],
    )
    assert "it is not shown again" in at.success[0].value
    assert [c.value for c in at.code] == [secret] and secret.startswith("whsec_")

    at.run()  # any next run: the secret is gone from the page for good
    assert_clean(at)
    assert secret.removeprefix("whsec_") not in rendered_text(at) and not at.code
    assert any("Enabled" in m.value for m in at.tabs[1].markdown)

    at.button(key=f"toggle_subscription_{made.id}").click().run()
    assert_clean(at)
    assert not subscriptions.listing(ws, actor=ADMIN)[0].enabled
    assert at.button(key=f"toggle_subscription_{made.id}").label == "Enable"

    at.button(key=f"delete_subscription_{made.id}").click().run()
    assert subscriptions.listing(ws, actor=ADMIN) != []  # asks first
    at.button(key=f"really_delete_subscription_{made.id}").click().run()
    assert_clean(at)
    assert subscriptions.listing(ws, actor=ADMIN) == []
    assert "No subscriptions yet" in at.tabs[1].info[0].value


def test_an_admin_reads_a_deliverys_attempts_and_replays_it(new_app: AppFactory, ws: Workspace) -> None:
    port = free_port()  # nothing listens: the attempt is logged with why
    made = subscriptions.subscribe(
        ws, url=f"http://127.0.0.1:{port}/hooks", events=[OutgoingEvent.BOOKING_CREATED.value], actor=ADMIN
    )
    with ws.uow_factory() as uow:
        [job] = deliveries.emit(uow, ws, OutgoingEvent.BOOKING_CREATED, lambda: {"booking": {"id": "b1"}}, actor=ADMIN)
        uow.commit()
    runner.run(ws, job.id or 0, HANDLERS)
    [delivery] = deliveries.recent(ws, actor=ADMIN)
    assert delivery.status is DeliveryStatus.RETRYING

    at = open_outgoing(new_app)
    assert (metric(at, "Trying again"), metric(at, "Delivered"), metric(at, "Not delivered")) == ("1", "0", "0")
    table, attempts = (frame.value for frame in at.tabs[1].dataframe)
    assert list(table["Event"]) == ["booking.created"] and list(table["To"]) == [made.url]
    assert list(table["Status"]) == ["Trying again"] and list(table["Tries"]) == [1]
    assert list(attempts["Answer"]) == ["none"]
    assert attempts["Error"].iloc[0].startswith(f"Could not connect to 127.0.0.1:{port}: ")
    assert any(delivery.message_id in c.value for c in at.caption)

    at.button(key=f"replay_delivery_{delivery.id}").click().run()
    assert_clean(at)
    [replayed] = deliveries.recent(ws, actor=ADMIN)
    assert replayed.status is DeliveryStatus.QUEUED and replayed.message_id == delivery.message_id
    with ws.uow_factory() as uow:
        job_now = uow.jobs.get(job.id or 0)
    assert (job_now.status, job_now.attempts) == (JobStatus.QUEUED, 0)
    assert metric(at, "To send") == "1"


def test_the_outgoing_tab_is_not_an_interviewers(new_app: AppFactory, ws: Workspace) -> None:
    new_app()
    ivan = add_person("ivan@example.com", "interviewer", name="Ivan")
    at = signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), ivan.email, ivan.name)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/webhooks.py")
