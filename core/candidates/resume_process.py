"""Resume uploads read in a child process, under a hard time and memory limit.

`read_resume` (resume_file) bounds what it can, but one hostile PDF page can keep pypdf busy for a
minute and a few hundred MB. So the server never reads an upload itself: `read_resume_isolated`
runs `read_resume` in a fresh Python process, which caps its own address space (RLIMIT_AS) and CPU
time (RLIMIT_CPU) before it looks at the file, while the server waits at most
PARSE_TIME_LIMIT_SECONDS and then kills it. A file that runs into either limit is refused with a
message saying so; nothing of it is stored.

Why a fresh `python -I -c …` per upload, not multiprocessing, a warm worker or a size threshold
(bench/resume_parsing.py measures it): the child adds ~0.15 s to a PDF upload (interpreter start
and pypdf import) and ~0.06 s to a text upload (pypdf is not imported), once per upload, which is
small next to the upload itself. multiprocessing is slower here, not faster: "spawn" starts the same
interpreter and then also imports the parent's `__main__` script (under Streamlit, all of
streamlit.web.cli), and "forkserver" does that import in every child on Python 3.11 (its
`__main__` preload never happens): ~0.3 s per upload. A warm worker would save ~0.1 s per upload at
the price of a long-lived process to restart, feed one request at a time and guard. And file size
says nothing: the hostile PDF pages were 9-200 KB.
"""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from core.candidates.resume_file import (
    MAX_PDF_PAGES,
    MAX_RESUME_BYTES,
    MAX_TEXT_CHARS,
    PDF,
    TEXT,
    ContentType,
    ResumeText,
    check_size,
    display_name,
    looks_like_pdf,
    read_resume,
)
from core.errors import ResumeError
from core.limited_process import child_code, killed_for_cpu, limit_resources, peak_rss_kb, run_limited

logger = logging.getLogger(__name__)

# Real resumes stay far below both (20 dense pages: ~0.1 s; a 4 MB PDF with images: ~10 MB more
# address space); hostile pages measured 6-90 s and 70-400 MB. They stop those, nothing else.
PARSE_TIME_LIMIT_SECONDS = 5.0  # wall clock, from starting the child to its answer
PARSE_MEMORY_LIMIT_BYTES = 256 * 1024 * 1024  # address space the child may add once started
MAX_CONCURRENT_PARSES = 2  # more uploads at once wait their turn: at most this many children run

_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_PARSES)
_CHILD_CODE = child_code("core.candidates.resume_process")  # its child_main reads the file
_LOGGER_RELAYED = "core.candidates.resume_file"  # the child's log records from here reach the server's log


