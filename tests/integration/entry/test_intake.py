"""The webhook intake server (`python -m core intake`) as the proxy reaches it: a real process on loopback
that stores each signed Cal.com delivery with the job that applies it, answers duplicates and forgeries
as the workspace server does, and answers the proxy's health check."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.config import Settings
from core.scheduling.calcom.webhooks import APPLY_EVENT, job_key
from entry.bootstrap import build_workspace
from tests.calcom_fake import CalcomServer, post_webhook
from tests.workspace_server import workspace_server

SECRET = "intake-test-secret-0f3a"


def test_the_intake_stores_signed_deliveries_with_their_job_and_refuses_forgeries(
    database_url: str, tmp_path: Path
) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    fake = CalcomServer()  # not started: it builds Cal.com's exact bodies
    booking = fake.seed_booking(
        event_type_id=101,
        start=datetime.now(UTC).replace(microsecond=0) + timedelta(days=3),
        attendee_name="Ada Lovelace",
        attendee_email="ada@example.com",
    )
    body = fake.webhook_body_for("BOOKING_CREATED", booking.uid)
    env = {"CALCOM_WEBHOOK_SECRET": SECRET}
    with workspace_server(runtime, env, database_url=database_url, worker=False, intake=True) as base:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as health:
            assert health.read() == b"ok"
        url = f"{base}/webhooks/calcom"
        first = post_webhook(url, body, secret=SECRET)
        again = post_webhook(url, body, secret=SECRET)
        forged = post_webhook(url, body, secret="not-the-secret")
        unsigned = post_webhook(url, body, secret=None)

    # uvicorn's lines go through our JSON log, and no access line per delivery (Streamlit gives its loggers
    # handlers again when its config is first read)
    lines = (runtime / "server.log").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(r["name"].startswith("uvicorn") for r in records)
    assert not [line for line in lines if "/webhooks/calcom" in line or "/_stcore/health" in line]
    batches = [r for r in records if r["message"] == "webhooks received"]
    assert [e["duplicate"] for r in batches for e in r["events"]] == [False, True]

    assert first.status_code == 200 and not json.loads(first.response_text).get("duplicate")
    assert again.status_code == 200 and json.loads(again.response_text)["duplicate"] is True
    assert forged.status_code == 401 and unsigned.status_code == 401
    assert SECRET not in first.response_text + forged.response_text

    ws = build_workspace(Settings(database_url=database_url, runtime_dir=runtime), migrate=False)
    with ws.uow_factory() as uow:
        events = [e for e in uow.webhook_events.latest(limit=10) if e.booking_uid == booking.uid]
        received = [e for e in events if e.status == "received"]
        assert len(received) == 1 and [e.status for e in events].count("duplicate") == 1
        job = uow.jobs.by_key(job_key(received[0].id or 0))
        assert job is not None and job.kind == APPLY_EVENT  # waiting for a worker: the answer did not
