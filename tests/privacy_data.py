"""A person with a row in every table that can hold their data, and files on disk: what privacy tests erase.

`fill_person` writes through the repositories (fast, and every table is reached, not only those a quick
service flow happens to touch); `leftovers` scans every table of the database and the file store for
what must be gone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from core.models import (
    Account,
    AccountRole,
    AuditEntry,
    Booking,
    CachedAnswer,
    Candidate,
    CompetencyScore,
    DeliveryAttempt,
    Evaluation,
    FollowUpTask,
    LiveNote,
    LiveSession,
    MediaFile,
    Message,
    OutboxMessage,
    PipelineChange,
    RecommendationRecord,
    Resume,
    ResumeProfile,
    Role,
    ScorecardEntry,
    ScoreOverride,
    Session,
    SessionConsent,
    SessionStatus,
    TeamMember,
    TokenUsage,
    TranscriptEntry,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
    WhiteboardSnapshot,
)
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace
from storage.tables import metadata

ATS = "ats-subscription"


@dataclass(frozen=True)
class Person:
    candidate_id: str
    name: str
    email: str
    session_ids: tuple[str, ...]

    @property
    def traces(self) -> tuple[str, ...]:
        """What must not be found anywhere once they are erased (the email in any case)."""
        return (self.candidate_id, self.name, self.email.lower(), *self.session_ids)


def fill_person(ws: Workspace, person: Person, *, at: datetime, member_id: str = "member-1") -> None:
    """The candidate, a resume with its file, and per session a row in every session table plus files."""
    with ws.uow_factory() as uow:
        if not any(m.id == member_id for m in uow.team_members.all(active_only=False)):
            uow.team_members.add(TeamMember(id=member_id, name="Ines Interviewer", email="ines@team.example"))
        if not uow.webhook_subscriptions.all():  # the ATS every interview's events go to
            uow.webhook_subscriptions.add(
                WebhookSubscription(ATS, "https://ats.example.com/hooks", ["interview.completed"], "whsec_QUFB")
            )
        uow.candidates.add(Candidate(id=person.candidate_id, name=person.name, email=person.email, created_at=at))
        # They practise with their own account: erasing them removes it too
        uow.accounts.add(Account(id=f"account-{person.candidate_id}", email=person.email, name=person.name,
                                 roles=[AccountRole.CANDIDATE], created_at=at))  # fmt: skip
        resume_path = ws.files.save_candidate_file(person.candidate_id, "resume-1.txt", f"{person.name}\n".encode())
        uow.resumes.add(
            Resume(
                id=f"resume-{person.candidate_id}",
                candidate_id=person.candidate_id,
                filename=f"{person.name} CV.txt",
                content_type="text/plain",
                size_bytes=20,
                text=f"{person.name} {person.email}",
                profile=ResumeProfile(name=person.name, email=person.email),
                file_path=resume_path,
                created_at=at,
            )
        )
        uow.pipeline.add(
            PipelineChange(candidate_id=person.candidate_id, status="follow_up", source="manual", actor="a")
        )
        uow.audit.add(AuditEntry(action="resume_uploaded", detail={"candidate_id": person.candidate_id}))
        for number, sid in enumerate(person.session_ids):
            _fill_session(ws, uow, person, sid, at + timedelta(minutes=number), member_id)
        uow.commit()


def _fill_session(ws: Workspace, u: UnitOfWork, person: Person, sid: str, at: datetime, member_id: str) -> None:
    u.sessions.add(
        Session(
            id=sid,
            problem_id="url_shortener",
            candidate_id=person.candidate_id,
            status=SessionStatus.COMPLETED,
            created_at=at,
            started_at=at,
            ended_at=at + timedelta(minutes=45),
        )
    )
    u.messages.add(Message(session_id=sid, role=Role.CANDIDATE, content=f"I am {person.name}", created_at=at))
    u.transcripts.add(TranscriptEntry(session_id=sid, speaker="candidate", text=f"mail {person.email}", start=0, end=1))
    png = ws.files.save(sid, "whiteboard-1.png", b"\x89PNG picture")
    ws.files.save(sid, "whiteboard-1.json", b"{}")
    u.whiteboards.add(WhiteboardSnapshot(session_id=sid, png_path=png, fabric_json={"objects": []}, created_at=at))
    audio = ws.files.save(sid, "audio-1.wav", b"RIFF audio")
    u.media.add(MediaFile(sid, "audio", audio, 10, "audio/wav", created_at=at))
    u.consents.add(SessionConsent(session_id=sid, actor="candidate", kinds=["audio"], notice_version="1", given_at=at))
    score = CompetencyScore(key="requirements", name="Requirements", score=3.0, confidence=0.5)
    u.evaluations.add(Evaluation(session_id=sid, overall_score=3.0, competencies=[score], went_well=[person.name]))
    u.score_overrides.add(ScoreOverride(sid, "requirements", 3.0, 4.0, f"{person.name} did well", "rev"))
    u.token_usage.add(TokenUsage(sid, "offline", "none", "reply", 1, 1, 0.0, 1))
    # a model's answer quoting the person, kept in the answer cache under this interview
    quoted = f'{{"went_well": ["{person.name} asked good questions"]}}'
    u.answer_cache.add(CachedAnswer(f"{sid:0>64}"[-64:], "openai", "gpt", "evaluator/v3", quoted, 9, 9, sid))
    uid = f"uid-{sid}"
    u.bookings.add(
        Booking(
            id=f"booking-{sid}",
            session_id=sid,
            source="calcom",
            ical_uid=f"ical-{sid}",
            start_at=at,
            end_at=at + timedelta(hours=1),
            attendee_name=person.name,
            attendee_email=person.email,
            external_uid=uid,
        )
    )
    u.session_interviewers.set(sid, [member_id])
    u.outbox.add(
        OutboxMessage(
            "booking_confirmation",
            f"{person.name} <{person.email}>",
            f"Your interview, {person.name}",
            f"Hi {person.name}",
            attachment=f"ATTENDEE;CN={person.name}:mailto:{person.email}".encode(),
            session_id=sid,
            booking_id=f"booking-{sid}",
            created_at=at,
        )
    )
    # what the ATS was told about the interview, and its answer quoting the person back
    body = json.dumps(
        {"type": "interview.completed", "data": {"candidate": {"name": person.name, "email": person.email}}}
    )
    sent = u.webhook_deliveries.add(WebhookDelivery(ATS, f"msg_{sid}", "interview.completed", body, session_id=sid))
    u.delivery_attempts.add(DeliveryAttempt(sent.id or 0, at, 40, 200, "", f'{{"stored": "{person.name}"}}'))
    u.live_sessions.add(LiveSession(session_id=sid, template_id="t", template_version="1", stage="intro"))
    u.notes.add(LiveNote(session_id=sid, text=f"{person.name} mentioned a cache", at_seconds=5))
    u.scorecards.add(ScorecardEntry(session_id=sid, competency="requirements", score=4, evidence="x", set_by="i"))
    u.recommendations.add(
        RecommendationRecord(session_id=sid, key="next_round", confidence=0.7, source="computed", actor="i")
    )
    u.follow_ups.add(
        FollowUpTask(id=f"task-{sid}", session_id=sid, title=f"Call {person.name}", owner="r", due_on=date(2030, 1, 1))
    )
    u.pipeline.add(
        PipelineChange(
            candidate_id=person.candidate_id, status="next_round", source="recommendation", actor="i", session_id=sid
        )
    )
    u.audit.add(AuditEntry(action="session_started", session_id=sid))
    payload = {
        "triggerEvent": "BOOKING_CREATED",
        "payload": {"uid": uid, "attendees": [{"name": person.name, "email": person.email.upper()}]},
    }
    u.webhook_events.add(
        WebhookEvent(
            source="calcom",
            body_sha256="0" * 64,
            status="processed",
            booking_uid=uid,
            payload=payload,
            session_id=sid,
            received_at=at,
        )
    )


def leftovers(
    engine: Engine, root: Path, traces: tuple[str, ...], *, skip: tuple[str, ...] = ("data_requests",)
) -> list[str]:
    """Where any trace still appears: "table: row" for rows of every table, "file: path" for the file store."""
    found: list[str] = []
    wanted = [t.lower() for t in traces]
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name in skip:
                continue
            for row in connection.execute(select(table)):
                text = " ".join(str(value) for value in row).lower()
                if any(t in text for t in wanted):
                    found.append(f"{table.name}: {tuple(row)}")
    if root.exists():
        for path in root.rglob("*"):
            name = str(path.relative_to(root)).lower()
            content = path.read_bytes().decode("utf-8", "replace").lower() if path.is_file() else ""
            if any(t in name or t in content for t in wanted):
                found.append(f"file: {path.relative_to(root)}")
    return found
