"""SQLAlchemy implementations of the repository Protocols in core.unit_of_work.

Each repository works inside the unit of work's Session and hands out plain, detached
core.models dataclasses, never ORM rows. Writes are flushed at once so ids are known and
constraint violations surface at the call that caused them; nothing is committed here.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, fields, replace
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Select, delete, func, insert, or_, select
from sqlalchemy.orm import Session as OrmSession

from core.errors import NotFound
from core.history import HistoryQuery, SortKey
from core.models import (
    AuditEntry,
    Candidate,
    CompetencyScore,
    Evaluation,
    Evidence,
    Level,
    MediaFile,
    Message,
    PlanStep,
    Resume,
    ResumeProfile,
    Role,
    ScoreOverride,
    Session,
    SessionStatus,
    SessionSummary,
    Stage,
    TokenUsage,
    TranscriptEntry,
    WhiteboardSnapshot,
)
from storage.tables import (
    AuditRow,
    CandidateRow,
    EvaluationRow,
    MediaFileRow,
    MessageRow,
    ResumeRow,
    ScoreOverrideRow,
    SessionRow,
    TokenUsageRow,
    TranscriptEntryRow,
    WhiteboardSnapshotRow,
)


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """Rows written in this same Session still hold the caller's zone; hand out UTC always."""
    return None if value is None else value.astimezone(UTC)


class _Repository:
    def __init__(self, session: OrmSession) -> None:
        self._session = session


# --- candidates and resumes -------------------------------------------------------------


def _candidate(row: CandidateRow) -> Candidate:
    return Candidate(id=row.id, name=row.name, email=row.email, created_at=_utc(row.created_at))


class SqlCandidateRepository(_Repository):
    def add(self, candidate: Candidate) -> None:
        """Stores the candidate; fills candidate.created_at when it is None."""
        candidate.created_at = candidate.created_at or _now()
        self._session.add(
            CandidateRow(id=candidate.id, name=candidate.name, email=candidate.email, created_at=candidate.created_at)
        )
        self._session.flush()

    def get(self, candidate_id: str) -> Candidate:
        row = self._session.get(CandidateRow, candidate_id)
        if row is None:
            raise NotFound(f"No candidate with id {candidate_id}.")
        return _candidate(row)

    def by_email(self, email: str) -> Candidate | None:
        """The earliest candidate with this email (case-insensitive), so a returning person is one candidate."""
        row = self._session.scalars(
            select(CandidateRow)
            .where(func.lower(CandidateRow.email) == email.strip().lower())
            .order_by(CandidateRow.created_at, CandidateRow.id)
        ).first()
        return _candidate(row) if row is not None else None

    def list(self, *, limit: int = 500) -> list[Candidate]:
        rows = self._session.scalars(select(CandidateRow).order_by(CandidateRow.name, CandidateRow.id).limit(limit))
        return [_candidate(row) for row in rows]


def _profile_to_json(profile: ResumeProfile) -> dict[str, Any]:
    data = asdict(profile)
    data["level"] = profile.level.value
    return data


def _profile_from_json(data: dict[str, Any]) -> ResumeProfile:
    return ResumeProfile(
        name=data.get("name"),
        email=data.get("email"),
        years_experience=data.get("years_experience"),
        level=Level(data.get("level", Level.MID.value)),
        domains=list(data.get("domains", [])),
        skills=list(data.get("skills", [])),
    )


def _resume(row: ResumeRow) -> Resume:
    return Resume(
        id=row.id,
        candidate_id=row.candidate_id,
        filename=row.filename,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        text=row.text,
        profile=_profile_from_json(row.profile),
        file_path=row.file_path,
        created_at=_utc(row.created_at),
    )


