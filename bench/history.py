"""How fast History is with 10,000 interviews, next to an empty workspace, in the same run.

Fills a fresh SQLite database (and a throwaway PostgreSQL database when TEST_POSTGRES_URL, or
postgres@127.0.0.1:5432, answers) with 10,000 sessions — 1,000 candidates, every problem,
four interviewers, all statuses, evaluations with per-competency scores for the completed
ones — through SQLAlchemy core inserts into our tables (PostgreSQL's then vacuumed and analysed,
as autovacuum leaves a served database). Then prints the query times behind
History and the page's script time under AppTest (list, sorted by score, filtered, an opened
interview), each run in turn with a baseline page so both meet the same moment of a noisy machine,
with the pages compiled once as the server does. Two baselines: the empty workspace (the filter bar,
greyed, and a notice with a link to Setup) and a workspace with one interview (the same filters,
table and pickers). Prints figures; asserts nothing.

    .venv/bin/python bench/history.py [--sessions 10000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bench.compiled_pages import compile_pages_once
from core.accounts.services import add_account
from core.config import Settings
from core.history.services import (
    candidate_trend,
    interviewer_options,
    search_history,
    session_detail,
)
from core.models import HistoryQuery, SessionStatus, SortKey
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from storage.tables import CandidateRow, EvaluationRow, InterviewerChoiceRow, MessageRow, SessionRow

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
ADMIN = "bench-admin@example.com"
INTERVIEWERS = [("offline", None), ("openai", "gpt-4o-mini"), ("anthropic", "claude-3-5-haiku"), ("openai", "gpt-4o")]
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Leslie"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Lamport"]
REPEATS = 7
PAGE_RUNS = 15  # a page run varies more than a query: fewer runs made the empty baseline swing 19-32 ms
CHUNK = 1000


def fill(ws: Workspace, sessions: int, *, seed: int = 7) -> None:
    """Bulk inserts, a few thousand rows per statement: seconds, not the minutes the services would take."""
    rng = random.Random(seed)
    engine = create_engine(ws.settings.effective_database_url, poolclass=NullPool)
    rubric = ws.rubric("system_design")
    problems = ws.problems.all()
    now = datetime.now(UTC)
    candidates = [
        {
            "id": uuid.uuid4().hex,
            "name": f"{FIRST[i % 10]} {LAST[(i // 10) % 10]} {i // 100 + 1}",
            "email": None,
            "created_at": now - timedelta(days=400),
        }
        for i in range(max(1, sessions // 10))
    ]
    session_rows, evaluation_rows, message_rows = [], [], []
    statuses = [SessionStatus.COMPLETED] * 8 + [SessionStatus.CANCELLED, SessionStatus.PAUSED]
    score_nullable = EvaluationRow.__table__.c.overall_score.nullable
    for i in range(sessions):
        created = now - timedelta(days=365) + timedelta(minutes=i * 525_600 / sessions) + timedelta(seconds=i % 60)
        provider, model = INTERVIEWERS[i % len(INTERVIEWERS)]
        problem = problems[i % len(problems)]
        status = statuses[rng.randrange(len(statuses))]
        sid = uuid.uuid4().hex
        session_rows.append(
            {
                "id": sid,
                "problem_id": problem.id,
                "problem_title": problem.title,
                "kind": "system_design",
                "candidate_id": candidates[rng.randrange(len(candidates))]["id"],
                "interviewer_provider": provider,
                "owner_id": None,
                "team": f"team-{i % 4}",
                "interviewer_model": model,
                "rubric_id": rubric.id,
                "level": rng.choice(["junior", "mid", "senior", "staff"]),
                "modes": ["chat"],
                "status": status.value,
                "stage": "wrap_up",
                "duration_minutes": 45,
                "created_at": created,
                "started_at": created + timedelta(minutes=1),
                "paused_at": created + timedelta(minutes=20) if status is SessionStatus.PAUSED else None,
                "paused_seconds": 0.0,
                "stage_started_at": created + timedelta(minutes=30),
                "ended_at": created + timedelta(minutes=41) if status is not SessionStatus.PAUSED else None,
                "updated_at": created + timedelta(minutes=41),
                "overall_score": None,  # the evaluation's, copied below as the evaluation repository does
            }
        )
        for seq, role in enumerate(("interviewer", "candidate", "interviewer", "candidate"), start=1):
            message_rows.append(
                {
                    "session_id": sid,
                    "seq": seq,
                    "role": role,
                    "content": f"Message {seq} of interview {i}.",
                    "stage": "requirements",
                    "meta": {},
                    "created_at": created + timedelta(minutes=seq),
                }
            )
        if status is not SessionStatus.COMPLETED:
            continue
        scores = {c.key: round(rng.uniform(1.0, 5.0), 1) for c in rubric.competencies}
        refused = score_nullable and rng.random() < 0.03  # the quality gate, once it exists
        overall = None if refused else round(rubric.overall(scores), 2)
        session_rows[-1]["overall_score"] = overall
        evaluation_rows.append(
            {
                "session_id": sid,
                "overall_score": overall,
                "competencies": [
                    {
                        "key": c.key,
                        "name": c.name,
                        "score": scores[c.key],
                        "confidence": 0.7,
                        "rationale": "",
                        "evidence": [],
                    }
                    for c in rubric.competencies
                ],
                "went_well": ["Clear requirements."],
                "went_okay": [],
                "needs_improvement": ["Estimate before designing."],
                "improvement_plan": [],
                "communication": {},
                "notes": [],
                "rubric_id": rubric.id,
                "rubric_version": rubric.version,
                "engine": "offline",
                "model": None,
                "prompt_version": None,
                "created_at": created + timedelta(minutes=42),
            }
        )
    with engine.begin() as connection:
        for table, rows in (
            (CandidateRow, candidates),
            (SessionRow, session_rows),
            (EvaluationRow, evaluation_rows),
            (MessageRow, message_rows),
        ):
            for start in range(0, len(rows), CHUNK):
                connection.execute(insert(table), rows[start : start + CHUNK])
        kept = {(row["interviewer_provider"], row["interviewer_model"] or "") for row in session_rows}
        connection.execute(insert(InterviewerChoiceRow), [{"provider": p, "model": m} for p, m in sorted(kept)])
    if engine.dialect.name == "postgresql":
        # What autovacuum does within a minute of a bulk load on a served database (its insert threshold, from
        # PostgreSQL 13): statistics, and a visibility map that lets counts and DISTINCTs read the index alone.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def timed(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median milliseconds over `repeats` calls, after one warm-up call."""
    action()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def query_times(ws: Workspace) -> dict[str, float]:
    total = search_history(ws, HistoryQuery()).total
    last = max(1, -(-total // 25))
    one = search_history(ws, HistoryQuery(page_size=1)).items
    candidate_id = one[0].candidate_id if one else None
    filtered = HistoryQuery(
        candidate="ada",
        statuses=(SessionStatus.COMPLETED,),
        score_min=3.0,
        score_max=5.0,
        interviewer_provider="openai",
        created_from=datetime.now(UTC) - timedelta(days=180),
    )
    figures = {
        "first page (25, newest first)": timed(lambda: search_history(ws, HistoryQuery())),
        "filtered (name, status, score, interviewer, dates)": timed(lambda: search_history(ws, filtered)),
        "sorted by score, best first": timed(lambda: search_history(ws, HistoryQuery(sort=SortKey.SCORE))),
        "sorted by candidate name": timed(lambda: search_history(ws, HistoryQuery(sort=SortKey.CANDIDATE))),
        f"last page (page {last})": timed(lambda: search_history(ws, HistoryQuery(page=last))),
        "count only (all)": timed(lambda: _count(ws, HistoryQuery())),
        "count only (filtered)": timed(lambda: _count(ws, filtered)),
        "interviewer choices (distinct)": timed(lambda: interviewer_options(ws)),
    }
    if one:
        figures["session detail"] = timed(lambda: session_detail(ws, one[0].id, actor=Actor.workspace("bench")))
    if candidate_id:
        figures["candidate trend"] = timed(lambda: candidate_trend(ws, candidate_id))
    return figures


def _count(ws: Workspace, query: HistoryQuery) -> int:
    with ws.uow_factory() as uow:
        return uow.sessions.count_matching(query)


class HistoryPage:
    """The History page under AppTest, signed in as an admin, on one workspace. Several can be open at once:
    each run points the IW_* variables at its own workspace first (the workspace is built and cached)."""

    def __init__(self, settings: Settings) -> None:
        from streamlit.testing.v1 import AppTest

        self.env = {"IW_RUNTIME_DIR": str(settings.runtime_dir), "IW_DISABLE_MIC": "1"}
        self.env["IW_ACCOUNTS__OIDC_ENABLED"] = "true"  # signed in as the AppTest UI tests are
        self.database_url = settings.database_url
        self._point()
        ws = build_workspace(settings)
        with ws.uow_factory() as uow:
            known = uow.accounts.by_email(ADMIN)
        if known is None:  # an admin sees every interview: the page with the whole workspace behind it
            add_account(ws, email=ADMIN, name="Bench Admin", roles=["admin"], actor=Actor.workspace("bench"))
        self.at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        self.at.user = {"is_logged_in": True, "email": ADMIN, "email_verified": True, "name": "Bench Admin"}
        self.at.run()
        self.at.switch_page("pages/history.py").run()
        if self.at.exception or not self.at.title or self.at.title[0].value != "History":
            raise RuntimeError(f"History did not open: {[e.message for e in self.at.exception]}")

    def _point(self) -> None:
        os.environ.update(self.env)
        if self.database_url:
            os.environ["DATABASE_URL"] = self.database_url
        else:
            os.environ.pop("DATABASE_URL", None)

    def run(self) -> None:
        self._point()
        self.at.run()
        if self.at.exception:
            raise RuntimeError([e.message for e in self.at.exception])


def alternated(empty: HistoryPage, full: HistoryPage, runs: int = PAGE_RUNS) -> tuple[float, float]:
    """Median milliseconds of each page, run in turns so a slower minute of the machine slows both alike."""
    empty.run()
    full.run()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for page, times in ((empty, samples[0]), (full, samples[1])):
            started = time.perf_counter()
            page.run()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples[0]), statistics.median(samples[1])


def page_times(baseline_settings: Settings, full_settings: Settings) -> dict[str, tuple[float, float]]:
    """Each state of the page with every session behind it, timed in turns with the baseline page's list."""
    compile_pages_once()
    empty, full = HistoryPage(baseline_settings), HistoryPage(full_settings)
    figures = {"list (first page)": alternated(empty, full)}
    at = full.at
    full._point()
    at.selectbox(key="history_sort").select(SortKey.SCORE).run()
    figures["list sorted by score"] = alternated(empty, full)
    full._point()
    at.selectbox(key="history_sort").select(SortKey.CANDIDATE).run()
    figures["list sorted by candidate"] = alternated(empty, full)
    full._point()
    at.selectbox(key="history_sort").select(SortKey.SCORE).run()
    full._point()
    at.text_input(key="history_candidate").set_value("ada").run()
    at.multiselect(key="history_statuses").select(SessionStatus.COMPLETED).run()
    figures["list filtered (name + status)"] = alternated(empty, full)
    full._point()
    picker = next(s for s in at.selectbox if s.label == "Open an interview")
    picker.select_index(0).run()
    figures["list + an opened interview (all tabs)"] = alternated(empty, full)
    return figures


def run_backend(label: str, settings_for: Callable[[str], Settings], sessions: int) -> None:
    both = {}
    for size in (0, 1, sessions):
        settings = both[size] = settings_for(f"{label}-{size}")
        ws = build_workspace(settings)
        started = time.perf_counter()
        if size:
            fill(ws, size)
        filled = time.perf_counter() - started
        if size == 1:
            continue  # only a baseline page: the list with its filters and one row
        print(f"\n{label}, {size:,} sessions" + (f" (filled in {filled:.1f} s)" if size > 1 else ""))
        for name, ms in query_times(ws).items():
            print(f"  query  {name:<52} {ms:8.1f} ms")
    # The empty workspace's page shows the filter bar greyed and a notice; one interview adds the table and
    # pickers that 10,000 show too. Both are printed.
    for baseline, what in ((0, "no interview (greyed filters, a notice)"), (1, "one interview (filters and table)")):
        print(f"\n{label}, the History page with {sessions:,} sessions, each run in turn with {what}")
        for name, (base_ms, full_ms) in page_times(both[baseline], both[sessions]).items():
            print(f"  page   {name:<44} {full_ms:8.1f} ms   base {base_ms:6.1f} ms   {full_ms / base_ms:4.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"History with {args.sessions:,} sessions vs none; medians of {REPEATS} queries / {PAGE_RUNS} page runs")
        run_backend("SQLite", lambda name: Settings(runtime_dir=Path(tmp) / name), args.sessions)
        if args.no_postgres:
            return
        admin_url = make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES))
        admin = create_engine(
            admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 3}
        )
        created: list[str] = []
        try:
            with admin.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            print(f"\nPostgreSQL at {admin_url.render_as_string(hide_password=True)} is unreachable: skipped")
            return

        def postgres(name: str) -> Settings:
            db = f"iw_bench_{uuid.uuid4().hex[:12]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{db}"'))
            created.append(db)
            url = admin_url.set(database=db).render_as_string(hide_password=False)
            return Settings(runtime_dir=Path(tmp) / name, database_url=url)

        try:
            run_backend("PostgreSQL", postgres, args.sessions)
        finally:
            with admin.connect() as connection:
                for db in created:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
