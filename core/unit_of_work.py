"""The storage surface services depend on: small repositories inside one unit of work.

storage/ implements it with SQLAlchemy; unit tests use an in-memory fake. Services never
see SQL, so "end the interview" (status + evaluation + audit entry) is one commit or none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, Self

from core.models import (
    Account,
    ActivityQuery,
    AuditEntry,
    Booking,
    CachedAnswer,
    Candidate,
    CandidateScope,
    DataRequest,
    DataRequestKind,
    DeliveryAttempt,
    DeliveryStatus,
    EarlierEvaluation,
    Evaluation,
    EvaluationRelease,
    EventType,
    FollowUpTask,
    HistoryQuery,
    Job,
    JobStatus,
    LiveNote,
    LiveSession,
    MediaFile,
    Message,
    OutboxMessage,
    OutboxStatus,
    PipelineChange,
    RecommendationRecord,
    Resume,
    ScorecardEntry,
    ScoreOverride,
    Session,
    SessionConsent,
    SessionScope,
    SessionStatus,
    SessionSummary,
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
)


class SessionRepository(Protocol):
    def add(self, session: Session) -> None: ...
    def get(self, session_id: str) -> Session:
        """Raises core.errors.NotFound."""
        ...

    def update(self, session: Session) -> None: ...
    def list_summaries(
        self, *, limit: int = 50, offset: int = 0, statuses: list[SessionStatus] | None = None
    ) -> list[SessionSummary]:
        """Most recent first (created_at desc), with candidate name and overall score."""
        ...

    def count(self, *, statuses: list[SessionStatus] | None = None) -> int: ...
    def search(self, query: HistoryQuery) -> list[SessionSummary]:
        """The query's page of matching sessions, in its order (unscored last when sorting by score)."""
        ...

    def search_counted(self, query: HistoryQuery) -> tuple[list[SessionSummary], int]:
        """The query's page, as search() reads it, and how many sessions match in all, as count_matching()."""
        ...

    def count_matching(self, query: HistoryQuery) -> int: ...
    def interviewers(self, scope: SessionScope | None = None) -> list[tuple[str, str | None]]:
        """Distinct (provider, model) pairs of stored sessions, sorted."""
        ...

    def awaiting_release(self, *, limit: int = 200) -> list[SessionSummary]:
        """Sessions whose evaluation no reviewer has approved yet, the oldest evaluation first."""
        ...

    def ids_for_candidate(self, candidate_id: str) -> list[str]:
        """The candidate's sessions, oldest first."""
        ...

    def ids_created_before(self, cutoff: datetime, *, limit: int = 500) -> list[str]:
        """Sessions created before `cutoff`, oldest first (retention deletes them)."""
        ...

    def delete(self, session_id: str) -> dict[str, int]:
        """Delete the session and every row that hangs off it (found from the foreign keys onto it);
        rows that only point at it (SET NULL) keep their row without the link. Returns rows deleted per
        table, the session's own row included. Raises NotFound."""
        ...

    def team_counts(self) -> dict[str, int]:
        """How many sessions each team holds (sessions with no team are left out)."""
        ...

    def rename_team(self, old: str, new: str) -> int:
        """Give every session of team `old` the team `new` (nothing else changes); returns how many."""
        ...


class MessageRepository(Protocol):
    def add(self, message: Message) -> Message:
        """Stores the message; returns it with id, seq (1, 2, … per session) and created_at."""
        ...

    def in_session(self, session_id: str, *, after_seq: int | None = None) -> list[Message]:
        """In seq order; with `after_seq`, only the messages after it (a chat only ever grows at its end)."""
        ...

    def count_in_session(self, session_id: str) -> int:
        """How many messages the session has, without reading them."""
        ...


class CandidateRepository(Protocol):
    def add(self, candidate: Candidate) -> None: ...
    def get(self, candidate_id: str, *, scope: CandidateScope | None = None) -> Candidate:
        """Raises core.errors.NotFound, also when `scope` does not let the person see this record."""
        ...

    def by_email(self, email: str) -> Candidate | None: ...
    def update(self, candidate: Candidate) -> Candidate: ...
    def reassign(self, from_id: str, *, to_id: str) -> dict[str, int]: ...
    def delete(self, candidate_id: str) -> None: ...
    def all(self, *, limit: int = 500, scope: CandidateScope | None = None) -> list[Candidate]:
        """By name; with `scope`, only the records it lets the person see (one WHERE, as History's)."""
        ...