class SqlResumeRepository(_Repository):
    def add(self, resume: Resume) -> None:
        """Stores the resume; fills resume.created_at when it is None."""
        resume.created_at = resume.created_at or _now()
        self._session.add(
            ResumeRow(
                id=resume.id,
                candidate_id=resume.candidate_id,
                filename=resume.filename,
                content_type=resume.content_type,
                size_bytes=resume.size_bytes,
                text=resume.text,
                profile=_profile_to_json(resume.profile),
                file_path=resume.file_path,
                created_at=resume.created_at,
            )
        )
        self._session.flush()

    def get(self, resume_id: str) -> Resume:
        row = self._session.get(ResumeRow, resume_id)
        if row is None:
            raise NotFound(f"No resume with id {resume_id}.")
        return _resume(row)

    def latest_for_candidate(self, candidate_id: str) -> Resume | None:
        row = self._session.scalars(
            select(ResumeRow)
            .where(ResumeRow.candidate_id == candidate_id)
            .order_by(ResumeRow.created_at.desc(), ResumeRow.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _resume(row)


# --- sessions ---------------------------------------------------------------------------

_SESSION_FIELDS = (
    "problem_id",
    "problem_title",
    "kind",
    "candidate_id",
    "interviewer_provider",
    "interviewer_model",
    "rubric_id",
    "duration_minutes",
    "created_at",
    "started_at",
    "paused_at",
    "paused_seconds",
    "stage_started_at",
    "ended_at",
    "updated_at",
)


def _utc_if_datetime(value: Any) -> Any:
    return _utc(value) if isinstance(value, datetime) else value


def _copy_session(session: Session, row: SessionRow) -> None:
    for name in _SESSION_FIELDS:
        setattr(row, name, getattr(session, name))
    row.level = Level(session.level).value
    row.status = SessionStatus(session.status).value
    row.stage = Stage(session.stage).value
    row.modes = list(session.modes)


def _session(row: SessionRow) -> Session:
    return Session(
        id=row.id,
        **{name: _utc_if_datetime(getattr(row, name)) for name in _SESSION_FIELDS},
        level=Level(row.level),
        status=SessionStatus(row.status),
        stage=Stage(row.stage),
        modes=list(row.modes),
    )


def _with_statuses(query: Select[Any], statuses: list[SessionStatus] | None) -> Select[Any]:
    if statuses is None:
        return query
    return query.where(SessionRow.status.in_([SessionStatus(s).value for s in statuses]))


def _history_filters(query: HistoryQuery) -> list[ColumnElement[bool]]:
    """The WHERE of a History query; the list and its count use the same one."""
    conditions: list[ColumnElement[bool]] = []
    if text := query.candidate.strip():
        conditions.append(or_(SessionRow.candidate_id == text, CandidateRow.name.icontains(text, autoescape=True)))
    if query.candidate_id is not None:
        conditions.append(SessionRow.candidate_id == query.candidate_id)
    if query.problem_ids:
        conditions.append(SessionRow.problem_id.in_(query.problem_ids))
    if query.created_from is not None:
        conditions.append(SessionRow.created_at >= query.created_from)
    if query.created_to is not None:
        conditions.append(SessionRow.created_at < query.created_to)
    if query.score_min is not None:
        conditions.append(EvaluationRow.overall_score >= query.score_min)
    if query.score_max is not None:
        conditions.append(EvaluationRow.overall_score <= query.score_max)
    if query.interviewer_provider is not None:
        conditions.append(SessionRow.interviewer_provider == query.interviewer_provider)
        if query.interviewer_model is not None:
            conditions.append(SessionRow.interviewer_model == query.interviewer_model)
    if query.statuses:
        conditions.append(SessionRow.status.in_([SessionStatus(s).value for s in query.statuses]))
    return conditions


def _history_joins(statement: Select[Any], query: HistoryQuery, *, sorting: bool) -> Select[Any]:
    """Join candidates and evaluations only when a filter (or, when sorting, the order) reads them."""
    if query.candidate.strip() or (sorting and query.sort is SortKey.CANDIDATE):
        statement = statement.outerjoin(CandidateRow, CandidateRow.id == SessionRow.candidate_id)
    if query.score_min is not None or query.score_max is not None or (sorting and query.sort is SortKey.SCORE):
        statement = statement.outerjoin(EvaluationRow, EvaluationRow.session_id == SessionRow.id)
    return statement


def _history_order(query: HistoryQuery) -> list[ColumnElement[Any]]:
    """Sort column (missing values last either way), then newest first so pages are stable."""
    column: ColumnElement[Any] = {
        SortKey.DATE: SessionRow.created_at,
        SortKey.SCORE: EvaluationRow.overall_score,
        SortKey.CANDIDATE: CandidateRow.name,
        SortKey.PROBLEM: SessionRow.problem_title,
    }[SortKey(query.sort)]
    direction = column.desc() if query.descending else column.asc()
    tie_break = SessionRow.id.desc() if query.descending else SessionRow.id.asc()
    if query.sort is SortKey.DATE:
        return [direction, tie_break]
    return [direction.nulls_last(), SessionRow.created_at.desc(), SessionRow.id.desc()]


class SqlSessionRepository(_Repository):
    def add(self, session: Session) -> None:
        """Stores the session; fills created_at and updated_at when they are None."""
        session.created_at = session.created_at or _now()
        session.updated_at = session.updated_at or session.created_at
        row = SessionRow(id=session.id)
        _copy_session(session, row)
        self._session.add(row)
        self._session.flush()

    def get(self, session_id: str) -> Session:
        return _session(self._row(session_id))

    def update(self, session: Session) -> None:
        """Writes every field back; services set updated_at from their clock (filled if None)."""
        row = self._row(session.id)
        session.updated_at = session.updated_at or _now()
        _copy_session(session, row)
        self._session.flush()

    def list_summaries(
        self, *, limit: int = 50, offset: int = 0, statuses: list[SessionStatus] | None = None
    ) -> list[SessionSummary]:
        """Most recent first (created_at desc), with candidate name and overall score."""
        query = (
            select(SessionRow, CandidateRow.name, EvaluationRow.overall_score)
            .outerjoin(CandidateRow, CandidateRow.id == SessionRow.candidate_id)
            .outerjoin(EvaluationRow, EvaluationRow.session_id == SessionRow.id)
            .order_by(SessionRow.created_at.desc(), SessionRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return self._summaries(_with_statuses(query, statuses))

    def count(self, *, statuses: list[SessionStatus] | None = None) -> int:
        query = _with_statuses(select(func.count()).select_from(SessionRow), statuses)
        return int(self._session.scalar(query) or 0)

    def search(self, query: HistoryQuery) -> list[SessionSummary]:
        """One page of History: filtered, ordered and cut by the database.

        The page's ids are chosen first, joining only what the filters and the order need, so a
        far page skips bare index entries; the rows' names and scores are joined for those ids only.
        """
        page_ids = (
            _history_joins(select(SessionRow.id), query, sorting=True)
            .where(*_history_filters(query))
            .order_by(*_history_order(query))
            .limit(query.page_size)
            .offset(query.offset)
        )
        statement = (
            select(SessionRow, CandidateRow.name, EvaluationRow.overall_score)
            .outerjoin(CandidateRow, CandidateRow.id == SessionRow.candidate_id)
            .outerjoin(EvaluationRow, EvaluationRow.session_id == SessionRow.id)
            .where(SessionRow.id.in_(page_ids.scalar_subquery()))
            .order_by(*_history_order(query))
        )
        return self._summaries(statement)

    def count_matching(self, query: HistoryQuery) -> int:
        """How many sessions match the query's filters, with the same WHERE as search()."""
        statement = _history_joins(select(func.count()).select_from(SessionRow), query, sorting=False)
        return int(self._session.scalar(statement.where(*_history_filters(query))) or 0)

    def interviewers(self) -> list[tuple[str, str | None]]:
        rows = self._session.execute(
            select(SessionRow.interviewer_provider, SessionRow.interviewer_model).distinct()
        ).all()
        return sorted(((p, m) for p, m in rows), key=lambda pair: (pair[0], pair[1] or ""))

    def _summaries(self, statement: Select[Any]) -> list[SessionSummary]:
        now = _now()
        summaries = []
        for row, candidate_name, score in self._session.execute(statement):
            session = _session(row)
            summaries.append(
                SessionSummary(
                    id=session.id,
                    problem_id=session.problem_id,
                    problem_title=session.problem_title,
                    level=session.level,
                    candidate_name=candidate_name,
                    status=session.status,
                    created_at=row.created_at.astimezone(UTC),
                    started_at=session.started_at,
                    ended_at=session.ended_at,
                    duration_seconds=session.elapsed_seconds(now),
                    overall_score=score,
                    candidate_id=session.candidate_id,
                    interviewer_provider=session.interviewer_provider,
                    interviewer_model=session.interviewer_model,
                )
            )
        return summaries

    def _row(self, session_id: str) -> SessionRow:
        row = self._session.get(SessionRow, session_id)
        if row is None:
            raise NotFound(f"No interview with id {session_id}.")
        return row


# --- chat -------------------------------------------------------------------------------


def _message(row: MessageRow) -> Message:
    return Message(
        session_id=row.session_id,
        role=Role(row.role),
        content=row.content,
        stage=Stage(row.stage),
        meta=copy.deepcopy(row.meta),
        seq=row.seq,
        id=row.id,
        created_at=_utc(row.created_at),
    )


class SqlMessageRepository(_Repository):
    def add(self, message: Message) -> Message:
        """Stores the message as the next one of its session (seq = max(seq) + 1).

        The session row is locked first (PostgreSQL; SQLite serialises writers anyway) and
        seq is computed inside the INSERT, so two writers cannot take the same number.
        """
        locked = self._session.execute(
            select(SessionRow.id).where(SessionRow.id == message.session_id).with_for_update(key_share=True)
        ).first()
        if locked is None:
            raise NotFound(f"No interview with id {message.session_id}.")
        next_seq = (
            select(func.coalesce(func.max(MessageRow.seq), 0) + 1)
            .where(MessageRow.session_id == message.session_id)
            .scalar_subquery()
        )
        created_at = message.created_at or _now()
        statement = (
            insert(MessageRow)
            .values(
                session_id=message.session_id,
                seq=next_seq,
                role=Role(message.role).value,
                content=message.content,
                stage=Stage(message.stage).value,
                meta=copy.deepcopy(message.meta),
                created_at=created_at,
            )
            .returning(MessageRow.id, MessageRow.seq)
        )
        new_id, seq = self._session.execute(statement).one()
        return replace(message, id=new_id, seq=seq, created_at=_utc(created_at), meta=copy.deepcopy(message.meta))

    def list(self, session_id: str) -> list[Message]:
        rows = self._session.scalars(
            select(MessageRow).where(MessageRow.session_id == session_id).order_by(MessageRow.seq)
        )
        return [_message(row) for row in rows]


# --- evaluations ------------------------------------------------------------------------


def _competency_from_json(data: dict[str, Any]) -> CompetencyScore:
    return CompetencyScore(
        key=data["key"],
        name=data["name"],
        score=data["score"],
        confidence=data["confidence"],
        rationale=data.get("rationale", ""),
        evidence=[Evidence(**item) for item in data.get("evidence", [])],
    )


def _evaluation(row: EvaluationRow) -> Evaluation:
    return Evaluation(
        session_id=row.session_id,
        overall_score=row.overall_score,
        competencies=[_competency_from_json(item) for item in row.competencies],
        went_well=list(row.went_well),
        went_okay=list(row.went_okay),
        needs_improvement=list(row.needs_improvement),
        improvement_plan=[PlanStep(**item) for item in row.improvement_plan],
        communication=copy.deepcopy(row.communication),
        rubric_id=row.rubric_id,
        rubric_version=row.rubric_version,
        engine=row.engine,
        model=row.model,
        prompt_version=row.prompt_version,
        notes=list(row.notes),
        id=row.id,
        created_at=_utc(row.created_at),
    )


class SqlEvaluationRepository(_Repository):
    def add(self, evaluation: Evaluation) -> Evaluation:
        """One evaluation per session: a second one violates a unique constraint (IntegrityError)."""
        row = EvaluationRow(
            session_id=evaluation.session_id,
            overall_score=evaluation.overall_score,
            competencies=[asdict(item) for item in evaluation.competencies],
            went_well=list(evaluation.went_well),
            went_okay=list(evaluation.went_okay),
            needs_improvement=list(evaluation.needs_improvement),
            improvement_plan=[asdict(item) for item in evaluation.improvement_plan],
            communication=copy.deepcopy(evaluation.communication),
            notes=list(evaluation.notes),
            rubric_id=evaluation.rubric_id,
            rubric_version=evaluation.rubric_version,
            engine=evaluation.engine,
            model=evaluation.model,
            prompt_version=evaluation.prompt_version,
            created_at=evaluation.created_at or _now(),
        )
        self._session.add(row)
        self._session.flush()
        return _evaluation(row)

    def for_session(self, session_id: str) -> Evaluation | None:
        row = self._session.scalars(select(EvaluationRow).where(EvaluationRow.session_id == session_id)).first()
        return None if row is None else _evaluation(row)


# --- per-session logs -------------------------------------------------------------------


class _SessionLog(_Repository):
    """Append-only records of one session whose dataclass fields mirror their columns one to one."""

    model: ClassVar[type[Any]]
    row_type: ClassVar[type[Any]]
    order: ClassVar[tuple[str, ...]] = ("id",)  # insertion order unless a subclass says otherwise

    def add(self, item: Any) -> Any:
        values = {
            f.name: copy.deepcopy(getattr(item, f.name))
            for f in fields(self.model)
            if f.name not in ("id", "created_at")
        }
        row = self.row_type(**values, created_at=item.created_at or _now())
        self._session.add(row)
        self._session.flush()
        return self._from_row(row)

    def list(self, session_id: str) -> list[Any]:
        rows = self._session.scalars(
            select(self.row_type)
            .where(self.row_type.session_id == session_id)
            .order_by(*(getattr(self.row_type, column) for column in self.order))
        )
        return [self._from_row(row) for row in rows]

    def _from_row(self, row: Any) -> Any:
        values = {f.name: copy.deepcopy(getattr(row, f.name)) for f in fields(self.model) if f.name != "created_at"}
        return self.model(**values, created_at=_utc(row.created_at))


class SqlTranscriptRepository(_SessionLog):
    model = TranscriptEntry
    row_type = TranscriptEntryRow
    order = ("start", "id")  # speaking order; ties in insertion order

    def remove_source(self, session_id: str, source: str) -> int:
        """Drop a session's entries from one source (e.g. live "mic" lines a better pass replaces)."""
        result = self._session.execute(
            delete(TranscriptEntryRow).where(
                TranscriptEntryRow.session_id == session_id, TranscriptEntryRow.source == source
            )
        )
        return int(result.rowcount or 0)


class SqlWhiteboardRepository(_SessionLog):
    model = WhiteboardSnapshot
    row_type = WhiteboardSnapshotRow

    def latest(self, session_id: str) -> WhiteboardSnapshot | None:
        """The newest drawing alone: autosave keeps one row per change, and every reply reads the newest."""
        row = self._session.scalars(
            select(WhiteboardSnapshotRow)
            .where(WhiteboardSnapshotRow.session_id == session_id)
            .order_by(WhiteboardSnapshotRow.id.desc())
            .limit(1)
        ).first()
        return self._from_row(row) if row is not None else None


class SqlMediaRepository(_SessionLog):
    model = MediaFile
    row_type = MediaFileRow

    def set_size(self, media_id: int, size_bytes: int) -> None:
        """A recording written while the interview runs gets its final size when it closes."""
        row = self._session.get(MediaFileRow, media_id)
        if row is None:
            raise NotFound(f"No media file {media_id}.")
        row.size_bytes = size_bytes


class SqlTokenUsageRepository(_SessionLog):
    model = TokenUsage
    row_type = TokenUsageRow


class SqlScoreOverrideRepository(_SessionLog):
    """Append-only: the latest override of a competency is in force, earlier ones stay as history."""

    model = ScoreOverride
    row_type = ScoreOverrideRow
    order = ("created_at", "id")


def _audit(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        action=row.action,
        actor=row.actor,
        session_id=row.session_id,
        detail=copy.deepcopy(row.detail),
        id=row.id,
        created_at=_utc(row.created_at),
    )


class SqlAuditRepository(_Repository):
    def add(self, entry: AuditEntry) -> AuditEntry:
        row = AuditRow(
            action=entry.action,
            actor=entry.actor,
            session_id=entry.session_id,
            detail=copy.deepcopy(entry.detail),
            created_at=entry.created_at or _now(),
        )
        self._session.add(row)
        self._session.flush()
        return _audit(row)

    def list(self, *, session_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        """The latest `limit` entries (optionally of one session), oldest first."""
        query = select(AuditRow).order_by(AuditRow.created_at.desc(), AuditRow.id.desc()).limit(limit)
        if session_id is not None:
            query = query.where(AuditRow.session_id == session_id)
        rows = list(self._session.scalars(query))
        return [_audit(row) for row in reversed(rows)]
