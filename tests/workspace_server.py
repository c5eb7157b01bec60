"""Start the real workspace (`streamlit run server.py`) on a free loopback port, for e2e tests and benches."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.child_process import DidNotStart, serving

ROOT = Path(__file__).resolve().parents[1]
# Keys a developer may have exported must not leak into a test server.
KEY_VARIABLES = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_COMPATIBLE_API_KEY", "CALCOM_API_KEY")


class ServerDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def workspace_server(
    runtime: Path,
    extra_env: dict[str, str] | None = None,
    *,
    script: str = "server.py",
    database_url: str | None = None,
    worker: bool = True,
    name: str = "server",
    port: int | None = None,
    pids: dict[str, int] | None = None,
    intake: bool = False,
) -> Iterator[str]:
    """Run the server with its data in `runtime` (SQLite unless `database_url`); yield its URL.

    As startup.sh does, a job worker (`python -m core worker`) runs beside it unless `worker` is False.
    The server's output goes to runtime/<name>.log, the worker's to runtime/worker.log (server.log unless
    `name` is given: replicas sharing one runtime folder each name theirs); ServerDidNotStart carries it.
    A REDIS_URL in `extra_env` is the job queue's broker; otherwise the embedded SQLite queue in `runtime`.
    `pids`, when given, gets the process ids of "server" (and "worker") once they run, for a bench that
    samples them. With `intake`, the server is the webhook intake (`python -m core intake`) instead.
    """
    port = port or free_port()
    env = dict(os.environ)
    for variable in (*KEY_VARIABLES, "DATABASE_URL", "REDIS_URL"):
        env.pop(variable, None)
    env.update({"IW_RUNTIME_DIR": str(runtime), "PYTHONUNBUFFERED": "1", **(extra_env or {})})
    if database_url:
        env["DATABASE_URL"] = database_url
    log_path = runtime / f"{name}.log"
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.read() == b"ok")

    command = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    if intake:
        command = [sys.executable, "-m", "core", "intake", "--port", str(port)]
    # As startup.sh: migrate first, so the server and the worker never both migrate at once
    subprocess.run([sys.executable, "-m", "core", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    try:
        with contextlib.ExitStack() as running:
            server = running.enter_context(
                serving(
                    command, ready=answers, log_path=log_path, timeout=60, what="workspace server", cwd=ROOT, env=env
                )
            )
            if pids is not None:
                pids["server"] = server.pid
            if worker:
                job_worker = running.enter_context(
                    serving(
                        [sys.executable, "-m", "core", "worker"],
                        ready=lambda: True,
                        log_path=runtime / ("worker.log" if name == "server" else f"{name}-worker.log"),
                        timeout=60,
                        what="job worker",
                        cwd=ROOT,
                        env=env,
                    )
                )
                if pids is not None:
                    pids["worker"] = job_worker.pid
            yield url
    except DidNotStart as exc:
        raise ServerDidNotStart(str(exc)) from None
