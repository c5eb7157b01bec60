"""Workspace servers behind Caddy (deploy/Caddyfile) sharing PostgreSQL, Redis and one runtime folder, as a
deployment with replicas runs them. Shared by the replica e2e test and bench/load.py --replicas, so the bench
measures the very set-up the test proves."""

from __future__ import annotations

import contextlib
import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import redis

from tests.child_process import serving
from tests.integration.conftest import DEFAULT_TEST_POSTGRES_URL, DEFAULT_TEST_REDIS_URL, PostgresServer
from tests.workspace_server import ROOT, free_port, workspace_server

CADDY = shutil.which("caddy")
REDIS_DB = 9  # the replica e2e test's; the integration tests use 10 and up
HEALTH_INTERVAL_SECONDS = 2  # deploy/Caddyfile's health_interval


class Unavailable(RuntimeError):
    """caddy, PostgreSQL or Redis is missing; the message says which and how to get it."""


def postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)


def redis_server_url() -> str:
    return os.environ.get("TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL).rstrip("/")


def check_available() -> None:
    """Raise Unavailable unless caddy is installed and PostgreSQL and Redis answer (before any set-up starts)."""
    if CADDY is None:
        raise Unavailable("caddy is not installed (Debian: apt-get install caddy)")
    postgres = PostgresServer(postgres_admin_url())
    try:
        postgres.ping()
    except Exception as exc:
        raise Unavailable(f"PostgreSQL is unreachable (set TEST_POSTGRES_URL): {str(exc).splitlines()[0]}") from None
    finally:
        postgres.close()
    try:
        redis.Redis.from_url(redis_server_url(), socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        raise Unavailable(f"Redis at {redis_server_url()} is unreachable (set TEST_REDIS_URL): {exc}") from None


@contextlib.contextmanager
def shared_store(runtime: Path, redis_db: int = REDIS_DB) -> Iterator[dict[str, str]]:
    """A new PostgreSQL database and an emptied Redis database for replicas sharing the folder `runtime`;
    yields DATABASE_URL, REDIS_URL and runtime. Dropped and emptied afterwards, so every use starts clean."""
    check_available()
    postgres = PostgresServer(postgres_admin_url())
    redis_url = f"{redis_server_url()}/{redis_db}"
    broker = redis.Redis.from_url(redis_url)
    broker.flushdb()
    database = postgres.create_database()
    try:
        yield {"DATABASE_URL": database, "REDIS_URL": redis_url, "runtime": str(runtime)}
    finally:
        broker.flushdb()
        broker.close()
        postgres.drop_database(database)
        postgres.close()


@contextlib.contextmanager
def replica(
    shared: dict[str, str],
    name: str,
    port: int,
    *,
    worker: bool,
    pids: dict[str, int] | None = None,
    check_log: bool = True,
) -> Iterator[str]:
    """One workspace server on the shared database, broker and folder; yields its URL. Its log (runtime/<name>.log)
    may hold no traceback afterwards unless `check_log` is False (a bench counts them instead)."""
    runtime = Path(shared["runtime"])
    env = {"REDIS_URL": shared["REDIS_URL"]}
    database = shared["DATABASE_URL"]
    with workspace_server(
        runtime, env, database_url=database, worker=worker, name=name, port=port, pids=pids
    ) as url:  # fmt: skip
        yield url
    if check_log:
        log = (runtime / f"{name}.log").read_text(errors="replace")
        assert "Traceback" not in log, log


@contextlib.contextmanager
def caddy(upstreams: list[str], runtime: Path, pids: dict[str, int] | None = None) -> Iterator[str]:
    """Caddy with deploy/Caddyfile in front of `upstreams` (host:port; sticky by the iw_replica cookie); yields its
    URL once it answers. `pids`, when given, gets its process id as "proxy"."""
    if CADDY is None:
        raise Unavailable("caddy is not installed (Debian: apt-get install caddy)")
    port = free_port()
    env = {**os.environ, "PROXY_PORT": str(port), "REPLICAS": " ".join(upstreams), "HOME": str(runtime)}
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.read() == b"ok")

    command = [CADDY, "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"]
    with serving(command, ready=healthy, log_path=runtime / "caddy.log", timeout=30, what="caddy", env=env) as process:
        if pids is not None:
            pids["proxy"] = process.pid
        yield url
