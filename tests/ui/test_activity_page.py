"""The Activity page under AppTest: an admin pages through everyone's activity and filters it by person and kind,
a candidate sees only what they did, and both get the CSV and JSON downloads. The AI budget's figures on Setup and
the Jobs page come from the same month's spend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from core.activity.kinds import Kind
from core.config import load_settings
from core.interview.services import create_interview
from core.models import Account, AuditEntry, OutboxMessage, OutboxStatus, TokenUsage
from core.notifications import outbox
from core.notifications.delivery import settle
from core.notifications.outbox import WAITING_FOR_SMTP
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import shared_workspace
from tests.ui.conftest import APP, TIMEOUT, AppFactory, add_person, assert_clean, page_title, signed_in_as


def workspace() -> Workspace:
    return shared_workspace(load_settings())


def log(*entries: AuditEntry) -> None:
    with workspace().uow_factory() as uow:
        for entry in entries:
            uow.audit.add(entry)
        uow.commit()


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def downloads(at: AppTest) -> list[str]:
    return [str(node.proto.label) for node in at.get("download_button")]


def open_activity(at: AppTest) -> AppTest:
    at.run()
    at.switch_page("pages/activity.py").run()
    assert_clean(at)
    assert page_title(at) == "Activity"
    return at


@pytest.fixture
def people(new_app: AppFactory) -> dict[str, Account]:
    new_app()  # the admin of conftest exists from here on
    return {
        "ana": add_person("ana@example.com", "candidate", name="Ana Candidate"),
        "ivan": add_person("ivan@example.com", "interviewer", name="Ivan Interviewer"),
    }


def test_an_admin_pages_through_everyones_activity_and_filters_it(
    new_app: AppFactory, people: dict[str, Account]
) -> None:
    now = datetime.now(UTC)
    ana, ivan = people["ana"].audit_name, people["ivan"].audit_name
    log(
        *(
            AuditEntry("message_sent", ana, "s-ana", {"seq": n}, created_at=now - timedelta(hours=2, minutes=n))
            for n in range(55)
        )
    )
    log(
        AuditEntry("interview_booked", ivan, "s-ana", {"source": "local"}, created_at=now - timedelta(minutes=30)),
        AuditEntry(
            "score_overridden", ivan, "s-ana", {"competency": "estimation"}, created_at=now - timedelta(minutes=20)
        ),
        AuditEntry(
            "email_failed",
            "system",
            "s-ana",
            {"message": 3, "kind": "follow_up"},
            created_at=now - timedelta(minutes=10),
        ),
    )
    at = open_activity(new_app())

    table = at.dataframe[0].value
    assert len(table) == 50
    # newest first: the admin's sign-in and the accounts the set-up made this minute, then what was logged here
    seeded = table[~table["What"].isin(["Signed in", "Account created"])]
    assert list(seeded["What"][:3]) == ["Email failed", "Score overridden", "Interview booked"]
    assert list(seeded["Who"][:3]) == ["system", "Ivan Interviewer", "Ivan Interviewer"]
    assert list(seeded["Kind"][:3]) == ["Emails", "Overrides", "Bookings"]
    assert list(table["What"][:3]) == ["Signed in", "Account created", "Account created"]
    assert any(c.startswith("Page 1 of 2 · 1–50 of 62 entries") for c in captions(at))
    assert downloads(at) == ["Download CSV", "Download JSON"]

    at.selectbox(key="activity_kind").set_value(Kind.OVERRIDES).run()
    assert_clean(at)
    assert list(at.dataframe[0].value["What"]) == ["Score overridden"]
    assert "estimation" in at.dataframe[0].value["Details"][0]

    at.selectbox(key="activity_kind").set_value(None).run()
    at.selectbox(key="activity_person").set_value(people["ana"].id).run()
    assert_clean(at)
    shown = at.dataframe[0].value
    assert set(shown["Who"]) == {"Ana Candidate"} and len(shown) == 50
    assert any(c.startswith("Page 1 of 2 · 1–50 of 55 entries") for c in captions(at))

    at.selectbox(key="activity_person").set_value("").run()  # everyone
    at.selectbox(key="activity_kind").set_value(Kind.PEOPLE).run()
    created = at.dataframe[0].value  # the set-up's accounts: named in the details by name, not by id
    assert "account: Ana Candidate" in " ".join(created["Details"]) and people["ana"].id not in " ".join(
        created["Details"]
    )

    at.selectbox(key="activity_person").set_value(people["ana"].id).run()
    at.selectbox(key="activity_kind").set_value(Kind.WEBHOOKS).run()
    assert [i.value for i in at.info] == ["No activity matches these filters."]


def test_a_candidate_sees_only_what_they_did(new_app: AppFactory, people: dict[str, Account]) -> None:
    now = datetime.now(UTC)
    ana = people["ana"]
    log(
        AuditEntry("session_created", ana.audit_name, "s-ana", {"problem_id": "url_shortener"}, created_at=now),
        AuditEntry("score_overridden", people["ivan"].audit_name, "s-ana", {}, created_at=now),
        AuditEntry("email_sent", "system", "s-ana", {"message": 1}, created_at=now),
    )
    at = open_activity(signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), ana.email, ana.name))

    assert captions(at)[0].startswith("What you did in the workspace")
    assert [s.key for s in at.selectbox] == ["activity_kind"]  # no person to choose
    table = at.dataframe[0].value
    assert set(table["Who"]) == {"Ana Candidate"}
    assert "Session created" in list(table["What"]) and "Score overridden" not in list(table["What"])
    assert downloads(at) == ["Download CSV", "Download JSON"]


def test_an_admin_is_told_of_emails_waiting_in_the_outbox_and_a_candidate_is_not(
    new_app: AppFactory, people: dict[str, Account]
) -> None:
    at = open_activity(new_app())
    assert not any("outbox" in i.value for i in at.info)  # nothing owed, nothing said
    ws = workspace()
    with ws.uow_factory() as uow:
        for n in range(2):
            outbox.add(uow, ws, OutboxMessage("follow_up", f"p{n}@example.com", "S", "t"), actor=Actor.workspace("t"))
        uow.commit()
    for message in outbox.recent(ws, actor=Actor.workspace("t"), limit=10):  # as a worker without SMTP leaves them
        settle(ws, message, OutboxStatus.WAITING, WAITING_FOR_SMTP, tried=False)

    at = open_activity(new_app())
    [notice] = [i.value for i in at.info if "outbox" in i.value]
    assert notice.startswith("2 message(s) wait in the outbox (no SMTP server is configured) and 0 could not be sent")
    ana = people["ana"]
    at = open_activity(signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), ana.email, ana.name))
    assert not any("outbox" in i.value for i in at.info)


def seed_spend(owner: Account, cost: float) -> None:
    """An interview of `owner`'s that cost `cost` this month (as the services record a model call)."""
    ws = workspace()
    session = create_interview(ws, problem_id="url_shortener", actor=Actor.person(owner))
    with ws.uow_factory() as uow:
        uow.token_usage.add(
            TokenUsage(
                session.id, "openai", "gpt-5-mini", "question_generation", 1000, 100, cost, 5, created_at=ws.clock()
            )
        )
        uow.commit()


