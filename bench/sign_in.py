"""What signing in and the access policy add to a page run: measured on the real database.

Every page run resolves the browser's sign-in (core.accounts.sign_in.resume: one token lookup and one
account read, a write at most once a minute) and every page that opens a session asks the policy
(core.permissions.access.require: the session, its candidate, its assigned interviewers and its release,
then core.permissions.policy.may). History adds the person's scope to its one query. Printed: median and
95th percentile per call over --runs calls, for a workspace holding --sessions interviews.
Target (issue 15): sign-in plus the policy check add at most 5 ms to a page run.

    .venv/bin/python bench/sign_in.py [--runs 500] [--sessions 2000] [--postgres]

With --postgres it runs on a throwaway database created (and dropped) on the server of TEST_POSTGRES_URL.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.accounts.services import add_account
from core.accounts.sign_in import resume, sign_in_with_password
from core.config import Settings
from core.history.services import search_history
from core.models import Candidate, HistoryQuery, Session, SessionStatus
from core.permissions.access import require
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction, scope
from entry.bootstrap import build_workspace

PASSWORD = "a bench password"
SET_UP = Actor.workspace("bench set-up")
DEFAULT_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def timed(call: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL database, not SQLite")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as runtime, database(args.postgres) as url:
        run(Settings(runtime_dir=Path(runtime), database_url=url), args)


@contextlib.contextmanager
def database(postgres: bool) -> Iterator[str]:
    """ "" (SQLite in the runtime folder), or a new PostgreSQL database dropped afterwards."""
    if not postgres:
        yield ""
        return
    admin_url = make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES))
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"iw_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(settings: Settings, args: argparse.Namespace) -> None:
    ws = build_workspace(settings)
    ana = add_account(ws, email="ana@bench.test", name="Ana", roles=["candidate"], password=PASSWORD, actor=SET_UP)
    rita = add_account(ws, email="rita@bench.test", name="Rita", roles=["reviewer"], team="core", actor=SET_UP)
    with ws.uow_factory() as uow:
        uow.candidates.add(Candidate(id="c-ana", name="Ana", email="ana@bench.test"))
        for i in range(args.sessions):
            owner, team = (ana.id, "") if i % 10 == 0 else (None, "core" if i % 2 else "growth")
            uow.sessions.add(
                Session(id=f"s{i:05d}", problem_id="url_shortener", owner_id=owner, team=team,
                        candidate_id="c-ana" if i % 10 == 0 else None, status=SessionStatus.COMPLETED)
            )  # fmt: skip
        uow.commit()
    token = sign_in_with_password(ws, "ana@bench.test", PASSWORD).token
    engine = "PostgreSQL" if args.postgres else "SQLite (file)"
    print(f"{engine}, {args.sessions:,} interviews, {args.runs} calls each (ms per call: median / p95)")
    rows = [
        ("sign-in check (resume the cookie's token)", lambda: resume(ws, token)),
        ("policy: open one's own session (require VIEW)", lambda: require(ws, ana, SessionAction.VIEW, "s00000")),
        (
            "policy: evaluation of a team session (REVIEW)",
            lambda: require(ws, rita, SessionAction.REVIEW, "s00001"),
        ),
        ("policy: the person's scope (no database)", lambda: scope(rita)),
    ]
    total = 0.0
    for label, call in rows:
        median, p95 = timed(call, args.runs)
        total += median if "scope" not in label else 0.0
        print(f"  {label:50} {median:6.2f} / {p95:6.2f}")
    page_unscoped = timed(lambda: search_history(ws, HistoryQuery(page_size=25)), max(50, args.runs // 5))
    page_scoped = timed(
        lambda: search_history(ws, HistoryQuery(page_size=25, scope=scope(rita))), max(50, args.runs // 5)
    )
    print(f"  {'History page query, everyone (admin)':50} {page_unscoped[0]:6.2f} / {page_unscoped[1]:6.2f}")
    print(f"  {'History page query, a reviewer’s team scope':50} {page_scoped[0]:6.2f} / {page_scoped[1]:6.2f}")
    sign_in_and_one_check = timed(
        lambda: (resume(ws, token), require(ws, ana, SessionAction.VIEW, "s00000")), args.runs
    )
    print(f"sign-in + one session check per page run: median {sign_in_and_one_check[0]:.2f} ms, "
          f"p95 {sign_in_and_one_check[1]:.2f} ms (target ≤ 5 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
