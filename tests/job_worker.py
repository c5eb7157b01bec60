"""A real job worker inside the test process: Huey's consumer (threads) on an in-memory broker.

For tests that need jobs to run without starting a worker process: the consumer, the queue and
the runner are the real ones; only the broker is Huey's MemoryHuey instead of SQLite or Redis.
The integration suite also runs `python -m core worker` as a process (tests/integration/jobs).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from huey import MemoryHuey

from core.workspace import Workspace
from entry.job_queue import HueyJobQueue


class WorkerThreads:
    """Works on `queue` (an app's own, say the SQLite one of the pages' workspace), or on a new in-memory
    queue whose jobs run in `workspace`."""

    def __init__(
        self,
        workspace: Callable[[], Workspace] | None = None,
        *,
        queue: HueyJobQueue | None = None,
        workers: int = 2,
    ) -> None:
        if queue is None:
            assert workspace is not None, "give the workspace the jobs run in, or a queue"
            queue = HueyJobQueue(MemoryHuey("tests", results=False), workspace)
        self.queue = queue
        self._consumer = self.queue.huey.create_consumer(workers=workers, periodic=False, max_delay=0.05)
        self._consumer._set_signal_handlers = lambda: None  # the test process keeps its own Ctrl-C

    def __enter__(self) -> WorkerThreads:
        self._consumer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._consumer.stop(graceful=True)
