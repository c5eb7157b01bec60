"""A small, fully known History for tests: three candidates, six interviews, four scored.

Built through the unit of work, so the same rows exist in the fake, in SQLite and in
PostgreSQL. Sessions are named s1…s6 in creation order (one day apart from T0).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.models import (
    Candidate,
    CompetencyScore,
    Evaluation,
    HistoryQuery,
    Message,
    Role,
    Session,
    SessionStatus,
    SortKey,
    TranscriptEntry,
    WhiteboardSnapshot,
)
from core.unit_of_work import UnitOfWork

T0 = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
URL = ("url_shortener", "Design a URL Shortener")
PAY = ("payment_system", "Design a Payment System")
CHAT = ("chat_messaging", "Design a Chat System")

# (name, candidate, problem, interviewer, status, overall score; None: no evaluation)
ROWS: list[tuple[str, str | None, tuple[str, str], tuple[str, str | None], SessionStatus, float | None]] = [
    ("s1", "ada", URL, ("offline", None), SessionStatus.COMPLETED, 4.5),
    ("s2", "ada", PAY, ("openai", "gpt-4o"), SessionStatus.COMPLETED, 2.0),
    ("s3", "alan", URL, ("openai", "gpt-4o-mini"), SessionStatus.COMPLETED, 3.5),
    ("s4", "alan", CHAT, ("anthropic", "claude"), SessionStatus.CANCELLED, None),
    ("s5", "grace", PAY, ("offline", None), SessionStatus.ACTIVE, None),
    ("s6", None, URL, ("offline", None), SessionStatus.COMPLETED, 3.0),
]
NAMES = {"ada": "Ada Lovelace", "alan": "Alan Turing", "grace": "Grace Hopper"}


@dataclass
class History:
    sessions: dict[str, str]  # s1… → session id
    candidates: dict[str, str]  # ada… → candidate id

    def ids(self, *names: str) -> list[str]:
        return [self.sessions[n] for n in names]


def evaluation(session_id: str, overall: float | None) -> Evaluation:
    """Two competencies: requirements = overall, scalability = overall − 1 (so trends move)."""
    score = overall if overall is not None else 3.0
    return Evaluation(
        session_id=session_id,
        overall_score=overall,  # type: ignore[arg-type]  # None: refused by a quality gate
        competencies=[
            CompetencyScore(key="requirements", name="Requirements", score=score, confidence=0.8),
            CompetencyScore(key="scalability", name="Scalability", score=max(1.0, score - 1), confidence=0.6),
        ],
    )


def build_history(uow_factory: Callable[[], UnitOfWork], *, with_details: bool = True) -> History:
    candidates = {key: uuid.uuid4().hex for key in NAMES}
    sessions: dict[str, str] = {}
    with uow_factory() as uow:
        for key, cid in candidates.items():
            uow.candidates.add(Candidate(id=cid, name=NAMES[key], created_at=T0 - timedelta(days=30)))
        for day, (name, who, (problem_id, title), (provider, model), status, score) in enumerate(ROWS):
            created = T0 + timedelta(days=day)
            session = Session(
                id=uuid.uuid4().hex,
                problem_id=problem_id,
                problem_title=title,
                candidate_id=candidates[who] if who else None,
                interviewer_provider=provider,
                interviewer_model=model,
                status=status,
                created_at=created,
                started_at=created + timedelta(minutes=1),
                ended_at=created + timedelta(minutes=31) if status is not SessionStatus.ACTIVE else None,
            )
            uow.sessions.add(session)
            sessions[name] = session.id
            if score is not None:
                uow.evaluations.add(evaluation(session.id, score))
            if with_details:
                uow.messages.add(Message(session.id, Role.INTERVIEWER, f"Welcome to {title}.", created_at=created))
                uow.messages.add(Message(session.id, Role.CANDIDATE, "How many users?", created_at=created))
                uow.transcripts.add(TranscriptEntry(session.id, "candidate", "We need a cache.", 5.0, 7.5, "mic"))
        first = sessions["s1"]
        # Added out of time order: History must show them oldest first.
        for minutes, shapes in ((20, 3), (5, 1), (12, 2)):
            uow.whiteboards.add(
                WhiteboardSnapshot(
                    first,
                    png_path=None,
                    fabric_json={"objects": [{"type": "Rect"}] * shapes},
                    created_at=T0 + timedelta(minutes=minutes),
                )
            )
        uow.commit()
    return History(sessions=sessions, candidates=candidates)


D = timedelta(days=1)

# Each query and the sessions it lists, in order (with the default page size: everything).
CASES: list[tuple[str, HistoryQuery, list[str]]] = [
    ("everything, newest first", HistoryQuery(), ["s6", "s5", "s4", "s3", "s2", "s1"]),
    ("oldest first", HistoryQuery(descending=False), ["s1", "s2", "s3", "s4", "s5", "s6"]),
    ("part of a name, any case", HistoryQuery(candidate="LOVE"), ["s2", "s1"]),
    ("a first name", HistoryQuery(candidate=" alan "), ["s4", "s3"]),
    ("LIKE wildcards are literal", HistoryQuery(candidate="%"), []),
    ("no such candidate", HistoryQuery(candidate="Hamilton"), []),
    ("problems", HistoryQuery(problem_ids=("payment_system", "chat_messaging")), ["s5", "s4", "s2"]),
    ("from a day on", HistoryQuery(created_from=T0 + 4 * D), ["s6", "s5"]),
    ("up to a day (exclusive)", HistoryQuery(created_to=T0 + 2 * D), ["s2", "s1"]),
    ("a date range", HistoryQuery(created_from=T0 + D, created_to=T0 + 3 * D), ["s3", "s2"]),
    ("score at least 3", HistoryQuery(score_min=3.0), ["s6", "s3", "s1"]),
    ("score at most 3", HistoryQuery(score_max=3.0), ["s6", "s2"]),
    ("score between", HistoryQuery(score_min=3.0, score_max=4.0), ["s6", "s3"]),
    ("full score range still drops unscored", HistoryQuery(score_min=0.0, score_max=5.0), ["s6", "s3", "s2", "s1"]),
    ("a provider", HistoryQuery(interviewer_provider="openai"), ["s3", "s2"]),
    ("a provider's model", HistoryQuery(interviewer_provider="openai", interviewer_model="gpt-4o"), ["s2"]),
    ("offline", HistoryQuery(interviewer_provider="offline"), ["s6", "s5", "s1"]),
    ("statuses", HistoryQuery(statuses=(SessionStatus.CANCELLED, SessionStatus.ACTIVE)), ["s5", "s4"]),
    (
        "everything at once",
        HistoryQuery(
            candidate="a",
            problem_ids=("url_shortener",),
            created_from=T0,
            score_min=3.5,
            interviewer_provider="openai",
            statuses=(SessionStatus.COMPLETED,),
        ),
        ["s3"],
    ),
    ("best score first, unscored last", HistoryQuery(sort=SortKey.SCORE), ["s1", "s3", "s6", "s2", "s5", "s4"]),
    (
        "lowest score first, unscored still last",
        HistoryQuery(sort=SortKey.SCORE, descending=False),
        ["s2", "s6", "s3", "s1", "s5", "s4"],
    ),
    (
        "candidate A→Z, no candidate last, ties newest first",
        HistoryQuery(sort=SortKey.CANDIDATE, descending=False),
        ["s2", "s1", "s4", "s3", "s5", "s6"],
    ),
    ("candidate Z→A", HistoryQuery(sort=SortKey.CANDIDATE), ["s5", "s4", "s3", "s2", "s1", "s6"]),
    (
        "problem A→Z",
        HistoryQuery(sort=SortKey.PROBLEM, descending=False),
        ["s4", "s5", "s2", "s6", "s3", "s1"],
    ),
    ("second page of four", HistoryQuery(page=2, page_size=4), ["s2", "s1"]),
    ("score sort pages too", HistoryQuery(sort=SortKey.SCORE, page=2, page_size=4), ["s5", "s4"]),
    ("candidate sort pages into no candidate", HistoryQuery(sort=SortKey.CANDIDATE, page=2, page_size=4), ["s1", "s6"]),
    ("a page of only no candidate", HistoryQuery(sort=SortKey.CANDIDATE, page=2, page_size=5), ["s6"]),
    # A name's page and its count are read together (SqlSessionRepository.search_counted): the same orders hold.
    (
        "a name, best score first, unscored last",
        HistoryQuery(candidate="a", sort=SortKey.SCORE),
        ["s1", "s3", "s2", "s5", "s4"],
    ),
    (
        "a name, lowest score first, unscored still last",
        HistoryQuery(candidate="a", sort=SortKey.SCORE, descending=False),
        ["s2", "s3", "s1", "s5", "s4"],
    ),
    ("a name, oldest first", HistoryQuery(candidate="a", descending=False), ["s1", "s2", "s3", "s4", "s5"]),
    (
        "a name's second page by score",
        HistoryQuery(candidate="a", sort=SortKey.SCORE, page=2, page_size=2),
        ["s2", "s5"],
    ),
    ("a candidate's interviews by problem", HistoryQuery(candidate="alan", sort=SortKey.PROBLEM), ["s3", "s4"]),
]
