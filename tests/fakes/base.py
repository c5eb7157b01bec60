"""What every fake repository shares: the tables, the constraints the databases enforce, and copying.

The databases' rules are kept because services depend on them without saying so: a foreign key
naming no row, a second row with a unique value, a naive datetime or a value JSON cannot hold all
fail the write. Those failures are not WorkspaceErrors (storage raises SQLAlchemy's errors), and
after one the unit of work refuses further work until it is rolled back, as a failed flush does.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from core.errors import NotFound
from core.models import (
    Account,
    AuditEntry,
    Booking,
    CachedAnswer,
    Candidate,
    DataRequest,
    DeliveryAttempt,
    EarlierEvaluation,
    Evaluation,
    EvaluationRelease,
    EventType,
    FollowUpTask,
    Job,
    LiveNote,
    LiveSession,
    MediaFile,
    Message,
    OutboxMessage,
    PipelineChange,
    RecommendationRecord,
    Resume,
    ScorecardEntry,
    ScoreOverride,
    Session,
    SessionConsent,
    SessionScope,
    SignInFailures,
    SignInSession,
    TeamMember,
    TokenUsage,
    TranscriptEntry,
    WebhookDelivery,
    WebhookEvent,
    WebhookRefusal,
    WebhookSubscription,
    WhiteboardSnapshot,
    email_key,
)

if TYPE_CHECKING:
    from tests.fakes.unit_of_work import FakeUnitOfWork

Row = TypeVar("Row")
Key = TypeVar("Key", str, int)


def now() -> datetime:
    """Wall-clock UTC, as storage stamps created_at and updated_at (not the workspace clock)."""
    return datetime.now(UTC)


class FakeDatabaseError(Exception):
    """A write the database refuses (SQLAlchemy's StatementError): deliberately not a WorkspaceError."""


class FakeIntegrityError(FakeDatabaseError):
    """A broken constraint (SQLAlchemy's IntegrityError): unique value, primary key or foreign key."""


class FakePendingRollback(FakeDatabaseError):
    """Work after a failed write, before rollback (SQLAlchemy's PendingRollbackError)."""


@dataclass
class State:
    """Every table; a deep copy of it is the last commit."""

    sessions: dict[str, Session] = field(default_factory=dict)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    resumes: dict[str, Resume] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    earlier_evaluations: list[EarlierEvaluation] = field(default_factory=list)
    releases: dict[int, EvaluationRelease] = field(default_factory=dict)  # by evaluation id
    transcripts: list[TranscriptEntry] = field(default_factory=list)
    whiteboards: list[WhiteboardSnapshot] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)
    consents: dict[int, SessionConsent] = field(default_factory=dict)
    token_usage: list[TokenUsage] = field(default_factory=list)
    answer_cache: dict[str, CachedAnswer] = field(default_factory=dict)  # by key
    score_overrides: list[ScoreOverride] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    accounts: dict[str, Account] = field(default_factory=dict)
    sign_ins: dict[str, SignInSession] = field(default_factory=dict)  # by token hash
    sign_in_failures: dict[str, SignInFailures] = field(default_factory=dict)  # by key (a hash of the address)
    team_members: dict[str, TeamMember] = field(default_factory=dict)
    event_types: dict[str, EventType] = field(default_factory=dict)
    bookings: dict[str, Booking] = field(default_factory=dict)
    session_interviewers: list[tuple[str, str]] = field(default_factory=list)  # (session id, member id)
    webhook_events: dict[int, WebhookEvent] = field(default_factory=dict)
    webhook_refusals: dict[int, WebhookRefusal] = field(default_factory=dict)
    live_sessions: dict[str, LiveSession] = field(default_factory=dict)  # by session id
    notes: dict[int, LiveNote] = field(default_factory=dict)
    scorecards: dict[int, ScorecardEntry] = field(default_factory=dict)
    recommendations: dict[int, RecommendationRecord] = field(default_factory=dict)
    follow_ups: dict[str, FollowUpTask] = field(default_factory=dict)
    pipeline: dict[int, PipelineChange] = field(default_factory=dict)
    data_requests: dict[int, DataRequest] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    outbox: dict[int, OutboxMessage] = field(default_factory=dict)
    webhook_subscriptions: dict[str, WebhookSubscription] = field(default_factory=dict)
    webhook_deliveries: dict[int, WebhookDelivery] = field(default_factory=dict)
    delivery_attempts: dict[int, DeliveryAttempt] = field(default_factory=dict)


class Repo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _state(self) -> State:
        if self._uow.failed:
            raise FakePendingRollback(
                "This unit of work had a failed write; leave it (it rolls back) or call rollback() first."
            )
        return self._uow.state

    def _fail(self, error: FakeDatabaseError) -> FakeDatabaseError:
        """Mark the unit of work failed, as a failed flush does, and hand the error back to raise."""
        self._uow.failed = True
        return error

    def _require(self, table: str, references: Mapping[str, str], values: Mapping[str, Any]) -> None:
        """Foreign keys: each named column, when set, must name a row of its target table."""
        for column, target in references.items():
            value = values.get(column)
            if value is not None and value not in getattr(self._state, target):
                raise self._fail(
                    FakeIntegrityError(f"FOREIGN KEY constraint failed: {table}.{column} {value!r} is not in {target}.")
                )