class ResumeRepository(Protocol):
    def add(self, resume: Resume) -> None: ...
    def get(self, resume_id: str) -> Resume: ...
    def latest_for_candidate(self, candidate_id: str) -> Resume | None: ...
    def for_candidate(self, candidate_id: str) -> list[Resume]:
        """Oldest first."""
        ...


class EvaluationRepository(Protocol):
    def add(self, evaluation: Evaluation) -> Evaluation: ...
    def for_session(self, session_id: str) -> Evaluation | None: ...
    def replace(self, evaluation: Evaluation, *, replaced_at: datetime, replaced_by: str) -> Evaluation:
        """The session's evaluation becomes `evaluation` (a new record, unapproved); the one it replaces is kept
        among the earlier ones with its approval. Raises NotFound when the session has no evaluation."""
        ...

    def earlier(self, session_id: str) -> list[EarlierEvaluation]:
        """The evaluations re-runs replaced, newest first."""
        ...

    def release(self, session_id: str, *, approved_at: datetime, approved_by: str) -> EvaluationRelease:
        """Marks the session's evaluation approved (for the candidate to see); raises NotFound when it has none."""
        ...

    def withdraw_release(self, session_id: str) -> None:
        """Clears the approval; raises NotFound when the session has no evaluation."""
        ...

    def release_of(self, session_id: str) -> EvaluationRelease | None:
        """The approval of the session's current evaluation; None when not approved (or not evaluated)."""
        ...


class TranscriptRepository(Protocol):
    def add(self, entry: TranscriptEntry) -> TranscriptEntry: ...
    def in_session(self, session_id: str, *, after_id: int | None = None) -> list[TranscriptEntry]:
        """In speaking order (start, then id); with `after_id`, only the entries stored after that one."""
        ...

    def count_in_session(self, session_id: str) -> int:
        """How many entries the session has, without reading them."""
        ...

    def remove_source(self, session_id: str, source: str) -> int:
        """Drops a session's entries from one source (e.g. live "mic" lines a better pass replaces)."""
        ...


class WhiteboardRepository(Protocol):
    def add(self, snapshot: WhiteboardSnapshot) -> WhiteboardSnapshot: ...
    def in_session(self, session_id: str) -> list[WhiteboardSnapshot]: ...
    def latest(self, session_id: str) -> WhiteboardSnapshot | None: ...
    def pictures_before(self, cutoff: datetime, *, limit: int = 500) -> list[WhiteboardSnapshot]:
        """Snapshots created before `cutoff` that still have a PNG, oldest first."""
        ...

    def drop_picture(self, snapshot_id: int) -> None:
        """Forget a snapshot's PNG path (its drawing, the Fabric JSON, stays)."""
        ...


class MediaRepository(Protocol):
    def add(self, media: MediaFile) -> MediaFile: ...
    def in_session(self, session_id: str) -> list[MediaFile]: ...
    def set_size(self, media_id: int, size_bytes: int) -> None:
        """A recording written while the interview runs gets its final size when it closes."""
        ...

    def created_before(self, cutoff: datetime, *, limit: int = 500) -> list[MediaFile]:
        """Media files created before `cutoff`, oldest first."""
        ...

    def delete(self, media_id: int) -> None: ...


class ConsentRepository(Protocol):
    def add(self, consent: SessionConsent) -> SessionConsent: ...
    def in_session(self, session_id: str) -> list[SessionConsent]:
        """Oldest first."""
        ...


class TokenUsageRepository(Protocol):
    def add(self, usage: TokenUsage) -> TokenUsage: ...
    def in_session(self, session_id: str) -> list[TokenUsage]: ...

    def cost_between(self, since: datetime, until: datetime, *, owner_id: str | None = None) -> float:
        """USD recorded in [since, until): all of it, or only that of the sessions `owner_id` owns."""
        ...

    def cost_by_owner(self, since: datetime, until: datetime) -> dict[str | None, float]:
        """USD recorded in [since, until) per owner of the session (None: sessions nobody owns)."""
        ...


