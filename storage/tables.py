"""SQLAlchemy 2 tables, portable between SQLite (embedded default) and PostgreSQL.

Rows stay inside storage/: repositories turn them into core.models dataclasses. Enums are
stored as their string values (no database enum types to migrate), JSON fields use the
portable JSON type, and every timestamp is stored in UTC and read back tz-aware.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names: Alembic batch mode on SQLite needs them, and the migration
# spells the same names out by hand.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """DateTime(timezone=True) that stores UTC and always returns tz-aware UTC.

    SQLite keeps no zone, so the value is converted to UTC before it is written and UTC is
    re-attached on the way out. Naive datetimes are refused: guessing their zone hides bugs.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"Refusing to store a naive datetime ({value.isoformat()}); use a tz-aware one.")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def _session_fk() -> ForeignKey:
    return ForeignKey("sessions.id", ondelete="CASCADE")


class CandidateRow(Base):
    """email_key is core.models.email_key(email): unique, so one person is one candidate (NULLs never clash)."""

    __tablename__ = "candidates"
    __table_args__ = (Index(None, "email_key", unique=True), Index(None, "name"))  # name: History's candidate order

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    email_key: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResumeRow(Base):
    __tablename__ = "resumes"
    __table_args__ = (Index(None, "candidate_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(36), ForeignKey("candidates.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    profile: Mapped[dict[str, Any]]
    file_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionRow(Base):
    """overall_score repeats the evaluation's, so History sorts and filters by score on this table alone
    (joining evaluations to sort 10,000 interviews cost 20-30 ms); the evaluation repository keeps it in step."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index(None, "created_at"),
        Index(None, "overall_score", "created_at"),  # History's score order and score range
        Index(None, "status", "created_at"),
        # A candidate's interviews, and History's name filter: it holds what a page by score or date orders by, so
        # the few hundred interviews of the named candidates are sorted without reading their rows.
        Index(None, "candidate_id", "status", "overall_score", "created_at", "id"),
        Index(None, "problem_id", "created_at"),  # History's problem filter
        Index(None, "interviewer_provider", "interviewer_model", "created_at"),  # History's interviewer filter
        Index(None, "owner_id"),
        Index(None, "team"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    problem_id: Mapped[str] = mapped_column(String(100))
    problem_title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50))
    candidate_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("candidates.id", ondelete="SET NULL"))
    interviewer_provider: Mapped[str] = mapped_column(String(50))
    interviewer_model: Mapped[str | None] = mapped_column(String(100))
    rubric_id: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))
    modes: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(40))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_seconds: Mapped[float] = mapped_column(Float)
    stage_started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("accounts.id", ondelete="SET NULL"))
    team: Mapped[str] = mapped_column(String(100))  # no Python default: older revisions' inserts must not name it
    overall_score: Mapped[float | None] = mapped_column(Float)  # the evaluation's; None: none, or not scored


class SessionTallyRow(Base):
    """How many sessions there are, kept by triggers on sessions (migration 0028), so History's count of every
    interview reads one row: counting 10,000 index entries cost PostgreSQL about a millisecond a rerun, and ten
    times that at 100,000. One row, id 1; without it the sessions are counted."""

    __tablename__ = "session_tally"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sessions: Mapped[int] = mapped_column(Integer)


class InterviewerChoiceRow(Base):
    """Each interviewer (provider and model) that runs at least one interview: History's filter lists these rather
    than reading every interview for them (a DISTINCT over 10,000 interviews cost 2-6 ms a rerun on PostgreSQL).
    The session repository keeps it in step; "" is the provider's own default model (a session's NULL)."""

    __tablename__ = "interviewer_choices"

    provider: Mapped[str] = mapped_column(String(50), primary_key=True)
    model: Mapped[str] = mapped_column(String(100), primary_key=True)


class AccountRow(Base):
    """A person who signs in; email_key is core.models.email_key(email), unique: one person, one account."""

    __tablename__ = "accounts"
    __table_args__ = (Index(None, "email_key", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[Any]]
    team: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]
    notify: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # event kind -> channels
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164
    timezone: Mapped[str] = mapped_column(String(64), default="")
    quiet_hours: Mapped[str] = mapped_column(String(11), default="")  # "21:00-08:00"


class SignInSessionRow(Base):
    """A browser's sign-in, keyed by the SHA-256 of the token its cookie holds."""

    __tablename__ = "sign_in_sessions"
    __table_args__ = (Index(None, "account_id"), Index(None, "expires_at"))

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), ForeignKey("accounts.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class SignInFailureRow(Base):
    """Failed password sign-ins in a row for one typed address, known or not, under a hash of it (never the
    address itself: core.accounts.failed_sign_ins); deleted once expires_at has passed."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index(None, "expires_at"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    expires_at: Mapped[datetime]


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(40))
    meta: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TranscriptEntryRow(Base):
    __tablename__ = "transcript_entries"
    __table_args__ = (Index(None, "session_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    speaker: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WhiteboardSnapshotRow(Base):
    __tablename__ = "whiteboard_snapshots"
    __table_args__ = (Index(None, "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    png_path: Mapped[str | None] = mapped_column(String(500))
    fabric_json: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaFileRow(Base):
    __tablename__ = "media_files"
    __table_args__ = (Index(None, "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    kind: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(String(500))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    offset_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionConsentRow(Base):
    """Agreement to be recorded, or its withdrawal; append-only, so every consent given or withdrawn in a session
    stays on record."""

    __tablename__ = "session_consents"
    __table_args__ = (Index(None, "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    actor: Mapped[str] = mapped_column(String(200))
    kinds: Mapped[list[Any]]
    notice_version: Mapped[str] = mapped_column(String(40))
    given_at: Mapped[datetime]
    confirmed_for: Mapped[str | None] = mapped_column(String(20))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class EvaluationRow(Base):
    """overall_score is a column because reports read it alone (History reads its copy on the session's row);
    the rest is one report."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    overall_score: Mapped[float | None] = mapped_column(Float)  # None: the quality gate found nothing to judge
    competencies: Mapped[list[Any]]
    went_well: Mapped[list[Any]]
    went_okay: Mapped[list[Any]]
    needs_improvement: Mapped[list[Any]]
    improvement_plan: Mapped[list[Any]]
    communication: Mapped[dict[str, Any]]
    notes: Mapped[list[Any]]
    rubric_id: Mapped[str] = mapped_column(String(100))
    rubric_version: Mapped[str] = mapped_column(String(20))
    engine: Mapped[str] = mapped_column(String(50))
    model: Mapped[str | None] = mapped_column(String(100))
    prompt_version: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Released to the candidate once a reviewer approves (core.evaluation.release); NULL: not approved yet.
    # On this row, so the approval covers exactly this evaluation and a new one starts unapproved.
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(200))


class EarlierEvaluationRow(Base):
    """An evaluation an "Evaluate again" replaced: the whole report as JSON, as it was, with its approval."""

    __tablename__ = "earlier_evaluations"
    __table_args__ = (Index(None, "session_id", "replaced_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    evaluation_id: Mapped[int] = mapped_column(Integer)  # the replaced row's id (that row is gone)
    evaluation: Mapped[dict[str, Any]]
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(200))
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by: Mapped[str] = mapped_column(String(200))


class ScoreOverrideRow(Base):
    """A reviewer's adjusted score; append-only, so every earlier value and its reason stay on record."""

    __tablename__ = "score_overrides"
    __table_args__ = (Index(None, "session_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    competency: Mapped[str] = mapped_column(String(100))
    original_score: Mapped[float | None] = mapped_column(Float)
    new_score: Mapped[float] = mapped_column(Float)
    justification: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TokenUsageRow(Base):
    __tablename__ = "token_usage"
    __table_args__ = (Index(None, "session_id"), Index(None, "created_at"))  # created_at: the month's AI spend

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    provider: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(100))
    operation: Mapped[str] = mapped_column(String(50))
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    cost_usd: Mapped[float] = mapped_column(Float)
    duration_ms: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cached_answers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cache_read_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cache_write_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AnswerCacheRow(Base):
    """Model answers by the SHA-256 of what was asked (core.llm.answer_cache). The session that asked first owns
    the row, so erasing or expiring that interview takes its answers (which quote the candidate) with it."""

    __tablename__ = "answer_cache"
    __table_args__ = (Index(None, "session_id"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str | None] = mapped_column(String(36), _session_fk())
    provider: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(100))
    prompt_version: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRow(Base):
    """No foreign key on session_id: the record that a session was deleted must outlive it."""

    __tablename__ = "audit_log"
    # actor and action: the Activity page's filters (one person's own activity, one kind), newest first
    __table_args__ = (
        Index(None, "session_id", "created_at"),
        Index(None, "created_at"),
        Index(None, "actor", "created_at"),
        Index(None, "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    session_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamMemberRow(Base):
    """Someone who runs or reviews interviews; working hours are {weekday: [["09:00", "17:00"], ...]}."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("email"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(64))
    working_hours: Mapped[dict[str, Any]]
    calcom_username: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventTypeRow(Base):
    """An interview kind as it is booked: its length, buffers, default problem and Cal.com event type."""

    __tablename__ = "event_types"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(50))
    length_minutes: Mapped[int] = mapped_column(Integer)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=10)
    problem_id: Mapped[str | None] = mapped_column(String(100))
    calcom_event_type_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BookingRow(Base):
    """How a scheduled session was booked. external_uid follows Cal.com's reschedules; ical_uid never changes."""

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("session_id"),
        UniqueConstraint("external_uid"),
        Index(None, "start_at"),
        Index(None, "ical_uid"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    source: Mapped[str] = mapped_column(String(20))  # "local" | "calcom"
    external_uid: Mapped[str | None] = mapped_column(String(200))
    previous_uids: Mapped[list[Any]]
    ical_uid: Mapped[str] = mapped_column(String(300))
    ical_sequence: Mapped[int] = mapped_column(Integer, default=0)
    event_type_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("event_types.id", ondelete="SET NULL"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # "pending" | "confirmed" | "cancelled"
    meeting_url: Mapped[str | None] = mapped_column(String(2000))
    meeting_provider: Mapped[str | None] = mapped_column(String(30))
    attendee_name: Mapped[str] = mapped_column(String(200))
    attendee_email: Mapped[str] = mapped_column(String(320))
    guests: Mapped[list[Any]]
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    meeting_started_at: Mapped[datetime | None]
    meeting_ended_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionInterviewerRow(Base):
    __tablename__ = "session_interviewers"
    __table_args__ = (Index(None, "member_id"),)  # a member's busy times for the scheduler

    session_id: Mapped[str] = mapped_column(String(36), _session_fk(), primary_key=True)
    member_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("team_members.id", ondelete="CASCADE"), primary_key=True
    )


class WebhookEventRow(Base):
    """Every webhook delivery, stored before it is answered. dedupe_key is set only on the first copy
    of an event, so the unique constraint lets exactly one delivery of it be processed."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("dedupe_key"), Index(None, "received_at"), Index(None, "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str | None] = mapped_column(String(60))
    booking_uid: Mapped[str | None] = mapped_column(String(200))
    dedupe_key: Mapped[str | None] = mapped_column(String(300))
    body_sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # received|retry|processed|duplicate|ignored|failed|rejected
    outcome: Mapped[str] = mapped_column(Text, default="")
    session_id: Mapped[str | None] = mapped_column(String(36))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]  # status "retry": when process_waiting may try again


class WebhookRefusalRow(Base):
    """Refused requests (unsigned, forged, oversized) counted per source, reason and hour: a flood of
    them adds one row an hour, not one row a request, so real deliveries stay in sight."""

    __tablename__ = "webhook_refusals"
    __table_args__ = (UniqueConstraint("source", "status_code", "reason", "hour"), Index(None, "last_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    hour: Mapped[str] = mapped_column(String(13))  # "2030-06-04T10", UTC
    count: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]


class LiveSessionRow(Base):
    """The interviewer's cockpit state for an interviewer-led session (template, stage, ticks, facts)."""

    __tablename__ = "live_sessions"

    session_id: Mapped[str] = mapped_column(String(36), _session_fk(), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(60))
    stage_started_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    stage_log: Mapped[list[Any]]
    goal_marks: Mapped[dict[str, Any]]
    facts: Mapped[dict[str, Any]]
    meeting_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveNoteRow(Base):
    __tablename__ = "live_notes"
    __table_args__ = (Index(None, "session_id", "at_seconds"), Index(None, "session_id", "author", "draft"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    text: Mapped[str] = mapped_column(Text)
    at_seconds: Mapped[float] = mapped_column(Float)
    stage: Mapped[str] = mapped_column(String(60))
    tag: Mapped[str | None] = mapped_column(String(40))
    jtbd_type: Mapped[str | None] = mapped_column(String(40))
    importance: Mapped[int | None] = mapped_column(Integer)
    fields: Mapped[dict[str, Any]]
    transcript_entry_id: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    draft: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScorecardEntryRow(Base):
    __tablename__ = "scorecard_entries"
    __table_args__ = (Index(None, "session_id", "competency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    competency: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(200))
    suggested_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecommendationRow(Base):
    __tablename__ = "recommendations"
    __table_args__ = (Index(None, "session_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    key: Mapped[str] = mapped_column(String(60))
    confidence: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    justification: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUpTaskRow(Base):
    __tablename__ = "follow_up_tasks"
    __table_args__ = (Index(None, "session_id"), Index(None, "status", "due_on"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(36), _session_fk())
    title: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    recommendation: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PipelineChangeRow(Base):
    __tablename__ = "pipeline_changes"
    __table_args__ = (Index(None, "candidate_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_id: Mapped[str] = mapped_column(String(36), ForeignKey("candidates.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    session_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("sessions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DataRequestRow(Base):
    """A person's data exported or erased on request, or a retention run; subject is a candidate id, never
    a name or email. No foreign key: the record that a person was erased must outlive them."""

    __tablename__ = "data_requests"
    __table_args__ = (Index(None, "created_at"), Index(None, "subject"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # export | erase | retention
    subject: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(200))
    counts: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobRow(Base):
    """Background work (core.jobs): the ledger a queue message points at. key is unique, so a job
    submitted twice exists once; the queue only wakes a worker, this row says what is owed."""

    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("key"), Index(None, "status", "run_after"), Index(None, "session_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # queued | running | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    reason: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[float | None] = mapped_column(Float)
    progress_note: Mapped[str] = mapped_column(String(300), default="")
    session_id: Mapped[str | None] = mapped_column(String(36))  # no foreign key: the record outlives an erasure
    actor: Mapped[str] = mapped_column(String(200), default="")
    run_after: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessageRow(Base):
    """An email as written (bodies and invitation whole) and what became of it; it goes with its session."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index(None, "status", "created_at"), Index(None, "session_id"), Index(None, "booking_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(500))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    sender: Mapped[str] = mapped_column(String(500), default="")
    reply_to: Mapped[str] = mapped_column(String(500), default="")
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    attachment_type: Mapped[str] = mapped_column(String(200), default="")
    message_id: Mapped[str] = mapped_column(String(300), default="")
    session_id: Mapped[str | None] = mapped_column(String(36), _session_fk())
    booking_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("bookings.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20))  # queued | waiting | sent | failed | withdrawn
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    send_after: Mapped[datetime | None]  # a reminder's due time
    send_before: Mapped[datetime | None]  # a reminder is withdrawn rather than sent from then on
    job_key: Mapped[str] = mapped_column(String(300), default="")  # "" for send_email:<id>
    channel: Mapped[str] = mapped_column(String(10), default="email")  # email | slack | sms
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookSubscriptionRow(Base):
    """A receiver of outgoing webhooks. secret signs every delivery (Standard Webhooks); it is shown once."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    events: Mapped[list[Any]]
    secret: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDeliveryRow(Base):
    """One event for one subscription (unique together, so an event is delivered once per receiver); it goes
    with its subscription and with its session (its body names the candidate)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "subscription_id"),
        Index(None, "status", "created_at"),
        Index(None, "subscription_id", "created_at"),
        Index(None, "session_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(String(36), ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(60))
    event: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    session_id: Mapped[str | None] = mapped_column(String(36), _session_fk())
    status: Mapped[str] = mapped_column(String(20))  # queued | retrying | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    retry_until: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryAttemptRow(Base):
    """Every POST of a delivery: when, the answer's status (or the error), how long, the answer's first words."""

    __tablename__ = "webhook_delivery_attempts"
    __table_args__ = (Index(None, "delivery_id", "attempted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(Integer, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime]
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    response_excerpt: Mapped[str] = mapped_column(Text, default="")


metadata = Base.metadata
