"""The storage surface services depend on: small repositories inside one unit of work.

storage/ implements it with SQLAlchemy; unit tests use an in-memory fake. Services never
see SQL, so "end the interview" (status + evaluation + audit entry) is one commit or none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, Self

from core.models import (
    AuditEntry,
    Candidate,
    Evaluation,
    MediaFile,
    Message,
    Resume,
    ScoreOverride,
    Session,
    SessionStatus,
    SessionSummary,
    TokenUsage,
    TranscriptEntry,
    WhiteboardSnapshot,
)

if TYPE_CHECKING:
    from core.history import HistoryQuery


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

    def count_matching(self, query: HistoryQuery) -> int: ...
    def interviewers(self) -> list[tuple[str, str | None]]:
        """Distinct (provider, model) pairs of stored sessions, sorted."""
        ...


class MessageRepository(Protocol):
    def add(self, message: Message) -> Message:
        """Stores the message; returns it with id, seq (1, 2, … per session) and created_at."""
        ...

    def list(self, session_id: str) -> list[Message]:
        """In seq order."""
        ...


class CandidateRepository(Protocol):
    def add(self, candidate: Candidate) -> None: ...
    def get(self, candidate_id: str) -> Candidate: ...


class ResumeRepository(Protocol):
    def add(self, resume: Resume) -> None: ...
    def get(self, resume_id: str) -> Resume: ...
    def latest_for_candidate(self, candidate_id: str) -> Resume | None: ...


class EvaluationRepository(Protocol):
    def add(self, evaluation: Evaluation) -> Evaluation: ...
    def for_session(self, session_id: str) -> Evaluation | None: ...


class TranscriptRepository(Protocol):
    def add(self, entry: TranscriptEntry) -> TranscriptEntry: ...
    def list(self, session_id: str) -> list[TranscriptEntry]: ...


class WhiteboardRepository(Protocol):
    def add(self, snapshot: WhiteboardSnapshot) -> WhiteboardSnapshot: ...
    def list(self, session_id: str) -> list[WhiteboardSnapshot]: ...
    def latest(self, session_id: str) -> WhiteboardSnapshot | None: ...


class MediaRepository(Protocol):
    def add(self, media: MediaFile) -> MediaFile: ...
    def list(self, session_id: str) -> list[MediaFile]: ...


class TokenUsageRepository(Protocol):
    def add(self, usage: TokenUsage) -> TokenUsage: ...
    def list(self, session_id: str) -> list[TokenUsage]: ...


class ScoreOverrideRepository(Protocol):
    def add(self, override: ScoreOverride) -> ScoreOverride: ...
    def list(self, session_id: str) -> list[ScoreOverride]:
        """Oldest first."""
        ...


class AuditRepository(Protocol):
    def add(self, entry: AuditEntry) -> AuditEntry: ...
    def list(self, *, session_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
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
    token_usage: TokenUsageRepository
    score_overrides: ScoreOverrideRepository
    audit: AuditRepository

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