class AnswerCacheRepository(Protocol):
    def get(self, key: str) -> CachedAnswer | None: ...
    def add(self, answer: CachedAnswer) -> None:
        """Keeps the answer unless one is kept under its key already (then the first stays): two workers that
        asked the same at once both succeed."""
        ...


class ScoreOverrideRepository(Protocol):
    def add(self, override: ScoreOverride) -> ScoreOverride: ...
    def in_session(self, session_id: str) -> list[ScoreOverride]:
        """Oldest first."""
        ...

    def all(self) -> list[ScoreOverride]:
        """Every session's overrides, oldest first (calibration reads them across interviews)."""
        ...


class AccountRepository(Protocol):
    def add(self, account: Account) -> Account:
        """A second account with the same id or the same email (any case) is refused by the unique keys:
        AlreadyExists, also when the other one is being stored at the same moment; the unit of work is spent."""
        ...

    def get(self, account_id: str) -> Account:
        """Raises core.errors.NotFound."""
        ...

    def by_email(self, email: str) -> Account | None: ...
    def update(self, account: Account) -> Account: ...
    def all(self) -> list[Account]:
        """By name, then email."""
        ...

    def count(self) -> int: ...
    def delete(self, account_id: str) -> None:
        """Its sign-in sessions go with it; sessions it owned keep no owner."""
        ...

    def rename_team(self, old: str, new: str) -> int:
        """Move every account of team `old` to team `new`; returns how many."""
        ...


class SignInSessionRepository(Protocol):
    def add(self, session: SignInSession) -> SignInSession: ...
    def find(self, token_hash: str) -> SignInSession | None: ...
    def touch(self, token_hash: str, *, seen_at: datetime, expires_at: datetime) -> None: ...
    def remove(self, token_hash: str) -> None: ...
    def remove_for_account(self, account_id: str) -> int: ...
    def remove_expired(self, moment: datetime) -> int: ...


class SignInFailureRepository(Protocol):
    def find(self, key: str) -> SignInFailures | None: ...
    def hold(self, key: str, *, at: datetime) -> SignInFailures:
        """The record under `key` (created with no failures, expiring at `at`, when missing), held against other
        writers until this unit of work ends: failures counted at the same moment by several replicas add up."""
        ...

    def save(self, record: SignInFailures) -> None:
        """Writes back a record got from hold()."""
        ...

    def forget(self, key: str) -> None: ...
    def remove_expired(self, moment: datetime) -> int:
        """Deletes records whose expires_at is at or before `moment`; returns how many."""
        ...


