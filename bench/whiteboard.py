"""How fast a whiteboard change is stored and read: save_snapshot (PNG + Fabric JSON + row) and the
analysis the interviewer runs on every reply.

The requirement: a snapshot stored within 1 s. Prints figures; asserts nothing.

    .venv/bin/python bench/whiteboard.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.config import Settings
from core.interview.services import create_interview, start_interview
from core.whiteboard.analysis import analyse, read_board
from core.whiteboard.snapshots import latest_analysis, save_snapshot
from entry.bootstrap import build_workspace

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "whiteboard" / "url_shortener.json"
PNG = (Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "whiteboard" / "url_shortener.png").read_bytes()


def timed(action: object, runs: int) -> list[float]:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        action(i)  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    print(f"{name:<34} median {statistics.median(times):7.2f} ms   p95 {ordered[int(0.95 * len(ordered))]:7.2f} ms")


def main() -> None:
    drawing = json.loads(FIXTURE.read_text())
    with tempfile.TemporaryDirectory() as runtime:
        ws = build_workspace(Settings(runtime_dir=Path(runtime)))
        session = create_interview(ws, problem_id="url_shortener")
        start_interview(ws, session.id)

        def changed(i: int) -> None:  # a new object each time, as when drawing
            objects = [*drawing["objects"], {"type": "Rect", "left": i, "top": 0, "width": 10, "height": 10}]
            save_snapshot(ws, session.id, {**drawing, "objects": objects}, PNG)

        print(f"drawing: {len(drawing['objects'])} objects, {len(json.dumps(drawing)) // 1024} KB JSON, "
              f"{len(PNG) // 1024} KB PNG; SQLite")  # fmt: skip
        report("save_snapshot (changed)", timed(changed, 50))
        report("save_snapshot (unchanged, skipped)", timed(lambda i: save_snapshot(ws, session.id, drawing, PNG), 50))
        report("latest_analysis (read + analyse)", timed(lambda i: latest_analysis(ws, session.id), 50))
        report("read_board + analyse (pure)", timed(lambda i: analyse(read_board(drawing), ["cache"]), 200))


if __name__ == "__main__":
    main()
