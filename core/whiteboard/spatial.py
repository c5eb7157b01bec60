"""A uniform grid over the canvas: which shapes lie near a point or a rectangle, without comparing every pair.

The whiteboard reader asks, for every line end, text and eraser stroke, which boxes (or strokes) are near
it; comparing all pairs took half a minute for 5,000 lines and 5,000 boxes. Each item is filed under the
square cells its bounds cover; a query returns every item filed under the cells its own rectangle covers —
a superset of what touches it, so the caller still applies its exact test and gets the same answer as
before. Items too large for the grid (or with bounds that are not finite) are kept aside and returned by
every query, so no query can be made to walk millions of cells.
"""

from __future__ import annotations

import math
from collections import defaultdict

Bounds = tuple[float, float, float, float]  # left, top, right, bottom

CELL = 64.0  # canvas px: a box on the 500–1200 px canvas covers one to a few cells
_MAX_CELLS = 256  # an item or query covering more cells than this is treated as covering the whole board


class Grid:
    """Items (numbered by the caller) filed by their bounds; `near` returns numbers in ascending order."""

    def __init__(self, cell: float = CELL) -> None:
        self._cell = cell
        self._cells: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
        self._everywhere: list[int] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, key: int, bounds: Bounds) -> None:
        self._count += 1
        span = self._span(bounds)
        if span is None:
            self._everywhere.append(key)
            return
        (x0, y0), (x1, y1) = span
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                self._cells[(x, y)].append(key)

    def near(self, bounds: Bounds) -> list[int]:
        """Every item whose cells meet the rectangle's cells (at least all whose bounds touch it), ascending."""
        found = set(self._everywhere)
        span = self._span(bounds)
        if span is None or (span[1][0] - span[0][0] + 1) * (span[1][1] - span[0][1] + 1) > len(self._cells):
            for keys in self._cells.values():  # fewer cells are filled than the query covers: take them all
                found.update(keys)
            return sorted(found)
        (x0, y0), (x1, y1) = span
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                found.update(self._cells.get((x, y), ()))
        return sorted(found)

    def _span(self, bounds: Bounds) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """The first and last cell the bounds cover, or None when they cover too many (or are not finite)."""
        left, top, right, bottom = bounds
        if not math.isfinite(left + top + right + bottom) or right < left or bottom < top:
            return None  # not finite (or so large that the sum overflows): kept aside
        x0, x1 = math.floor(left / self._cell), math.floor(right / self._cell)
        y0, y1 = math.floor(top / self._cell), math.floor(bottom / self._cell)
        if (x1 - x0 + 1) * (y1 - y0 + 1) > _MAX_CELLS:
            return None
        return (x0, y0), (x1, y1)
