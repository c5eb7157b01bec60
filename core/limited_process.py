"""Running untrusted work in a fresh Python process under a hard time and memory limit.

Some input can make a library spin or allocate without bound (a hostile PDF page, an email template
that repeats a string three billion times) and Python cannot interrupt that from another thread. So
the work runs in a child, `python -I -c …` (see core/candidates/resume_process.py for why a fresh
interpreter and not multiprocessing), which caps its own address space (RLIMIT_AS) and CPU time
(RLIMIT_CPU) before it looks at the input, while the parent waits at most a wall-clock limit and then
kills it. The request goes in on stdin and the answer comes back on stdout; what each child reads and
answers is up to its module's `child_main`.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]  # the folder holding the `core` package
_MODULE = re.compile(r"^core(\.[a-z_][a-z0-9_]*)+$")

# What the kernel sends a process over its soft RLIMIT_CPU.
CPU_SIGNALS = frozenset({signal.SIGXCPU}) if hasattr(signal, "SIGXCPU") else frozenset()


def child_code(module: str) -> str:
    """The `python -c` program that runs `module.child_main()`, finding `core` through this checkout only."""
    if not _MODULE.match(module):
        raise ValueError(f"not a core module: {module!r}")
    return f"import sys; sys.path.insert(0, {str(_ROOT)!r}); from {module} import child_main; child_main()"


def run_limited(code: str, payload: bytes, *, time_limit: float) -> subprocess.CompletedProcess[bytes]:
    """Run `code` (from child_code) in a fresh interpreter with `payload` on stdin; raises
    subprocess.TimeoutExpired (the child is killed and reaped) when it takes over `time_limit` seconds.

    -I ignores PYTHON* variables, the user's site-packages and the working directory: the child finds
    `core` through the path child_code gives it and nothing else.
    """
    return subprocess.run(
        [sys.executable, "-I", "-c", code],
        input=payload,
        capture_output=True,
        timeout=time_limit,
        check=False,
    )


def killed_for_cpu(done: subprocess.CompletedProcess[bytes]) -> bool:
    """Whether the child was stopped by its CPU-time limit."""
    return done.returncode < 0 and -done.returncode in CPU_SIGNALS


def limit_resources(memory_limit: int, cpu_seconds: int) -> None:
    """In the child: cap this process's address space at what it uses now plus `memory_limit`, and its
    CPU time. Both where the platform has them (Linux; elsewhere the parent's wall-clock limit holds)."""
    try:
        import resource
    except ImportError:
        return
    in_use = _address_space_in_use()
    if in_use is not None:
        _lower(resource, resource.RLIMIT_AS, in_use + memory_limit, in_use + memory_limit)
    _lower(resource, resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)  # SIGXCPU, then SIGKILL


def _lower(resource: Any, which: int, soft: int, hard: int) -> None:
    """Set a limit's soft and hard values, never above the hard value already in force."""
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    with contextlib.suppress(ValueError, OSError):  # then the wall-clock limit is what holds
        resource.setrlimit(which, (soft, hard))


def peak_rss_kb() -> int | None:
    """This process's peak resident memory in KB: VmHWM, which counts this program only (rusage's
    maxrss can include the memory of the process that started it, from before the exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _address_space_in_use() -> int | None:
    """Bytes of address space mapped by this process (Linux), or None where that can't be read."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None
