"""Interview sessions (with History's search queries) and what each records as it runs: chat messages,
transcript lines, whiteboard snapshots, media files and token usage."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVarTuple, cast

from sqlalchemy import CursorResult, Row, Select, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core.errors import NotFound
from core.models import (
    HistoryQuery,
    Level,
    MediaFile,
    Message,
    Role,
    Session,
    SessionScope,
    SessionStatus,
    SessionSummary,
    SortKey,
    Stage,
    TokenUsage,
    TranscriptEntry,
    WhiteboardSnapshot,
)
from storage.repositories import history_statements as history
from storage.repositories.base import EnumFields, SqlRepository, now, references_to, utc
from storage.repositories.history_statements import SUMMARY_COLUMNS, Part, Shape, visible_in
from storage.tables import (
    CandidateRow,
    EvaluationRow,
    InterviewerChoiceRow,
    MediaFileRow,
    MessageRow,
    SessionRow,
    TokenUsageRow,
    TranscriptEntryRow,
    WhiteboardSnapshotRow,
)

Columns = TypeVarTuple("Columns")

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
    "owner_id",
    "team",
)


def _utc_if_datetime(value: Any) -> Any:
    return utc(value) if isinstance(value, datetime) else value


def _copy_session(session: Session, row: SessionRow) -> None:
    for name in _SESSION_FIELDS:
        setattr(row, name, getattr(session, name))
    row.level = Level(session.level).value
    row.status = SessionStatus(session.status).value
    row.stage = Stage(session.stage).value
    row.modes = list(session.modes)


def _with_statuses(query: Select[*Columns], statuses: list[SessionStatus] | None) -> Select[*Columns]:
    if statuses is None:
        return query
    return query.where(SessionRow.status.in_([SessionStatus(s).value for s in statuses]))


class SqlSessionRepository(SqlRepository[Session, SessionRow]):
    """Enums and the modes list are stored as plain values, so rows are mapped by hand rather than mirrored."""

    model = Session
    row_type = SessionRow
    missing = "No interview with id {}."

    def add(self, session: Session) -> None:
        """Stores the session; fills created_at and updated_at when they are None."""
        session.created_at = session.created_at or now()
        session.updated_at = session.updated_at or session.created_at
        self._store(self._to_row(session))
        self._remember_interviewer(session.interviewer_provider, session.interviewer_model)

    def get(self, session_id: str) -> Session:
        return self._get(session_id)

    def update(self, session: Session) -> None:
        """Writes every field back; services set updated_at from their clock (filled if None)."""
        row = self._row(session.id)
        before = (row.interviewer_provider, row.interviewer_model)
        session.updated_at = session.updated_at or now()
        _copy_session(session, row)
        self._session.flush()
        if before != (session.interviewer_provider, session.interviewer_model):
            self._remember_interviewer(session.interviewer_provider, session.interviewer_model)
            self._forget_interviewer_if_unused(*before)

    def list_summaries(
        self, *, limit: int = 50, offset: int = 0, statuses: list[SessionStatus] | None = None
    ) -> list[SessionSummary]:
        """Most recent first (created_at desc), with candidate name and overall score."""
        query = (
            select(*SUMMARY_COLUMNS)
            .outerjoin(CandidateRow, CandidateRow.id == SessionRow.candidate_id)
            .order_by(SessionRow.created_at.desc(), SessionRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return self._summaries(self._session.execute(_with_statuses(query, statuses)))

    def count(self, *, statuses: list[SessionStatus] | None = None) -> int:
        if statuses is None and (kept := self._tally()) is not None:
            return kept
        query = _with_statuses(select(func.count()).select_from(SessionRow), statuses)
        return int(self._session.scalar(query) or 0)

    def search(self, query: HistoryQuery) -> list[SessionSummary]:
        """One page of History: filtered, ordered and cut by the database (history_statements builds the SQL).

        By score, the scored sessions come first and the unscored after them, whichever way scores run.
        Asked for apart, each half is read in the order of an index (score then date; date) and stops
        after one page. One ORDER BY … NULLS LAST sorts every matching session first in one direction
        or the other, since an index keeps its NULLs at one end (SQLite ascending, PostgreSQL descending).
        By candidate, the named come first, in the order of the names' index, and those naming none after.
        """
        shape = Shape.of(query)
        if query.sort is SortKey.SCORE:
            first, rest = Part.SCORED, Part.UNSCORED
        elif query.sort is SortKey.CANDIDATE:
            first, rest = Part.NAMED, Part.UNNAMED
        else:
            return self._page(query, shape, Part.ALL, query.page_size, query.offset)
        found = self._page(query, shape, first, query.page_size, query.offset)
        room = query.page_size - len(found)
        if not room or (first is Part.SCORED and (query.score_min is not None or query.score_max is not None)):
            return found  # a score range leaves out the unscored
        # The page starts among the rest only when the first part has nothing left for it.
        skip = 0 if found else query.offset - self._count_matching(query, first)
        return found + self._page(query, shape, rest, room, max(0, skip))

    def search_counted(self, query: HistoryQuery) -> tuple[list[SessionSummary], int]:
        """The query's page and how many sessions match in all.

        Counting a candidate's (or a name's few candidates') sessions reads every one of them, so the page is
        sorted out of that same reading: one statement, where a count and a page were two, each planned anew
        by PostgreSQL. A page of every session, read in one part, carries the tally in its own statement. Any
        other query counts by its indexes and reads its page alone, which stops after it.
        """
        shape, parameters = Shape.of(query), history.values(query, limit=query.page_size, offset=query.offset)
        narrowed = shape.candidate or shape.candidate_id
        if narrowed and query.sort is not SortKey.CANDIDATE:  # by candidate, names are read in order: see search()
            rows = self._session.execute(history.counted_page(shape), parameters).all()
            if not rows:  # none match, or the page is past the end and its count went with it
                return [], self._count_matching(query) if query.offset else 0
            return self._summaries(rows), int(rows[0].total)
        if shape.matches_every_session and query.sort not in (SortKey.SCORE, SortKey.CANDIDATE):  # one part
            rows = self._session.execute(history.tallied_page(shape), parameters).all()
            if rows and rows[0].total is not None:  # past the end, or no tally: counted below
                return self._summaries(rows), int(rows[0].total)
        total = self._count_matching(query)
        return (self.search(query) if total > query.offset else []), total

    def count_matching(self, query: HistoryQuery) -> int:
        """How many sessions match the query's filters, with the same WHERE as search()."""
        return self._count_matching(query)

    def _count_matching(self, query: HistoryQuery, part: Part = Part.ALL) -> int:
        shape = Shape.of(query)
        if part is Part.ALL and shape.matches_every_session and (kept := self._tally()) is not None:
            return kept
        return int(self._session.scalar(history.count(shape, part), history.values(query)) or 0)

    def _tally(self) -> int | None:
        """How many sessions there are, from the row triggers keep (None without it: then they are counted)."""
        kept = self._session.scalar(history.TALLY)
        return None if kept is None else int(kept)

    def _page(self, query: HistoryQuery, shape: Shape, part: Part, limit: int, offset: int) -> list[SessionSummary]:
        """The summaries of one part of a page: one round trip."""
        parameters = history.values(query, limit=limit, offset=offset)
        return self._summaries(self._session.execute(history.page(shape, part), parameters))

    def interviewers(self, scope: SessionScope | None = None) -> list[tuple[str, str | None]]:
        """The (provider, model) pairs that ran the sessions `scope` lets the person see (all without one).

        Everyone's are kept apart (interviewer_choices), so the common case reads a few rows; a narrower scope
        reads its own sessions, which the owner, team and candidate indexes find.
        """
        if scope is None or scope.everything:
            kept = self._session.execute(select(InterviewerChoiceRow.provider, InterviewerChoiceRow.model)).all()
            rows = [(provider, model or None) for provider, model in kept]
        else:
            statement = select(SessionRow.interviewer_provider, SessionRow.interviewer_model).distinct()
            rows = [(provider, model) for provider, model in self._session.execute(statement.where(visible_in(scope)))]
        return sorted(rows, key=lambda pair: (pair[0], pair[1] or ""))

    def _remember_interviewer(self, provider: str, model: str | None) -> None:
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        values = {"provider": provider, "model": model or ""}
        self._session.execute(dialect.insert(InterviewerChoiceRow).values(values).on_conflict_do_nothing())

    def _forget_interviewer_if_unused(self, provider: str, model: str | None) -> None:
        """Once no session names it, the filter stops offering it (an index probe: provider and model lead one)."""
        same_model = (
            or_(SessionRow.interviewer_model.is_(None), SessionRow.interviewer_model == "")
            if not model
            else SessionRow.interviewer_model == model
        )
        used = select(SessionRow.id).where(SessionRow.interviewer_provider == provider, same_model).exists()
        self._session.execute(
            delete(InterviewerChoiceRow).where(
                InterviewerChoiceRow.provider == provider, InterviewerChoiceRow.model == (model or ""), ~used
            )
        )

    def awaiting_release(self, *, limit: int = 200) -> list[SessionSummary]:
        """Sessions whose evaluation no reviewer has approved yet, the oldest evaluation first."""
        query = (
            select(*SUMMARY_COLUMNS)
            .join(EvaluationRow, EvaluationRow.session_id == SessionRow.id)
            .outerjoin(CandidateRow, CandidateRow.id == SessionRow.candidate_id)
            .where(EvaluationRow.approved_at.is_(None))
            .order_by(EvaluationRow.created_at, SessionRow.id)
            .limit(limit)
        )
        return self._summaries(self._session.execute(query))

    def ids_for_candidate(self, candidate_id: str) -> list[str]:
        """The candidate's sessions, oldest first."""
        query = select(SessionRow.id).where(SessionRow.candidate_id == candidate_id)
        return list(self._session.scalars(query.order_by(SessionRow.created_at, SessionRow.id)))

    def ids_created_before(self, cutoff: datetime, *, limit: int = 500) -> list[str]:
        """Sessions created before `cutoff`, oldest first."""
        query = select(SessionRow.id).where(SessionRow.created_at < cutoff)
        return list(self._session.scalars(query.order_by(SessionRow.created_at, SessionRow.id).limit(limit)))

    def delete(self, session_id: str) -> dict[str, int]:
        """Deletes the session and every row hanging off it; returns rows deleted per table.

        The tables are found from their foreign keys onto sessions.id, so a table added later goes too
        without a change here; a SET NULL reference (a pipeline change) keeps its row and loses the link.
        """
        row = self._row(session_id)  # NotFound first
        interviewer = (row.interviewer_provider, row.interviewer_model)
        self._session.flush()
        deleted: dict[str, int] = {}
        for table, column, on_delete in references_to("sessions"):
            if (on_delete or "").upper() == "SET NULL":
                self._session.execute(update(table).where(column == session_id).values({column.name: None}))
                continue
            count = _rowcount(self._session.execute(delete(table).where(column == session_id)))
            if count:
                deleted[table.name] = count
        deleted["sessions"] = _rowcount(self._session.execute(delete(SessionRow).where(SessionRow.id == session_id)))
        self._forget_interviewer_if_unused(*interviewer)
        self._session.expire_all()  # rows already loaded in this unit of work are gone
        return deleted

    def team_counts(self) -> dict[str, int]:
        """Sessions per team, counted by the database (the team column is indexed)."""
        query = select(SessionRow.team, func.count()).where(SessionRow.team != "").group_by(SessionRow.team)
        return {team: int(count) for team, count in self._session.execute(query)}

    def rename_team(self, old: str, new: str) -> int:
        """One UPDATE rather than a read and write per session; updated_at stays, since the interview itself
        did not change."""
        self._session.flush()  # autoflush is off: write what this unit of work holds before updating in bulk
        result = self._session.execute(update(SessionRow).where(SessionRow.team == old).values(team=new))
        return _rowcount(result)  # ORM-enabled: sessions already loaded here get the new team too

    def _summaries(self, rows: Iterable[Row[Any]]) -> list[SessionSummary]:
        """Rows of SUMMARY_COLUMNS as summaries: only the columns a list shows are read, and no ORM object is
        built (a page of History had spent most of its time making whole sessions out of 25 rows)."""
        moment = now()
        summaries = []
        for row in rows:
            started, ended, paused = utc(row.started_at), utc(row.ended_at), utc(row.paused_at)
            end = ended or paused or moment
            summaries.append(
                SessionSummary(
                    id=row.id,
                    problem_id=row.problem_id,
                    problem_title=row.problem_title,
                    level=Level(row.level),
                    candidate_name=row.name,
                    status=SessionStatus(row.status),
                    created_at=row.created_at.astimezone(UTC),
                    started_at=started,
                    ended_at=ended,
                    duration_seconds=max(0.0, (end - started).total_seconds() - row.paused_seconds) if started else 0.0,
                    overall_score=row.overall_score,
                    candidate_id=row.candidate_id,
                    interviewer_provider=row.interviewer_provider,
                    interviewer_model=row.interviewer_model,
                )
            )
        return summaries

    def _to_row(self, item: Session) -> SessionRow:
        row = SessionRow(id=item.id)
        _copy_session(item, row)
        return row

    def _to_item(self, row: SessionRow) -> Session:
        return Session(
            id=row.id,
            **{name: _utc_if_datetime(getattr(row, name)) for name in _SESSION_FIELDS},
            level=Level(row.level),
            status=SessionStatus(row.status),
            stage=Stage(row.stage),
            modes=list(row.modes),
        )


