"""History's statements, built once for each shape of query and run with the query's values as parameters.

A History rerun had spent more of its time building its statements than the database spent running them:
SQLAlchemy makes a new statement's cache key on every execution, and with the building that came to about
1.5 ms of client time per statement on PostgreSQL, where a statement built once runs in a third of it.
Queries that set the same filters and order share one statement object; each rerun only binds its values.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, false, func, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from core.models import HistoryQuery, SessionScope, SessionStatus, SortKey
from storage.tables import CandidateRow, SessionInterviewerRow, SessionRow, SessionTallyRow, TeamMemberRow

SUMMARY_COLUMNS = (
    SessionRow.id,
    SessionRow.problem_id,
    SessionRow.problem_title,
    SessionRow.level,
    CandidateRow.name,
    SessionRow.status,
    SessionRow.created_at,
    SessionRow.started_at,
    SessionRow.ended_at,
    SessionRow.paused_at,
    SessionRow.paused_seconds,
    SessionRow.overall_score,
    SessionRow.candidate_id,
    SessionRow.interviewer_provider,
    SessionRow.interviewer_model,
)
"""What a list of sessions shows (History, the review queue): selected by itself, with the candidate's name."""

TALLY = select(SessionTallyRow.sessions).where(SessionTallyRow.id == 1)
"""How many sessions there are (triggers keep it); None when the row is missing."""

CACHED_SHAPES = 512  # far more than the filter bar's combinations that people use


@dataclass(frozen=True)
class ScopeShape:
    """Which of a SessionScope's conditions are set (their values are bound when the statement runs)."""

    everything: bool = False
    owner: bool = False
    team: bool = False
    candidate_email: bool = False
    interviewer_email: bool = False

    @classmethod
    def of(cls, scope: SessionScope) -> ScopeShape:
        return cls(
            everything=scope.everything,
            owner=bool(scope.owner_id),
            team=bool(scope.team),
            candidate_email=bool(scope.candidate_email_key),
            interviewer_email=bool(scope.interviewer_email_key),
        )


@dataclass(frozen=True)
class Shape:
    """Which of a HistoryQuery's filters are set, and its order: what its statements are built from."""

    candidate: bool = False
    candidate_id: bool = False
    problems: bool = False
    created_from: bool = False
    created_to: bool = False
    score_min: bool = False
    score_max: bool = False
    provider: bool = False
    model: bool = False
    statuses: bool = False
    scope: ScopeShape | None = None
    sort: SortKey = SortKey.DATE
    descending: bool = True

    @property
    def matches_every_session(self) -> bool:
        """No filter narrows it and the scope is everyone's: its count is the sessions' tally."""
        filters: tuple[bool, ...] = (self.candidate, self.candidate_id, self.problems, self.created_from)
        filters += (self.created_to, self.score_min, self.score_max, self.provider, self.model, self.statuses)
        return not any(filters) and (self.scope is None or self.scope.everything)

    @classmethod
    def of(cls, query: HistoryQuery) -> Shape:
        return cls(
            candidate=bool(query.candidate.strip()),
            candidate_id=query.candidate_id is not None,
            problems=bool(query.problem_ids),
            created_from=query.created_from is not None,
            created_to=query.created_to is not None,
            score_min=query.score_min is not None,
            score_max=query.score_max is not None,
            provider=query.interviewer_provider is not None,
            model=query.interviewer_provider is not None and query.interviewer_model is not None,
            statuses=bool(query.statuses),
            scope=None if query.scope is None else ScopeShape.of(query.scope),
            sort=query.sort,
            descending=query.descending,
        )


class Part(Enum):
    """Which of the matching sessions a statement reads: by score and by candidate, a page is read in two parts,
    each in the order of an index, so that each stops after one page."""

    ALL = "all"
    SCORED = "scored"  # by score: those with an overall score, first whichever way scores run
    UNSCORED = "unscored"  # then those without one, newest first
    NAMED = "named"  # by candidate: those naming one, read in the order of the names
    UNNAMED = "unnamed"  # then those naming none, newest first


