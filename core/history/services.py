"""History: find past interviews, read one in full, follow a candidate's scores, compare two.

The list is filtered, sorted and paged by the database (the repository turns a HistoryQuery
into one WHERE/ORDER BY/LIMIT/OFFSET and a COUNT with the same WHERE), so a workspace with
10,000 interviews costs the page one page of rows. Unscored interviews (no evaluation, or
one the evaluator refused to score) have no overall score: they never match a score range
and sort last whichever way scores are sorted.

The query itself (HistoryQuery) is a domain type in core.models, so storage/ can read it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from core.errors import ContentError
from core.evaluation.utterances import transcript_lines
from core.models import (
    Candidate,
    Evaluation,
    HistoryQuery,
    MediaFile,
    Message,
    Session,
    SessionScope,
    SessionSummary,
    SortKey,
    TranscriptEntry,
    WhiteboardSnapshot,
)
from core.permissions.access import authorize_view
from core.permissions.actor import Actor
from core.workspace import Workspace

if TYPE_CHECKING:
    from core.content.problems import Problem
    from core.unit_of_work import UnitOfWork

TREND_LIMIT = 200  # attempts shown in a candidate's trend; nobody practises more than that


@dataclass
class HistoryPage:
    items: list[SessionSummary]
    total: int
    page: int  # the page shown: the one asked for, or the last one when it was past the end
    pages: int  # at least 1, so "page 1 of 1" reads right for an empty result
    first: int = 1  # the position of the page's first row among every match, from 1


@dataclass(frozen=True)
class InterviewerOption:
    provider: str
    model: str | None

    @property
    def label(self) -> str:
        return self.provider if self.model is None else f"{self.provider} · {self.model}"


@dataclass
class SessionDetail:
    """Everything History shows about one interview, read in one transaction."""

    session: Session
    problem: Problem | None  # None when the problem has left the bank since
    candidate: Candidate | None
    messages: list[Message]
    transcript: list[TranscriptEntry]
    snapshots: list[WhiteboardSnapshot]  # oldest first
    evaluation: Evaluation | None  # None as well while the person looking may not see it (evaluation_withheld)
    media: list[MediaFile]
    evaluation_withheld: bool = False  # there is one, but it waits for a reviewer before this person sees it

    @property
    def title(self) -> str:
        return self.problem.title if self.problem else self.session.problem_title or self.session.problem_id

    @property
    def transcript_lines(self) -> list[TranscriptEntry]:
        """What was said and what was typed in the chat, in time order: the transcript panel's lines."""
        return transcript_lines(self.session, self.messages, self.transcript)


@dataclass
class Attempt:
    session_id: str
    number: int  # 1 for the candidate's first scored interview
    created_at: datetime
    problem_title: str
    overall_score: float | None
    scores: dict[str, float | None]  # competency key → score (None: not scored)


@dataclass
class CandidateTrend:
    candidate: Candidate
    attempts: list[Attempt]  # oldest first, only interviews with an evaluation
    competencies: dict[str, str] = field(default_factory=dict)  # key → name, in rubric order


@dataclass
class CompetencyDelta:
    key: str
    name: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        """b − a: positive when the second interview scored higher."""
        return None if self.a is None or self.b is None else round(self.b - self.a, 2)


@dataclass
class Comparison:
    a: SessionDetail
    b: SessionDetail
    overall: CompetencyDelta
    competencies: list[CompetencyDelta]


def search_history(ws: Workspace, query: HistoryQuery) -> HistoryPage:
    """One page of interviews matching the query, and how many match in all.

    A page past the end (the list shrank since the page was chosen) shows the last page.
    """
    with ws.uow_factory() as uow:
        return _search(uow, query)


def browse_history(
    ws: Workspace, query_for: Callable[[list[InterviewerOption]], HistoryQuery | None], *, scope: SessionScope
) -> tuple[list[InterviewerOption], HistoryPage | None]:
    """The interviewer filter's choices, then the page the filters ask for, in one unit of work.

    `query_for` gets the choices (empty exactly when the person may see no interview) and returns the query, or
    None for no page. One unit of work, not two, spares History's every rerun a connection check and a rollback.
    """
    with ws.uow_factory() as uow:
        choices = [InterviewerOption(p, m) for p, m in uow.sessions.interviewers(scope)]
        query = query_for(choices)
        return choices, _search(uow, query) if query is not None else None


def _search(uow: UnitOfWork, query: HistoryQuery) -> HistoryPage:
    items, total = uow.sessions.search_counted(query)
    pages = max(1, math.ceil(total / query.page_size))
    if query.page > pages:  # the list shrank since the page was chosen
        query = replace(query, page=pages)
        items, total = uow.sessions.search_counted(query)
        pages = max(1, math.ceil(total / query.page_size))
    return HistoryPage(items=items, total=total, page=query.page, pages=pages, first=query.offset + 1)