# --- chat -------------------------------------------------------------------------------


class SqlMessageRepository(SqlRepository[Message, MessageRow]):
    model = Message
    row_type = MessageRow
    enums: ClassVar[EnumFields] = {"role": Role, "stage": Stage}

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
        created_at = message.created_at or now()
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
        return replace(message, id=new_id, seq=seq, created_at=utc(created_at), meta=copy.deepcopy(message.meta))

    def in_session(self, session_id: str, *, after_seq: int | None = None) -> list[Message]:
        if after_seq is None:
            return self._in_session(session_id, MessageRow.seq)
        statement = select(MessageRow).where(MessageRow.session_id == session_id, MessageRow.seq > after_seq)
        return self._many(statement.order_by(MessageRow.seq))

    def count_in_session(self, session_id: str) -> int:
        statement = select(func.count()).select_from(MessageRow).where(MessageRow.session_id == session_id)
        return int(self._session.scalar(statement) or 0)


# --- per-session logs: append-only, each dataclass mirrors its row ----------------------


class SqlTranscriptRepository(SqlRepository[TranscriptEntry, TranscriptEntryRow]):
    model = TranscriptEntry
    row_type = TranscriptEntryRow
    ignores_given_id = True

    def add(self, entry: TranscriptEntry) -> TranscriptEntry:
        return self._add(entry)

    def in_session(self, session_id: str, *, after_id: int | None = None) -> list[TranscriptEntry]:
        """Speaking order; ties in insertion order."""
        if after_id is None:
            return self._in_session(session_id, TranscriptEntryRow.start, TranscriptEntryRow.id)
        row = TranscriptEntryRow
        statement = select(row).where(row.session_id == session_id, row.id > after_id)
        return self._many(statement.order_by(row.start, row.id))

    def count_in_session(self, session_id: str) -> int:
        statement = select(func.count()).select_from(TranscriptEntryRow)
        return int(self._session.scalar(statement.where(TranscriptEntryRow.session_id == session_id)) or 0)

    def remove_source(self, session_id: str, source: str) -> int:
        """Drop a session's entries from one source (e.g. live "mic" lines a better pass replaces)."""
        # A DELETE's result is a CursorResult, which alone knows its rowcount.
        result = cast(
            "CursorResult[Any]",
            self._session.execute(
                delete(TranscriptEntryRow).where(
                    TranscriptEntryRow.session_id == session_id, TranscriptEntryRow.source == source
                )
            ),
        )
        return int(result.rowcount or 0)