def values(query: HistoryQuery, *, limit: int | None = None, offset: int = 0) -> dict[str, Any]:
    """The query's values, named as its statements' parameters; `limit` and `offset` cut a page."""
    found: dict[str, Any] = {"page_limit": limit, "page_offset": offset} if limit is not None else {}
    if text := query.candidate.strip():
        found["candidate"] = text
        found["candidate_pattern"] = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    given = {
        "candidate_id": query.candidate_id,
        "created_from": query.created_from,
        "created_to": query.created_to,
        "score_min": query.score_min,
        "score_max": query.score_max,
        "provider": query.interviewer_provider,
        "model": query.interviewer_model if query.interviewer_provider is not None else None,
    }
    found |= {name: value for name, value in given.items() if value is not None}
    if query.problem_ids:
        found["problem_ids"] = list(query.problem_ids)
    if query.statuses:
        found["statuses"] = [SessionStatus(s).value for s in query.statuses]
    if query.scope is not None:
        found |= scope_values(query.scope)
    return found


def scope_values(scope: SessionScope) -> dict[str, Any]:
    given = {
        "scope_owner": scope.owner_id,
        "scope_team": scope.team,
        "scope_candidate_email": scope.candidate_email_key,
        "scope_interviewer_email": scope.interviewer_email_key,
    }
    return {name: value for name, value in given.items() if value}


def visible_in(scope: SessionScope) -> ColumnElement[bool]:
    """The sessions `scope` (the policy's answer for one person) lets them see, as one WHERE condition."""
    return _visibility(ScopeShape.of(scope), scope_values(scope))


@lru_cache(maxsize=CACHED_SHAPES)
def count(shape: Shape, part: Part = Part.ALL) -> Select[int]:
    """How many sessions of `part` match."""
    return select(func.count()).select_from(SessionRow).where(*_filters(shape), *_part(part))


@lru_cache(maxsize=CACHED_SHAPES)
def page(shape: Shape, part: Part = Part.ALL) -> Select[*tuple[Any, ...]]:
    """The summaries of one part's page (page_limit, page_offset), in its order: an inner SELECT chooses the
    ids, reading only what the filters and the order need (so a far page skips bare index entries), and the
    rows and their candidates' names are read for those ids only.

    By candidate, the candidate's id is compared as an expression ("id || ''"), which keeps the database from
    reading candidates by id inside a scan of every interview: the plan a planner without statistics (a new
    SQLite file) otherwise picks, sorting all the interviews for one page.
    """
    order = _order(shape, part)
    if part is Part.NAMED:  # the join leaves out the sessions naming no candidate
        ids = select(SessionRow.id).join(CandidateRow, CandidateRow.id + "" == SessionRow.candidate_id)
        ids = ids.where(*_filters(shape))
    else:
        ids = select(SessionRow.id).where(*_filters(shape), *_part(part))
    ids = ids.order_by(*order)
    chosen = ids.limit(bindparam("page_limit", type_=Integer)).offset(bindparam("page_offset", type_=Integer))
    return (
        select(*SUMMARY_COLUMNS)
        .outerjoin(CandidateRow, CandidateRow.id == SessionRow.candidate_id)
        .where(SessionRow.id.in_(chosen.scalar_subquery()))
        .order_by(*order)
    )


@lru_cache(maxsize=CACHED_SHAPES)
def counted_page(shape: Shape) -> Select[*tuple[Any, ...]]:
    """The summaries of the page (page_limit, page_offset) with how many match in all, as a last column."""
    order = _order(shape, Part.ALL)
    chosen = (
        select(SessionRow.id, func.count().over().label("total"))
        .where(*_filters(shape))
        .order_by(*order)
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
        .subquery()
    )
    return (
        select(*SUMMARY_COLUMNS, chosen.c.total)
        .join(chosen, chosen.c.id == SessionRow.id)
        .outerjoin(CandidateRow, CandidateRow.id == SessionRow.candidate_id)
        .order_by(*order)
    )


@lru_cache(maxsize=CACHED_SHAPES)
def tallied_page(shape: Shape) -> Select[*tuple[Any, ...]]:
    """page(shape) with the sessions' tally as a last column (NULL without its row): for a query every session
    matches, read in one part, the page and how many there are come back in one round trip."""
    return page(shape, Part.ALL).add_columns(TALLY.scalar_subquery().label("total"))


