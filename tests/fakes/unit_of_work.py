"""The in-memory unit of work: every repository of core.unit_of_work.UnitOfWork over one State."""

from __future__ import annotations

import copy
import itertools
from typing import Self

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
    UnitOfWork,
    WebhookDeliveryRepository,
    WebhookEventRepository,
    WebhookRefusalRepository,
    WebhookSubscriptionRepository,
    WhiteboardRepository,
)
from tests.fakes.accounts import FakeAccountRepository, FakeSignInFailureRepository, FakeSignInSessionRepository
from tests.fakes.answer_cache import FakeAnswerCacheRepository
from tests.fakes.base import FakePendingRollback, State
from tests.fakes.consent import FakeConsentRepository
from tests.fakes.interview import (
    FakeAuditRepository,
    FakeCandidateRepository,
    FakeEvaluationRepository,
    FakeMediaRepository,
    FakeMessageRepository,
    FakeResumeRepository,
    FakeScoreOverrideRepository,
    FakeSessionRepository,
    FakeTokenUsageRepository,
    FakeTranscriptRepository,
    FakeWhiteboardRepository,
)
from tests.fakes.jobs import FakeJobRepository
from tests.fakes.live import (
    FakeFollowUpRepository,
    FakeLiveNoteRepository,
    FakeLiveSessionRepository,
    FakePipelineRepository,
    FakeRecommendationRepository,
    FakeScorecardRepository,
)
from tests.fakes.notifications import FakeOutboxRepository
from tests.fakes.outgoing_webhooks import (
    FakeDeliveryAttemptRepository,
    FakeWebhookDeliveryRepository,
    FakeWebhookSubscriptionRepository,
)
from tests.fakes.privacy import FakeDataRequestRepository
from tests.fakes.scheduling import (
    FakeBookingRepository,
    FakeEventTypeRepository,
    FakeSessionInterviewerRepository,
    FakeTeamMemberRepository,
    FakeWebhookEventRepository,
    FakeWebhookRefusalRepository,
)


class FakeUnitOfWork:
    """Reusable: hand out `lambda: uow` as the factory and inspect uow's repositories after.

    The repositories are declared as the Protocol types, so each assignment below is checked by
    mypy against its Protocol (the Protocol's attributes are settable, hence invariant).
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

    def __init__(self) -> None:
        self.state = State()
        self._committed_state = copy.deepcopy(self.state)
        self.ids = itertools.count(1)  # like a database sequence: never rolled back
        self.failed = False  # a write failed; like a failed flush, only rollback clears it
        self.committed = False
        self.commits = 0
        self.sessions = FakeSessionRepository(self)
        self.messages = FakeMessageRepository(self)
        self.candidates = FakeCandidateRepository(self)
        self.resumes = FakeResumeRepository(self)
        self.evaluations = FakeEvaluationRepository(self)
        self.transcripts = FakeTranscriptRepository(self)
        self.whiteboards = FakeWhiteboardRepository(self)
        self.media = FakeMediaRepository(self)
        self.consents = FakeConsentRepository(self)
        self.token_usage = FakeTokenUsageRepository(self)
        self.answer_cache = FakeAnswerCacheRepository(self)
        self.score_overrides = FakeScoreOverrideRepository(self)
        self.audit = FakeAuditRepository(self)
        self.accounts = FakeAccountRepository(self)
        self.sign_ins = FakeSignInSessionRepository(self)
        self.sign_in_failures = FakeSignInFailureRepository(self)
        self.team_members = FakeTeamMemberRepository(self)
        self.event_types = FakeEventTypeRepository(self)
        self.bookings = FakeBookingRepository(self)
        self.session_interviewers = FakeSessionInterviewerRepository(self)
        self.webhook_events = FakeWebhookEventRepository(self)
        self.webhook_refusals = FakeWebhookRefusalRepository(self)
        self.live_sessions = FakeLiveSessionRepository(self)
        self.notes = FakeLiveNoteRepository(self)
        self.scorecards = FakeScorecardRepository(self)
        self.recommendations = FakeRecommendationRepository(self)
        self.follow_ups = FakeFollowUpRepository(self)
        self.pipeline = FakePipelineRepository(self)
        self.data_requests = FakeDataRequestRepository(self)
        self.jobs = FakeJobRepository(self)
        self.outbox = FakeOutboxRepository(self)
        self.webhook_subscriptions = FakeWebhookSubscriptionRepository(self)
        self.webhook_deliveries = FakeWebhookDeliveryRepository(self)
        self.delivery_attempts = FakeDeliveryAttemptRepository(self)

    def __enter__(self) -> Self:
        """What was written outside any `with` block (test set-up) counts as committed."""
        if not self.failed:
            self._committed_state = copy.deepcopy(self.state)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()

    def commit(self) -> None:
        if self.failed:
            raise FakePendingRollback("This unit of work had a failed write; it can only be rolled back.")
        self._committed_state = copy.deepcopy(self.state)
        self.committed = True
        self.commits += 1

    def rollback(self) -> None:
        self.state = copy.deepcopy(self._committed_state)
        self.failed = False


def _satisfies_protocol(uow: FakeUnitOfWork) -> UnitOfWork:
    """Never called: mypy proves here that the fake is a UnitOfWork."""
    return uow