class SqlWhiteboardRepository(SqlRepository[WhiteboardSnapshot, WhiteboardSnapshotRow]):
    model = WhiteboardSnapshot
    row_type = WhiteboardSnapshotRow
    ignores_given_id = True

    def add(self, snapshot: WhiteboardSnapshot) -> WhiteboardSnapshot:
        return self._add(snapshot)

    def in_session(self, session_id: str) -> list[WhiteboardSnapshot]:
        return self._in_session(session_id, WhiteboardSnapshotRow.id)

    def latest(self, session_id: str) -> WhiteboardSnapshot | None:
        """The newest drawing alone: autosave keeps one row per change, and every reply reads the newest."""
        return self._first(
            select(WhiteboardSnapshotRow)
            .where(WhiteboardSnapshotRow.session_id == session_id)
            .order_by(WhiteboardSnapshotRow.id.desc())
            .limit(1)
        )

    def pictures_before(self, cutoff: datetime, *, limit: int = 500) -> list[WhiteboardSnapshot]:
        """Snapshots created before `cutoff` that still have a PNG, oldest first."""
        return self._many(
            select(WhiteboardSnapshotRow)
            .where(WhiteboardSnapshotRow.created_at < cutoff, WhiteboardSnapshotRow.png_path.is_not(None))
            .order_by(WhiteboardSnapshotRow.created_at, WhiteboardSnapshotRow.id)
            .limit(limit)
        )

    def drop_picture(self, snapshot_id: int) -> None:
        self._session.execute(
            update(WhiteboardSnapshotRow).where(WhiteboardSnapshotRow.id == snapshot_id).values(png_path=None)
        )