def read_resume_isolated(
    filename: str,
    data: bytes,
    *,
    max_bytes: int = MAX_RESUME_BYTES,
    max_pages: int = MAX_PDF_PAGES,
    max_chars: int = MAX_TEXT_CHARS,
    time_limit: float | None = None,
    memory_limit: int | None = None,
) -> ResumeText:
    """`read_resume` in a child process: the same answer or `ResumeError`, within hard limits.

    time_limit (seconds, wall clock) and memory_limit (bytes of address space) default to the
    module's PARSE_TIME_LIMIT_SECONDS and PARSE_MEMORY_LIMIT_BYTES, read at call time.
    """
    if max_bytes <= 0 or max_pages <= 0 or max_chars <= 0:
        raise ValueError("max_bytes, max_pages and max_chars must be positive")
    time_limit = PARSE_TIME_LIMIT_SECONDS if time_limit is None else time_limit
    memory_limit = PARSE_MEMORY_LIMIT_BYTES if memory_limit is None else memory_limit
    if time_limit <= 0 or memory_limit <= 0:
        raise ValueError("time_limit and memory_limit must be positive")
    check_size(filename, len(data), max_bytes)  # too large or empty: no child needed to say so
    data = bytes(data)
    name = display_name(filename)
    request = {
        "filename": filename,
        "max_bytes": max_bytes,
        "max_pages": max_pages,
        "max_chars": max_chars,
        "memory_limit": memory_limit,
        "cpu_seconds": math.ceil(time_limit) + 1,  # a backstop: the wall-clock limit comes first
    }
    payload = json.dumps(request).encode() + b"\n" + data
    with _SLOTS:
        started = time.monotonic()
        try:
            done = run_limited(_CHILD_CODE, payload, time_limit=time_limit)
        except subprocess.TimeoutExpired:  # run() has killed the child and waited for it
            logger.info("Resume refused (too-slow): not read within %.1f s", time_limit)
            raise ResumeError(_too_slow(name, looks_like_pdf(data))) from None
    answer = _answer(done)
    _relay_logs(answer.logs)
    logger.debug(
        "resume read in a child process",
        extra={
            "status": answer.status,
            "seconds": round(time.monotonic() - started, 3),
            "child_peak_kb": answer.peak_kb,
        },
    )
    if answer.status == "ok":
        return answer.result(max_chars)
    if answer.status == "refused" and answer.message:
        raise ResumeError(answer.message)
    if answer.status == "memory" or (answer.status == "crashed" and "MemoryError" in answer.detail):
        logger.info("Resume refused (too-much-memory): over %d MB", memory_limit // 2**20)
        raise ResumeError(_too_big(name, looks_like_pdf(data)))
    if answer.status == "crashed" and killed_for_cpu(done):
        logger.info("Resume refused (too-slow): CPU limit of %d s", request["cpu_seconds"])
        raise ResumeError(_too_slow(name, looks_like_pdf(data)))
    # never the file name in a log line: it often holds the person's name
    logger.warning("Resume could not be read (%s): %s", answer.status, answer.detail)
    raise ResumeError(
        f"{name} could not be read. Export it again from your editor, or save your resume as plain "
        "text, and upload the new file."
    )


def _too_slow(name: str, pdf: bool) -> str:
    return _over_a_limit(name, pdf, "took too long to read")


def _too_big(name: str, pdf: bool) -> str:
    return _over_a_limit(name, pdf, "needs too much memory to read")


def _over_a_limit(name: str, pdf: bool, problem: str) -> str:
    subject = "This PDF" if pdf else "This file"
    if name != display_name(""):  # "The file" when the upload had no usable name
        subject += f" ({name})"
    advice = (
        "Export your resume again as a simple PDF (no unusual fonts or heavy graphics) or save it as "
        "plain text, and upload that."
        if pdf
        else "Save your resume as plain text (UTF-8) and upload that."
    )
    return f"{subject} {problem}, so it was not used. {advice}"


@dataclass(frozen=True)
class _Answer:
    status: str  # ok | refused | memory | error (read_resume raised something else) | crashed (no answer)
    fields: dict[str, Any]
    message: str = ""
    detail: str = ""
    logs: tuple[tuple[str, int, str], ...] = ()
    peak_kb: int | None = None  # the child's peak resident memory, as it measured it

    def result(self, max_chars: int) -> ResumeText:
        content_type: ContentType = PDF if self.fields.get("content_type") == PDF else TEXT
        pages = self.fields.get("pages")
        return ResumeText(
            text=str(self.fields.get("text", ""))[:max_chars],
            content_type=content_type,
            pages=pages if isinstance(pages, int) else None,
            truncated=bool(self.fields.get("truncated")),
        )


def _answer(done: subprocess.CompletedProcess[bytes]) -> _Answer:
    """The child's answer, checked: whatever it printed is data, never trusted to be well formed."""
    stderr_tail = done.stderr[-600:].decode("utf-8", "replace").strip()
    try:
        raw = json.loads(done.stdout)
    except ValueError:
        raw = None
    if done.returncode != 0 or not isinstance(raw, dict) or raw.get("status") not in _STATUSES:
        return _Answer("crashed", {}, detail=f"exit code {done.returncode}; {stderr_tail or 'no output'}")
    logs = tuple(
        (_LOGGER_RELAYED, level, message)
        for item in raw.get("logs", [])
        if isinstance(item, list) and len(item) == 2
        for level, message in [item]
        if isinstance(level, int) and isinstance(message, str)
    )
    peak = raw.get("peak_rss_kb")
    return _Answer(
        raw["status"],
        raw,
        message=str(raw.get("message", "")),
        detail=str(raw.get("detail", "")),
        logs=logs,
        peak_kb=peak if isinstance(peak, int) else None,
    )


_STATUSES = frozenset({"ok", "refused", "memory", "error"})


def _relay_logs(logs: tuple[tuple[str, int, str], ...]) -> None:
    for logger_name, level, message in logs:
        logging.getLogger(logger_name).log(level, "%s", message)


# --------------------------------------------------------------------------------------------
# The child
# --------------------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[list[object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append([record.levelno, record.getMessage()[:2000]])


def child_main() -> None:
    """Entry of the child: request on stdin (a JSON line, then the file), answer as JSON on stdout."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # anything printed while reading must not mix into the answer
    header, _, data = sys.stdin.buffer.read().partition(b"\n")
    request = json.loads(header)
    if looks_like_pdf(data):
        import pypdf  # noqa: F401  (imported before the limit, so the budget is all for the file)
    limit_resources(int(request["memory_limit"]), int(request["cpu_seconds"]))

    collected = _Collect()
    relayed = logging.getLogger(_LOGGER_RELAYED)
    relayed.addHandler(collected)
    relayed.setLevel(logging.DEBUG)
    relayed.propagate = False
    answer: dict[str, object]
    try:
        result = read_resume(
            request["filename"],
            data,
            max_bytes=request["max_bytes"],
            max_pages=request["max_pages"],
            max_chars=request["max_chars"],
        )
        answer = {
            "status": "ok",
            "text": result.text,
            "content_type": result.content_type,
            "pages": result.pages,
            "truncated": result.truncated,
        }
    except ResumeError as exc:
        answer = {"status": "refused", "message": str(exc)}
    except MemoryError:
        answer = {"status": "memory"}
    except Exception as exc:
        answer = {"status": "error", "detail": f"{type(exc).__name__}: {str(exc)[:300]}"}
    answer["logs"] = collected.records
    answer["peak_rss_kb"] = peak_rss_kb()
    out.write(json.dumps(answer).encode())
    out.flush()