def test_the_jobs_page_shows_the_months_spend_against_the_budget(
    new_app: AppFactory, app_env: pytest.MonkeyPatch, people: dict[str, Account]
) -> None:
    app_env.setenv("IW_LLM_BUDGET__MONTHLY_USD", "50")
    app_env.setenv("IW_LLM_BUDGET__PER_PERSON_USD", "3")
    seed_spend(people["ana"], 3.2)
    at = new_app().run()
    at.switch_page("pages/jobs.py").run()
    assert_clean(at)

    assert any("**$3.20 of $50 this month**" in m.value for m in at.markdown)
    assert any("Limits: $50 for the workspace, $3 per person" in c for c in captions(at))
    table = at.dataframe[-1].value  # the last table on the page: spend per person
    assert list(table["Person"]) == ["Ana Candidate"] and list(table["Left"]) == ["spent: offline until the month ends"]


def test_setup_says_when_the_budget_is_spent_and_that_the_offline_interviewer_takes_over(
    new_app: AppFactory, app_env: pytest.MonkeyPatch, people: dict[str, Account]
) -> None:
    app_env.setenv("IW_LLM_BUDGET__PER_PERSON_USD", "3")
    ana = people["ana"]
    at = signed_in_as(AppTest.from_file(APP, default_timeout=TIMEOUT), ana.email, ana.name).run()
    at.radio(key="setup_provider").set_value("openai").run()
    assert_clean(at)
    assert any(c == ":material/savings: AI budget: yours $0.00 of $3 this month." for c in captions(at))

    seed_spend(ana, 3.5)
    at.run()
    assert [w.value for w in at.warning if "AI budget" in w.value] == [
        "Your AI budget for this month is spent; the offline interviewer takes over until "
        f"{_next_month()}. You can still start: the interview runs offline."
    ]


def _next_month() -> str:
    now = datetime.now(UTC)
    following = (
        datetime(now.year + 1, 1, 1, tzinfo=UTC)
        if now.month == 12
        else datetime(now.year, now.month + 1, 1, tzinfo=UTC)
    )
    return f"{following.day} {following:%B}"
