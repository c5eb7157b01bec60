"""The Debrief page under AppTest sends the follow-up email: the Send beside the download writes it to the
outbox (a worker sends it), says where it stands, and the audit log has it as sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings
from core.debrief.recommendations import override_recommendation
from core.live.notes import commit_note
from core.live.sessions import create_live_session, end_live, live_template, start_live
from core.models import OutboxStatus
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import INTERVIEWER
from tests.ui.conftest import AppFactory, assert_clean, button


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


def test_the_follow_up_email_is_sent_through_the_outbox_and_audited(new_app: AppFactory, ws: Workspace) -> None:
    sid = create_live_session(
        ws,
        template_id="customer_discovery",
        candidate_name="Ola Nord",
        candidate_email="ola@example.com",
        actor=INTERVIEWER,
    ).id
    start_live(ws, sid, actor=INTERVIEWER)
    commit_note(ws, sid, live_template(ws, sid), text="Reconciliation takes two days #pain !5", actor=INTERVIEWER)
    end_live(ws, sid, actor=INTERVIEWER)
    override_recommendation(
        ws, sid, key="activation_candidate", justification="Their CFO asked for a pilot.", actor=INTERVIEWER
    )
    at = new_app()
    at.query_params["session"] = sid
    at.run()
    at.switch_page("pages/debrief.py").run()
    assert_clean(at)

    button(at, "Send to the candidate").click().run()
    assert_clean(at)
    with ws.uow_factory() as uow:
        [message] = uow.outbox.in_session(sid)
        sent = [e for e in uow.audit.latest(session_id=sid) if e.action == "follow_up_email_sent"]
    assert (message.kind, message.recipient, message.status) == (
        "follow_up",
        "Ola Nord <ola@example.com>",
        OutboxStatus.QUEUED,
    )
    assert message.text_body.startswith("Hi Ola,") and len(sent) == 1
    assert any(
        c.value.endswith("in the outbox, being sent (queued " + c.value.rsplit("(queued ", 1)[-1])
        and "to Ola Nord \\<ola@example.com\\>" in c.value
        for c in at.caption
    )
    assert button(at, "Send again")  # a second Send is a deliberate second email