def _filters(shape: Shape) -> list[ColumnElement[bool]]:
    """The WHERE of a History query; its page and its count use the same one."""
    conditions: list[ColumnElement[bool]] = []
    if shape.candidate:
        # The few candidates meant (a candidate_id always names one), then their sessions by index.
        meant = select(CandidateRow.id).where(
            or_(
                CandidateRow.id == bindparam("candidate"),
                CandidateRow.name.icontains(bindparam("candidate_pattern"), escape="/"),
            )
        )
        conditions.append(SessionRow.candidate_id.in_(meant.scalar_subquery()))
    if shape.candidate_id:
        conditions.append(SessionRow.candidate_id == bindparam("candidate_id"))
    if shape.problems:
        conditions.append(SessionRow.problem_id.in_(bindparam("problem_ids", expanding=True)))
    if shape.created_from:
        conditions.append(SessionRow.created_at >= bindparam("created_from"))
    if shape.created_to:
        conditions.append(SessionRow.created_at < bindparam("created_to"))
    if shape.score_min:
        conditions.append(SessionRow.overall_score >= bindparam("score_min"))
    if shape.score_max:
        conditions.append(SessionRow.overall_score <= bindparam("score_max"))
    if shape.provider:
        conditions.append(SessionRow.interviewer_provider == bindparam("provider"))
    if shape.model:
        conditions.append(SessionRow.interviewer_model == bindparam("model"))
    if shape.statuses:
        conditions.append(SessionRow.status.in_(bindparam("statuses", expanding=True)))
    if shape.scope is not None:
        conditions.append(_visible(shape.scope))
    return conditions


@lru_cache(maxsize=CACHED_SHAPES)
def _visible(shape: ScopeShape) -> ColumnElement[bool]:
    return _visibility(shape, None)


def _visibility(shape: ScopeShape, given: dict[str, Any] | None) -> ColumnElement[bool]:
    """The scope's condition; its values are bound when a statement runs (`given` None) or carried in."""

    def value(name: str) -> Any:
        return bindparam(name) if given is None else bindparam(name, given[name], unique=True)

    if shape.everything:
        return true()
    either: list[ColumnElement[bool]] = []
    if shape.owner:
        either.append(SessionRow.owner_id == value("scope_owner"))
    if shape.team:
        either.append(SessionRow.team == value("scope_team"))
    if shape.candidate_email:
        candidates = select(CandidateRow.id).where(CandidateRow.email_key == value("scope_candidate_email"))
        either.append(SessionRow.candidate_id.in_(candidates.scalar_subquery()))
    if shape.interviewer_email:
        assigned = (
            select(SessionInterviewerRow.session_id)
            .join(TeamMemberRow, TeamMemberRow.id == SessionInterviewerRow.member_id)
            .where(func.lower(TeamMemberRow.email) == value("scope_interviewer_email"))
        )
        either.append(SessionRow.id.in_(assigned.scalar_subquery()))
    return or_(false(), *either)


def _part(part: Part) -> list[ColumnElement[bool]]:
    conditions: dict[Part, list[ColumnElement[bool]]] = {
        Part.ALL: [],
        Part.SCORED: [SessionRow.overall_score.is_not(None)],
        Part.UNSCORED: [SessionRow.overall_score.is_(None)],
        Part.NAMED: [SessionRow.candidate_id.is_not(None)],
        Part.UNNAMED: [SessionRow.candidate_id.is_(None)],
    }
    return conditions[part]


def _order(shape: Shape, part: Part) -> list[ColumnElement[Any]]:
    """Sort column (missing values last either way), then newest first so pages are stable."""
    newest: list[ColumnElement[Any]] = [SessionRow.created_at.desc(), SessionRow.id.desc()]
    if part in (Part.UNSCORED, Part.UNNAMED):
        return newest
    if part is Part.SCORED:
        score = SessionRow.overall_score
        return [score.desc() if shape.descending else score.asc(), *newest]
    if part is Part.NAMED:
        return [CandidateRow.name.desc() if shape.descending else CandidateRow.name.asc(), *newest]
    column: InstrumentedAttribute[Any] = {
        SortKey.DATE: SessionRow.created_at,
        SortKey.SCORE: SessionRow.overall_score,
        SortKey.CANDIDATE: CandidateRow.name,
        SortKey.PROBLEM: SessionRow.problem_title,
    }[shape.sort]
    direction = column.desc() if shape.descending else column.asc()
    if shape.sort is SortKey.DATE:
        return [direction, SessionRow.id.desc() if shape.descending else SessionRow.id.asc()]
    return [direction.nulls_last(), *newest]
