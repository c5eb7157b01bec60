"""The SQLAlchemy unit of work: one database transaction per `with` block.

Services write `with uow_factory() as uow: ...; uow.commit()`. Leaving the block without
commit (or through an exception) rolls everything back, so multi-step changes such as
"end the interview" (status + evaluation + audit entry) land together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from core.errors import DatabaseUnavailable
from core.unit_of_work import (
    AccountRepository,
    AnswerCacheRepository,
    AuditRepository,
    BookingRepository,
    CandidateRepository,
    ConsentRepository,
    DataRequestRepository,
    DeliveryAttemptRepository,
    EvaluationRepository,
    EventTypeRepository,
    FollowUpRepository,
    JobRepository,
    LiveNoteRepository,
    LiveSessionRepository,
    MediaRepository,
    MessageRepository,
    OutboxRepository,
    PipelineRepository,
    RecommendationRepository,
    ResumeRepository,
    ScorecardRepository,
    ScoreOverrideRepository,
    SessionInterviewerRepository,
    SessionRepository,
    SignInFailureRepository,
    SignInSessionRepository,
    TeamMemberRepository,
    TokenUsageRepository,
    TranscriptRepository,
    WebhookDeliveryRepository,
    WebhookEventRepository,
    WebhookRefusalRepository,
    WebhookSubscriptionRepository,
    WhiteboardRepository,
)
from storage.repositories.accounts import (
    SqlAccountRepository,
    SqlSignInFailureRepository,
    SqlSignInSessionRepository,
)
from storage.repositories.answer_cache import SqlAnswerCacheRepository
from storage.repositories.audit import SqlAuditRepository
from storage.repositories.candidates import SqlCandidateRepository, SqlResumeRepository
from storage.repositories.consent import SqlConsentRepository
from storage.repositories.debrief import (
    SqlFollowUpRepository,
    SqlPipelineRepository,
    SqlRecommendationRepository,
    SqlScorecardRepository,
)
from storage.repositories.evaluation import SqlEvaluationRepository, SqlScoreOverrideRepository
from storage.repositories.interview import (
    SqlMediaRepository,
    SqlMessageRepository,
    SqlSessionRepository,
    SqlTokenUsageRepository,
    SqlTranscriptRepository,
    SqlWhiteboardRepository,
)
from storage.repositories.jobs import SqlJobRepository
from storage.repositories.live import SqlLiveNoteRepository, SqlLiveSessionRepository
from storage.repositories.notifications import SqlOutboxRepository
from storage.repositories.outgoing_webhooks import (
    SqlDeliveryAttemptRepository,
    SqlWebhookDeliveryRepository,
    SqlWebhookSubscriptionRepository,
)
from storage.repositories.privacy import SqlDataRequestRepository
from storage.repositories.scheduling import (
    SqlBookingRepository,
    SqlEventTypeRepository,
    SqlSessionInterviewerRepository,
    SqlTeamMemberRepository,
    SqlWebhookEventRepository,
    SqlWebhookRefusalRepository,
)


class SqlAlchemyUnitOfWork:
    """Implements core.unit_of_work.UnitOfWork. Not reusable across threads; make one per use.

    The repositories are typed by their protocols, so mypy checks each SQL repository against the
    surface services rely on.
    """

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

    def __init__(self, session_factory: Callable[[], OrmSession]) -> None:
        self._session_factory = session_factory
        self._session: OrmSession | None = None

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("This unit of work is already open; make a new one per `with` block.")
        session = self._session_factory()
        self._session = session
        self.sessions = SqlSessionRepository(session)
        self.messages = SqlMessageRepository(session)
        self.candidates = SqlCandidateRepository(session)
        self.resumes = SqlResumeRepository(session)
        self.evaluations = SqlEvaluationRepository(session)
        self.transcripts = SqlTranscriptRepository(session)
        self.whiteboards = SqlWhiteboardRepository(session)
        self.media = SqlMediaRepository(session)
        self.consents = SqlConsentRepository(session)
        self.token_usage = SqlTokenUsageRepository(session)
        self.answer_cache = SqlAnswerCacheRepository(session)
        self.score_overrides = SqlScoreOverrideRepository(session)
        self.audit = SqlAuditRepository(session)
        self.accounts = SqlAccountRepository(session)
        self.sign_ins = SqlSignInSessionRepository(session)
        self.sign_in_failures = SqlSignInFailureRepository(session)
        self.team_members = SqlTeamMemberRepository(session)
        self.event_types = SqlEventTypeRepository(session)
        self.bookings = SqlBookingRepository(session)
        self.session_interviewers = SqlSessionInterviewerRepository(session)
        self.webhook_events = SqlWebhookEventRepository(session)
        self.webhook_refusals = SqlWebhookRefusalRepository(session)
        self.live_sessions = SqlLiveSessionRepository(session)
        self.notes = SqlLiveNoteRepository(session)
        self.scorecards = SqlScorecardRepository(session)
        self.recommendations = SqlRecommendationRepository(session)
        self.follow_ups = SqlFollowUpRepository(session)
        self.pipeline = SqlPipelineRepository(session)
        self.data_requests = SqlDataRequestRepository(session)
        self.jobs = SqlJobRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.webhook_subscriptions = SqlWebhookSubscriptionRepository(session)
        self.webhook_deliveries = SqlWebhookDeliveryRepository(session)
        self.delivery_attempts = SqlDeliveryAttemptRepository(session)
        return self

    def __exit__(self, *exc_info: object) -> None:
        exc = exc_info[1] if len(exc_info) > 1 and isinstance(exc_info[1], BaseException) else None
        session, self._session = self._session, None
        if session is None:
            return
        try:
            session.rollback()  # a no-op after commit; discards anything uncommitted
        except SQLAlchemyError:
            if exc is None:
                raise
            # the connection is gone already: the error that brought us here is the one to report
        finally:
            session.close()
        if _unreachable(exc):
            raise DatabaseUnavailable(UNREACHABLE) from exc

    def commit(self) -> None:
        self._open().commit()

    def rollback(self) -> None:
        self._open().rollback()

    def _open(self) -> OrmSession:
        if self._session is None:
            raise RuntimeError("Use the unit of work inside `with uow_factory() as uow:`.")
        return self._session


UNREACHABLE = (
    "The database is not reachable right now — your work is saved up to the last answer; "
    "this page retries by itself, or reload it in a moment."
)


def _unreachable(exc: BaseException | None) -> bool:
    """A lost, refused or locked connection (the database may come back), not a bug in a query.

    Such errors come from the driver after start-up (PostgreSQL stopped, SQLite file locked); pages
    know only core's errors, so they become DatabaseUnavailable here, the one way to the database.
    """
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    # SQLite reports a missing table as OperationalError too: that is a bug or a missing migration
    return isinstance(exc, OperationalError) and not any(m in str(exc.orig).lower() for m in _QUERY_ERRORS)


_QUERY_ERRORS = ("no such table", "no such column", "syntax error")


def make_session_factory(engine: Engine) -> sessionmaker[OrmSession]:
    """Sessions that keep loaded values after commit: repositories return dataclasses anyway."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def make_uow_factory(engine: Engine) -> Callable[[], SqlAlchemyUnitOfWork]:
    """What services receive: a callable that opens a fresh unit of work per use."""
    session_factory = make_session_factory(engine)

    def factory() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(session_factory)

    return factory