def visible_in(state: State, session_id: str, scope: SessionScope | None) -> bool:
    """storage's visible_in (the policy's scope as one WHERE), over the fake's tables."""
    if scope is None or scope.everything:
        return True
    session = state.sessions[session_id]
    candidate = state.candidates.get(session.candidate_id or "")
    assigned = {
        state.team_members[member].email.lower()
        for sid, member in state.session_interviewers
        if sid == session_id and member in state.team_members
    }
    return any(
        (
            scope.owner_id is not None and session.owner_id == scope.owner_id,
            bool(scope.team) and session.team == scope.team,
            scope.candidate_email_key is not None
            and candidate is not None
            and email_key(candidate.email) == scope.candidate_email_key,
            scope.interviewer_email_key is not None and scope.interviewer_email_key in assigned,
        )
    )


def sorted_by(rows: Iterable[Row], *columns: str, reverse: bool = False) -> list[Row]:
    return sorted(rows, key=lambda row: tuple(getattr(row, c) for c in columns), reverse=reverse)


class Mirror(Repo, Generic[Row, Key]):
    """Add, get and update for a dataclass whose fields are its row's columns (storage's _Mirror).

    On every write: created_at (or received_at) is filled when missing and updated_at is set to now;
    datetimes are stored in UTC; enum columns round-trip through their string values and JSON columns
    through JSON; the primary key, unique columns and foreign keys are checked. Reads hand out copies.
    """

    model: ClassVar[type[Any]]
    table: ClassVar[str]  # the State attribute holding {key: row}
    noun: ClassVar[str]  # for NotFound: "No {noun} {key}."
    key: ClassVar[str] = "id"
    autoincrement: ClassVar[bool] = False  # an integer key filled on add when it is None
    enums: ClassVar[Mapping[str, type[StrEnum]]] = {}
    json_columns: ClassVar[tuple[str, ...]] = ()
    unique: ClassVar[tuple[str, ...]] = ()  # besides the key; NULLs never clash
    references: ClassVar[Mapping[str, str]] = {}  # column -> State table it names

    @property
    def _rows(self) -> dict[Key, Row]:
        rows: dict[Key, Row] = getattr(self._state, self.table)
        return rows

    def add(self, item: Row) -> Row:
        values = self._values(item)
        if values[self.key] is None:
            if not self.autoincrement:
                raise self._fail(FakeIntegrityError(f"NOT NULL constraint failed: {self.table}.{self.key}"))
            values[self.key] = next(self._uow.ids)
        if values[self.key] in self._rows:
            raise self._fail(FakeIntegrityError(f"UNIQUE constraint failed: {self.table}.{self.key}"))
        return self._write(values)

    def get(self, item_id: Key) -> Row:
        row = self._rows.get(item_id)
        if row is None:
            raise NotFound(f"No {self.noun} {item_id}.")
        return copy.deepcopy(row)

    def update(self, item: Row) -> Row:
        """Writes every column back, like storage (a missing created_at is filled, updated_at is now)."""
        item_id = getattr(item, self.key)
        if item_id not in self._rows:
            raise NotFound(f"No {self.noun} {item_id}.")
        return self._write(self._values(item))

    def _first(self, **wanted: object) -> Row | None:
        """The first row (in insertion order) whose columns have these values, as `.first()` gives it."""
        for row in self._rows.values():
            if all(getattr(row, column) == value for column, value in wanted.items()):
                return copy.deepcopy(row)
        return None

    def _where(self, **wanted: object) -> list[Row]:
        return [r for r in self._rows.values() if all(getattr(r, c) == v for c, v in wanted.items())]

    def _values(self, item: Row) -> dict[str, Any]:
        values = {f.name: copy.deepcopy(getattr(item, f.name)) for f in fields(self.model)}
        for stamp in ("created_at", "received_at"):
            if stamp in values and values[stamp] is None:
                values[stamp] = now()
        if "updated_at" in values:
            values["updated_at"] = now()
        for name, value in values.items():
            if isinstance(value, datetime):
                if value.tzinfo is None or value.utcoffset() is None:
                    raise self._fail(
                        FakeDatabaseError(
                            f"Refusing to store a naive datetime ({value.isoformat()}); use a tz-aware one."
                        )
                    )
                values[name] = value.astimezone(UTC)
        for name, enum in self.enums.items():
            values[name] = enum(str(values[name]))
        for name in self.json_columns:
            try:
                values[name] = json.loads(json.dumps(values[name]))
            except (TypeError, ValueError) as exc:
                raise self._fail(FakeDatabaseError(f"{self.table}.{name} cannot be stored as JSON: {exc}")) from exc
        return values

    def _write(self, values: dict[str, Any]) -> Row:
        item_id = values[self.key]
        for column in self.unique:
            value = values[column]
            if value is not None and any(
                getattr(row, column) == value and getattr(row, self.key) != item_id for row in self._rows.values()
            ):
                raise self._fail(FakeIntegrityError(f"UNIQUE constraint failed: {self.table}.{column}"))
        self._require(self.table, self.references, values)
        row: Row = self.model(**values)
        self._rows[item_id] = row
        return copy.deepcopy(row)