class AuditRepository(Protocol):
    def add(self, entry: AuditEntry) -> AuditEntry: ...
    def latest(self, *, session_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        """Oldest first."""
        ...

    def forget(self, *, session_ids: list[str], mentioning: str) -> int:
        """Delete the entries of these sessions and those whose detail mentions `mentioning` (an id);
        returns how many. Only for erasing a person on request."""
        ...

    def search(self, query: ActivityQuery, *, limit: int, offset: int = 0) -> list[AuditEntry]:
        """One page of the entries `query` holds, newest first (created_at, then id)."""
        ...

    def count(self, query: ActivityQuery) -> int: ...

    def delete_before(self, cutoff: datetime, *, limit: int) -> int:
        """Delete up to `limit` of the oldest entries created before `cutoff`; returns how many (retention)."""
        ...


class TeamMemberRepository(Protocol):
    def add(self, member: TeamMember) -> TeamMember: ...
    def get(self, member_id: str) -> TeamMember: ...
    def update(self, member: TeamMember) -> TeamMember: ...
    def all(self, *, active_only: bool = True) -> list[TeamMember]: ...
    def by_email(self, email: str) -> TeamMember | None: ...


class EventTypeRepository(Protocol):
    def add(self, event_type: EventType) -> EventType: ...
    def get(self, event_type_id: str) -> EventType: ...
    def update(self, event_type: EventType) -> EventType: ...
    def all(self) -> list[EventType]: ...
    def by_calcom_id(self, calcom_event_type_id: int) -> EventType | None: ...


class BookingRepository(Protocol):
    def add(self, booking: Booking) -> Booking: ...
    def get(self, booking_id: str) -> Booking: ...
    def update(self, booking: Booking) -> Booking: ...
    def for_session(self, session_id: str) -> Booking | None: ...
    def by_external_uid(self, uid: str) -> Booking | None: ...
    def by_ical_uid(self, ical_uid: str) -> Booking | None: ...
    def between(
        self, start: datetime, end: datetime, *, include_cancelled: bool = False, scope: SessionScope | None = None
    ) -> list[Booking]:
        """Bookings overlapping [start, end), earliest first; with `scope`, only those of sessions it lets the
        person see (one WHERE, as History's)."""
        ...

    def all(self, *, scope: SessionScope | None = None) -> list[Booking]:
        """Every booking, earliest first; `scope` narrows it like `between`."""
        ...

    def with_session_status(self, *, scope: SessionScope | None = None) -> list[tuple[Booking, SessionStatus]]:
        """Every booking with its session's status, earliest first, read in one query however many there are;
        `scope` narrows it like `between`."""
        ...

    def member_busy(
        self, member_ids: list[str], start: datetime, end: datetime
    ) -> list[tuple[str, datetime, datetime]]:
        """(member id, start, end) of the members' live bookings overlapping [start, end)."""
        ...


class SessionInterviewerRepository(Protocol):
    def set(self, session_id: str, member_ids: list[str]) -> None: ...
    def for_session(self, session_id: str) -> list[str]: ...


class WebhookEventRepository(Protocol):
    def add(self, event: WebhookEvent) -> WebhookEvent: ...
    def add_all(self, events: list[WebhookEvent]) -> list[WebhookEvent]:
        """Stored together (one round trip where the database allows); raises AlreadyExists as `add` does."""
        ...

    def get(self, event_id: int) -> WebhookEvent: ...
    def update(self, event: WebhookEvent) -> WebhookEvent: ...
    def latest(self, *, limit: int = 200, statuses: list[str] | None = None) -> list[WebhookEvent]: ...
    def by_dedupe_key(self, key: str) -> WebhookEvent | None: ...
    def ids_by_dedupe_key(self, keys: list[str]) -> dict[str, int]:
        """The stored event's id for each of these dedupe keys that is stored (one query for a batch)."""
        ...

    def waiting(
        self, *, limit: int = 100, due_by: datetime | None = None, received_before: datetime | None = None
    ) -> list[WebhookEvent]:
        """Status "received" (only those received before `received_before`, when given) and, when `due_by`
        is given, status "retry" with next_attempt_at at or before it; oldest first."""
        ...

    def for_booking(self, uids: list[str]) -> list[WebhookEvent]: ...
    def last_received_at(self) -> datetime | None:
        """When the newest delivery was received (None before the first)."""
        ...

    def counts(self) -> dict[str, int]: ...
    def concerning(self, *, email: str | None, session_ids: list[str], booking_uids: list[str]) -> list[WebhookEvent]:
        """Events whose payload mentions `email` (any case), or that name one of the sessions or booking
        uids; oldest first."""
        ...

    def delete(self, event_id: int) -> None: ...
    def clear_payloads(self, *, received_before: datetime) -> int:
        """Blank the payload of events received before the cutoff; returns how many were blanked."""
        ...


class WebhookRefusalRepository(Protocol):
    def count(self, refusal: WebhookRefusal) -> bool:
        """Add refusal.count to the row of its (source, status_code, reason, hour), moving last_at;
        store the refusal as that row when there is none yet (then True). Raises AlreadyExists when
        another writer stored it first: leave the unit of work and count again."""
        ...

    def latest(self, *, limit: int = 200) -> list[WebhookRefusal]:
        """Newest (last_at) first."""
        ...

    def total(self) -> int: ...
    def prune(self, *, before: datetime) -> int:
        """Delete rows whose last refusal is older than `before`; returns how many."""
        ...


class LiveSessionRepository(Protocol):
    def add(self, live: LiveSession) -> LiveSession: ...
    def for_session(self, session_id: str) -> LiveSession | None: ...
    def update(self, live: LiveSession) -> LiveSession: ...


class LiveNoteRepository(Protocol):
    def add(self, note: LiveNote) -> LiveNote: ...
    def get(self, note_id: int) -> LiveNote: ...
    def update(self, note: LiveNote) -> LiveNote: ...
    def delete(self, note_id: int) -> None: ...
    def in_session(self, session_id: str, *, include_drafts: bool = False) -> list[LiveNote]:
        """In session-time order."""
        ...

    def draft_for(self, session_id: str, author: str) -> LiveNote | None: ...


class ScorecardRepository(Protocol):
    def add(self, entry: ScorecardEntry) -> ScorecardEntry: ...
    def in_session(self, session_id: str) -> list[ScorecardEntry]:
        """Oldest first."""
        ...


class RecommendationRepository(Protocol):
    def add(self, record: RecommendationRecord) -> RecommendationRecord: ...
    def in_session(self, session_id: str) -> list[RecommendationRecord]:
        """Oldest first."""
        ...


class FollowUpRepository(Protocol):
    def add(self, task: FollowUpTask) -> FollowUpTask: ...
    def get(self, task_id: str) -> FollowUpTask: ...
    def update(self, task: FollowUpTask) -> FollowUpTask: ...
    def in_session(self, session_id: str) -> list[FollowUpTask]: ...
    def open_tasks(self, *, limit: int = 200) -> list[FollowUpTask]: ...


class PipelineRepository(Protocol):
    def add(self, change: PipelineChange) -> PipelineChange: ...
    def history(self, candidate_id: str) -> list[PipelineChange]:
        """Oldest first."""
        ...


class DataRequestRepository(Protocol):
    def add(self, request: DataRequest) -> DataRequest: ...
    def latest(self, *, limit: int = 50, kind: DataRequestKind | None = None) -> list[DataRequest]:
        """Newest first; only `kind` when given."""
        ...


class JobRepository(Protocol):
    def add(self, job: Job) -> Job:
        """Raises AlreadyExists when a job with the same key is stored (the unit of work must then be left)."""
        ...

    def add_all(self, jobs: list[Job]) -> list[Job]:
        """Stored together (one round trip where the database allows); raises AlreadyExists as `add` does."""
        ...

    def get(self, job_id: int) -> Job: ...
    def update(self, job: Job) -> Job: ...
    def by_key(self, key: str) -> Job | None: ...
    def claim(self, job_id: int, *, now: datetime, lease_until: datetime) -> Job | None:
        """Mark the job running for one more attempt, if it is queued and due, or running with a lease that
        ended before `now` (its worker was lost). None when it is finished, not due, or another worker holds it.
        One statement, so two workers never both win."""
        ...

    def settle(self, job_id: int, attempt: int, changes: dict[str, Any]) -> bool:
        """Write `changes` (field -> value) if the job is still running on `attempt`; False when its lease was
        lost to another worker, which then owns it."""
        ...

    def withdraw(self, job_id: int, *, reason: str, at: datetime) -> bool:
        """Finish a job nobody is running (queued, or failed) as done with `reason`, its work no longer owed (a
        reminder of an interview cancelled or moved). False when a worker holds it or it had finished already.
        One statement, so a worker claiming it at the same moment either runs it or finds it finished."""
        ...

    def due(self, *, now: datetime, sent_before: datetime, limit: int = 100) -> list[Job]:
        """Jobs a worker should be told about again: queued and due but not sent since `sent_before`, and
        running with a lease that ended before `now`; oldest first."""
        ...

    def mark_sent(self, job_ids: list[int], at: datetime) -> None: ...
    def latest(
        self, *, limit: int = 100, statuses: list[JobStatus] | None = None, session_id: str | None = None
    ) -> list[Job]:
        """Newest first."""
        ...

    def counts(self) -> dict[str, int]:
        """How many jobs there are in each status."""
        ...


class OutboxRepository(Protocol):
    """Emails written and what became of them (core.notifications)."""

    def add(self, message: OutboxMessage) -> OutboxMessage: ...
    def get(self, message_id: int) -> OutboxMessage: ...
    def update(self, message: OutboxMessage) -> OutboxMessage: ...
    def latest(self, *, limit: int = 100, statuses: list[OutboxStatus] | None = None) -> list[OutboxMessage]:
        """Newest first."""
        ...

    def waiting(self, *, limit: int = 100) -> list[OutboxMessage]:
        """Messages waiting for SMTP, oldest first."""
        ...

    def in_session(self, session_id: str) -> list[OutboxMessage]:
        """A session's emails, oldest first."""
        ...

    def for_booking(self, booking_id: str, *, kind: str | None = None) -> list[OutboxMessage]:
        """A booking's emails (of one kind, when given), oldest first."""
        ...

    def counts(self) -> dict[str, int]:
        """How many messages there are in each status."""
        ...


class WebhookSubscriptionRepository(Protocol):
    """Receivers of outgoing webhooks (core.outgoing_webhooks)."""

    def add(self, subscription: WebhookSubscription) -> WebhookSubscription: ...
    def get(self, subscription_id: str) -> WebhookSubscription:
        """Raises core.errors.NotFound."""
        ...

    def update(self, subscription: WebhookSubscription) -> WebhookSubscription: ...
    def delete(self, subscription_id: str) -> None:
        """Its deliveries and their attempts go with it. Raises NotFound."""
        ...

    def all(self) -> list[WebhookSubscription]:
        """Oldest first."""
        ...

    def enabled(self) -> list[WebhookSubscription]:
        """The enabled ones, oldest first (an event is offered to each)."""
        ...


class WebhookDeliveryRepository(Protocol):
    """Outgoing webhook deliveries: one per event and subscription, and what became of it."""

    def add(self, delivery: WebhookDelivery) -> WebhookDelivery:
        """Raises AlreadyExists when the subscription has a delivery of that message already (the unit of work
        must then be left)."""
        ...

    def get(self, delivery_id: int) -> WebhookDelivery: ...
    def update(self, delivery: WebhookDelivery) -> WebhookDelivery: ...
    def latest(
        self,
        *,
        limit: int = 100,
        statuses: list[DeliveryStatus] | None = None,
        subscription_id: str | None = None,
    ) -> list[WebhookDelivery]:
        """Newest first."""
        ...

    def in_session(self, session_id: str) -> list[WebhookDelivery]:
        """A session's deliveries, oldest first."""
        ...

    def counts(self) -> dict[str, int]:
        """How many deliveries there are in each status."""
        ...


class DeliveryAttemptRepository(Protocol):
    """Every POST of an outgoing webhook, kept with its delivery."""

    def add(self, attempt: DeliveryAttempt) -> DeliveryAttempt: ...
    def for_delivery(self, delivery_id: int) -> list[DeliveryAttempt]:
        """Oldest first."""
        ...


class UnitOfWork(Protocol):
    """Use as `with uow_factory() as uow: ...; uow.commit()`; leaving without commit rolls back."""

    sessions: SessionRepository
    messages: MessageRepository
    candidates: CandidateRepository
    resumes: ResumeRepository
    evaluations: EvaluationRepository
    transcripts: TranscriptRepository
    whiteboards: WhiteboardRepository
    media: MediaRepository
    consents: ConsentRepository
    token_usage: TokenUsageRepository
    answer_cache: AnswerCacheRepository
    score_overrides: ScoreOverrideRepository
    audit: AuditRepository
    accounts: AccountRepository
    sign_ins: SignInSessionRepository
    sign_in_failures: SignInFailureRepository
    team_members: TeamMemberRepository
    event_types: EventTypeRepository
    bookings: BookingRepository
    session_interviewers: SessionInterviewerRepository
    webhook_events: WebhookEventRepository
    webhook_refusals: WebhookRefusalRepository
    live_sessions: LiveSessionRepository
    notes: LiveNoteRepository
    scorecards: ScorecardRepository
    recommendations: RecommendationRepository
    follow_ups: FollowUpRepository
    pipeline: PipelineRepository
    data_requests: DataRequestRepository
    jobs: JobRepository
    outbox: OutboxRepository
    webhook_subscriptions: WebhookSubscriptionRepository
    webhook_deliveries: WebhookDeliveryRepository
    delivery_attempts: DeliveryAttemptRepository

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