class SqlMediaRepository(SqlRepository[MediaFile, MediaFileRow]):
    model = MediaFile
    row_type = MediaFileRow
    missing = "No media file {}."
    ignores_given_id = True

    def add(self, media: MediaFile) -> MediaFile:
        return self._add(media)

    def in_session(self, session_id: str) -> list[MediaFile]:
        return self._in_session(session_id, MediaFileRow.id)

    def set_size(self, media_id: int, size_bytes: int) -> None:
        """A recording written while the interview runs gets its final size when it closes."""
        self._row(media_id).size_bytes = size_bytes

    def created_before(self, cutoff: datetime, *, limit: int = 500) -> list[MediaFile]:
        return self._many(
            select(MediaFileRow)
            .where(MediaFileRow.created_at < cutoff)
            .order_by(MediaFileRow.created_at, MediaFileRow.id)
            .limit(limit)
        )

    def delete(self, media_id: int) -> None:
        self._session.delete(self._row(media_id))
        self._session.flush()


class SqlTokenUsageRepository(SqlRepository[TokenUsage, TokenUsageRow]):
    model = TokenUsage
    row_type = TokenUsageRow
    ignores_given_id = True

    def add(self, usage: TokenUsage) -> TokenUsage:
        return self._add(usage)

    def in_session(self, session_id: str) -> list[TokenUsage]:
        return self._in_session(session_id, TokenUsageRow.id)

    def cost_between(self, since: datetime, until: datetime, *, owner_id: str | None = None) -> float:
        """One SUM over the created_at index; a person's joins their sessions (owner_id is indexed too)."""
        statement = select(func.coalesce(func.sum(TokenUsageRow.cost_usd), 0.0)).where(
            TokenUsageRow.created_at >= since, TokenUsageRow.created_at < until
        )
        if owner_id is not None:
            statement = statement.join(SessionRow, SessionRow.id == TokenUsageRow.session_id).where(
                SessionRow.owner_id == owner_id
            )
        return float(self._session.scalar(statement) or 0.0)

    def cost_by_owner(self, since: datetime, until: datetime) -> dict[str | None, float]:
        statement = (
            select(SessionRow.owner_id, func.sum(TokenUsageRow.cost_usd))
            .join(SessionRow, SessionRow.id == TokenUsageRow.session_id)
            .where(TokenUsageRow.created_at >= since, TokenUsageRow.created_at < until)
            .group_by(SessionRow.owner_id)
        )
        return {owner: float(cost or 0.0) for owner, cost in self._session.execute(statement)}


def _rowcount(result: Any) -> int:
    """Rows a DELETE or UPDATE touched (its result is a CursorResult, which alone knows rowcount)."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)
