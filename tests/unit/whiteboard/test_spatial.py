"""The grid the whiteboard reader finds nearby shapes with: it may return more than touches a query, never less."""

from __future__ import annotations

import math
import random

from core.whiteboard.spatial import CELL, Grid


def _touch(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def test_every_item_touching_a_query_is_found_in_ascending_order() -> None:
    rng = random.Random(6)
    items = []
    for _ in range(400):
        x, y = rng.uniform(-500, 1500), rng.uniform(-500, 1500)
        items.append((x, y, x + rng.uniform(0, 300), y + rng.uniform(0, 300)))
    grid = Grid()
    for i, bounds in enumerate(items):
        grid.add(i, bounds)
    assert len(grid) == 400
    for _ in range(300):
        x, y = rng.uniform(-600, 1600), rng.uniform(-600, 1600)
        query = (x, y, x + rng.uniform(0, 120), y + rng.uniform(0, 120))
        found = grid.near(query)
        assert found == sorted(set(found))
        assert {i for i, b in enumerate(items) if _touch(b, query)} <= set(found)


def test_items_meeting_on_a_cell_border_find_each_other() -> None:
    grid = Grid()
    grid.add(0, (0.0, 0.0, CELL, CELL))  # its right edge is the next cell's left edge
    assert grid.near((CELL, CELL, CELL, CELL)) == [0]
    assert grid.near((CELL * 3, 0.0, CELL * 4, 1.0)) == []


def test_huge_and_infinite_items_and_queries_cost_no_walk_over_millions_of_cells() -> None:
    grid = Grid()
    grid.add(0, (0.0, 0.0, 10.0, 10.0))
    grid.add(1, (-1e300, -1e300, 1e300, 1e300))  # kept aside: every query returns it
    grid.add(2, (math.nan, 0.0, math.inf, 5.0))
    grid.add(3, (5000.0, 5000.0, 5010.0, 5010.0))
    assert grid.near((1.0, 1.0, 2.0, 2.0)) == [0, 1, 2]
    assert grid.near((-1e308, -1e308, 1e308, 1e308)) == [0, 1, 2, 3]  # more cells than are filled: all of them
    assert grid.near((math.nan, 0.0, 1.0, 1.0)) == [0, 1, 2, 3]