def interviewer_options(ws: Workspace, *, scope: SessionScope | None = None) -> list[InterviewerOption]:
    """The providers and models that ran the interviews the person may see (`scope`), for the filter's choices;
    empty exactly when they may see none."""
    with ws.uow_factory() as uow:
        return [InterviewerOption(p, m) for p, m in uow.sessions.interviewers(scope)]


def session_detail(ws: Workspace, session_id: str, *, actor: Actor) -> SessionDetail:
    """Raises NotFound for an unknown id (e.g. a stale bookmark), AccessDenied (worded the same) for someone
    who may not see the session. The evaluation is left out for someone who may not see it yet: the candidate,
    until a reviewer releases it."""
    with ws.uow_factory() as uow:
        return _detail(ws, uow, uow.sessions.get(session_id), actor)


def candidate_trend(ws: Workspace, candidate_id: str, *, scope: SessionScope | None = None) -> CandidateTrend:
    """The candidate's evaluated interviews, oldest first, with each competency's score; with `scope`, only
    those the person looking may see (a reviewer of one team never sees another team's scores here)."""
    query = HistoryQuery(
        candidate_id=candidate_id, sort=SortKey.DATE, descending=False, page_size=TREND_LIMIT, scope=scope
    )
    with ws.uow_factory() as uow:
        candidate = uow.candidates.get(candidate_id)
        summaries = uow.sessions.search(query)
        evaluations = [(s, uow.evaluations.for_session(s.id)) for s in summaries]
    trend = CandidateTrend(candidate=candidate, attempts=[])
    for summary, evaluation in evaluations:
        if evaluation is None:
            continue
        for c in evaluation.competencies:
            trend.competencies.setdefault(c.key, c.name)
        trend.attempts.append(
            Attempt(
                session_id=summary.id,
                number=len(trend.attempts) + 1,
                created_at=summary.created_at,
                problem_title=summary.problem_title,
                overall_score=summary.overall_score,
                scores={c.key: c.score for c in evaluation.competencies},
            )
        )
    return trend


def compare_sessions(ws: Workspace, a: str, b: str, *, actor: Actor) -> Comparison:
    """Two interviews side by side: each competency's score in both, and the change from a to b. Refused like
    `session_detail` when either may not be seen; an evaluation the actor may not see yet counts as none."""
    with ws.uow_factory() as uow:
        first = _detail(ws, uow, uow.sessions.get(a), actor)
        second = _detail(ws, uow, uow.sessions.get(b), actor)
    scores_a = _scores(first.evaluation)
    scores_b = _scores(second.evaluation)
    names = {key: name for key, (name, _) in (scores_b | scores_a).items()}
    keys = list(scores_a) + [k for k in scores_b if k not in scores_a]
    return Comparison(
        a=first,
        b=second,
        overall=CompetencyDelta("overall", "Overall", _overall(first.evaluation), _overall(second.evaluation)),
        competencies=[
            CompetencyDelta(key, names[key], scores_a.get(key, (key, None))[1], scores_b.get(key, (key, None))[1])
            for key in keys
        ],
    )


def _overall(evaluation: Evaluation | None) -> float | None:
    return None if evaluation is None else evaluation.overall_score


def _scores(evaluation: Evaluation | None) -> dict[str, tuple[str, float | None]]:
    if evaluation is None:
        return {}
    return {c.key: (c.name, c.score) for c in evaluation.competencies}


def _detail(ws: Workspace, uow: UnitOfWork, session: Session, actor: Actor) -> SessionDetail:
    """Checks `actor` may see the session (AccessDenied otherwise) and reads it, in the caller's transaction."""
    sees_evaluation = authorize_view(uow, ws.settings, actor, session)
    session_id = session.id
    evaluation = uow.evaluations.for_session(session_id)
    withheld = evaluation is not None and not sees_evaluation
    candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
    try:
        problem = ws.problems.get(session.problem_id)
    except ContentError:
        problem = None
    snapshots = sorted(
        uow.whiteboards.in_session(session_id),
        key=lambda s: (s.created_at.timestamp() if s.created_at else 0.0, s.id or 0),
    )
    return SessionDetail(
        session=session,
        problem=problem,
        candidate=candidate,
        messages=uow.messages.in_session(session_id),
        transcript=uow.transcripts.in_session(session_id),
        snapshots=snapshots,
        evaluation=None if withheld else evaluation,
        media=uow.media.in_session(session_id),
        evaluation_withheld=withheld,
    )
