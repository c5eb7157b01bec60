"""How fast a whiteboard change is stored and read: save_snapshot (PNG + Fabric JSON + row) and the
analysis the interviewer runs on every reply; and how the reader scales to boards far larger than a
person draws (5,000 and 10,000 lines and boxes: it once compared every line with every box, 30 s and
more than 120 s).

The requirement: a snapshot stored within 1 s. Prints figures; asserts nothing.

    .venv/bin/python bench/whiteboard.py
"""

from __future__ import annotations

import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.accounts.services import add_account
from core.config import Settings
from core.interview.services import create_interview, start_interview
from core.permissions.actor import Actor
from core.whiteboard.analysis import analyse, arrow_ink, read_board, with_arrow_heads
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


def large_board(count: int, *, stacked: bool = False, seed: int = 15) -> dict[str, Any]:
    """`count` labelled boxes on a square grid and `count` lines (a third of them arrows) between neighbours,
    with a few eraser strokes; `stacked` piles everything into one canvas-sized area (the grid's worst case)."""
    rng = random.Random(seed)
    side = math.ceil(math.sqrt(count))
    pitch = 6.0 if stacked else 160.0
    labels = ["Redis", "Postgres", "LB", "API server", "Kafka", "S3", "worker", "gateway"]
    objects: list[dict[str, Any]] = []
    for i in range(count):
        x, y = (i % side) * pitch, (i // side) * pitch
        objects.append({"type": "Rect", "left": x, "top": y, "width": 100, "height": 60, "stroke": "#1f2937"})
        if i % 4 == 0:
            objects.append(
                {
                    "type": "IText",
                    "originX": "center",
                    "originY": "center",
                    "left": x + 50,
                    "top": y + 30,
                    "width": 60,
                    "height": 20,
                    "text": rng.choice(labels),
                }
            )
    for i in range(count):
        x, y = (i % side) * pitch + 100, (i // side) * pitch + 30
        stroke = arrow_ink("#1f2937") if i % 3 == 0 else "#1f2937"
        gap = pitch - 100
        objects.append(
            {
                "type": "Line",
                "originX": "center",
                "originY": "center",
                "left": x + gap / 2,
                "top": y,
                "x1": -gap / 2,
                "y1": 0,
                "x2": gap / 2,
                "y2": 0,
                "width": gap,
                "height": 0,
                "stroke": stroke,
            }
        )
    for _ in range(max(1, count // 500)):  # the eraser: strokes in the background colour
        x, y = rng.uniform(0, side * pitch), rng.uniform(0, side * pitch)
        path = [["M", x, y], *(["L", x + 12 * k, y + 5 * k] for k in range(1, 20))]
        objects.append(
            {"type": "Path", "left": x, "top": y, "width": 230, "height": 95, "path": path, "stroke": "#ffffff"}
        )
    return with_arrow_heads({"objects": objects, "background": "#ffffff"})


def scaling() -> None:
    """The reader on large boards: read_board + analyse, best of three."""
    for count, stacked in ((1_000, False), (5_000, False), (10_000, False), (5_000, True)):
        board = large_board(count, stacked=stacked)
        times = timed(lambda i, board=board: analyse(read_board(board), ["cache", "database"]), 3)
        graph = read_board(board)
        where = "piled into 300x300 px" if stacked else "spread out"
        print(
            f"{count:>6,} lines + {count:,} boxes ({where}, {len(board['objects']):,} objects): "
            f"best {min(times):8.1f} ms   {len(graph.boxes):,} boxes, "
            f"{sum(c.joins for c in graph.connectors):,} joining connectors"
        )


def main() -> None:
    drawing = json.loads(FIXTURE.read_text())
    with tempfile.TemporaryDirectory() as runtime:
        ws = build_workspace(Settings(runtime_dir=Path(runtime)))
        # A signed-in candidate, as on the page: each save includes the policy's check.
        person = add_account(
            ws, email="bench@example.com", name="Bench", roles=["candidate"], actor=Actor.workspace("bench")
        )
        me = Actor.person(person)
        session = create_interview(ws, problem_id="url_shortener", actor=me)
        start_interview(ws, session.id, actor=me)

        def changed(i: int) -> None:  # a new object each time, as when drawing
            objects = [*drawing["objects"], {"type": "Rect", "left": i, "top": 0, "width": 10, "height": 10}]
            save_snapshot(ws, session.id, {**drawing, "objects": objects}, PNG, actor=me)

        print(
            f"drawing: {len(drawing['objects'])} objects, {len(json.dumps(drawing)) // 1024} KB JSON, "
            f"{len(PNG) // 1024} KB PNG; SQLite"
        )
        report("save_snapshot (changed)", timed(changed, 50))
        report(
            "save_snapshot (unchanged, skipped)",
            timed(lambda i: save_snapshot(ws, session.id, drawing, PNG, actor=me), 50),
        )
        report("latest_analysis (read + analyse)", timed(lambda i: latest_analysis(ws, session.id, actor=me), 50))
        report("read_board + analyse (pure)", timed(lambda i: analyse(read_board(drawing), ["cache"]), 200))
    scaling()


if __name__ == "__main__":
    main()
