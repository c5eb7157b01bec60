"""Run a server as a child process for a test: start it, wait until it answers, stop it afterwards."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any


class DidNotStart(RuntimeError):
    """The child exited or did not answer in time; the message carries its log."""


@contextlib.contextmanager
def serving(
    command: Sequence[str], *, ready: Callable[[], bool], log_path: Path, timeout: float, what: str, **popen: Any
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `command` (output to `log_path`), poll `ready` (an OSError counts as not yet) until it is true."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, **popen)
        try:
            deadline = time.monotonic() + timeout
            while True:
                with contextlib.suppress(OSError):
                    if ready():
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise DidNotStart(f"{what} did not start:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.1)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
