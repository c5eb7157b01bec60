"""Whiteboard understanding without an LLM: Fabric.js canvas JSON → a graph of design components.

The canvas (streamlit-drawable-canvas 0.13, Fabric 7) saves shapes with their own coordinate
conventions: a Rect is placed by its top-left corner, IText, Line and Path by their centre, a
Circle by the left end of a rotated radius; a resize is scaleX/scaleY, not a new width; Line
end points are relative to the line's centre; a freehand Path keeps its drawing coordinates and
is moved by `left`/`top`. `read_board` turns all of that into boxes (with the text written
inside them as labels), connectors between boxes, and free text. `recognise` maps a label to a
component kind ("Redis" → cache), and `analyse` compares the board with a problem's reference
components. Pure functions: no Streamlit, no I/O.

Erasing: the whiteboard's eraser is a freehand stroke in the background colour
(components/whiteboard.py), so the saved JSON still holds what it painted over. `read_board`
takes such a stroke as deleting what was drawn *before* it (later drawing lies on top of it):
  - a text, when the stroke's centre line runs inside its bounds for at least ERASE_SHARE
    (half) of their shorter side;
  - a shape, when the stroke also crosses its outline (all that is drawn of a box): a stroke
    that clips a corner, passes close by, or rubs out something inside a larger box leaves
    that box; a shape rubbed out takes the text written inside it along;
  - a line, arrow or freehand connector, when the stroke's centre line crosses it anywhere
    (a cut line joins nothing).
The stroke itself is never a connector.

Arrows: the arrow tool draws a Line whose stroke is spelled `rgb(r, g, b)` (`arrow_ink`); the whiteboard
draws its head beside the canvas, and a saved drawing holds the head as a small Triangle after its line
(`with_arrow_heads`), tagged so it can be taken out again before the drawing goes back into the canvas.
A small triangle at a line's end (tagged or drawn by hand) makes that line an arrow.

Robustness: the board is read on every canvas change, every interviewer turn and when the interview ends, so
`read_board` never raises: an object that is malformed (not an object, a group without a list of members, a
number that is a string, null, NaN or 400 digits long) is skipped or its bad field takes its default, and
at most MAX_READ_OBJECTS objects are read. Finding which boxes lie near a line end, a text or an eraser stroke
goes through a grid (core.whiteboard.spatial), not through every pair: the answers are those the all-pairs
comparison gave (tests/fixtures/whiteboard/expected_graphs.json), at 5,000 lines and boxes in well under a second.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from itertools import pairwise
from typing import Any

from core.content.components import KINDS, SYNONYMS
from core.whiteboard.spatial import Grid

Point = tuple[float, float]
Bounds = tuple[float, float, float, float]  # left, top, right, bottom

_ORIGIN = {"left": 0.0, "top": 0.0, "center": 0.5, "centre": 0.5, "right": 1.0, "bottom": 1.0}
_BOX_TYPES = {"rect", "circle", "ellipse", "polygon", "triangle", "labeledrect"}
_TEXT_TYPES = {"itext", "text", "textbox"}
_HEAD_SIZE = 30.0  # a triangle this small at a line's end is its arrow head
_CONNECT_DISTANCE = 40.0  # how far (canvas px) a connector's end may stop short of the box it points at
ERASE_SHARE = 0.5  # an eraser stroke deletes a shape or text it runs inside for this share of its shorter side
_MIN_ERASE_SIDE = 12.0  # px: a sliver of a shape still needs this much of a stroke inside it
MAX_READ_OBJECTS = 50_000  # objects (group members included) read from one board; the rest are left out
_LARGEST_INT = 10**300  # a JSON integer beyond this (say, 400 digits) is no coordinate: float() would overflow
MAX_GROUP_DEPTH = 16  # groups nested deeper than this are left out (a drawing never nests more than one or two)


@dataclass(frozen=True)
class Box:
    """A component on the board: a shape with the text written in it (or, shape "text", a named label alone)."""

    index: int
    shape: str
    left: float
    top: float
    right: float
    bottom: float
    label: str = ""

    @property
    def kind(self) -> str | None:
        return recognise(self.label)

    @property
    def centre(self) -> Point:
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)

    def distance(self, point: Point) -> float:
        """0 inside the box, else the distance to its edge."""
        dx = max(self.left - point[0], 0.0, point[0] - self.right)
        dy = max(self.top - point[1], 0.0, point[1] - self.bottom)
        return math.hypot(dx, dy)


@dataclass(frozen=True)
class Connector:
    """A line, arrow or freehand stroke; source/target are box indexes when its ends reach boxes."""

    start: Point
    end: Point
    shape: str
    arrow: bool = False
    source: int | None = None
    target: int | None = None

    @property
    def joins(self) -> bool:
        return self.source is not None and self.target is not None and self.source != self.target


@dataclass(frozen=True)
class FreeText:
    text: str
    x: float
    y: float


@dataclass
class BoardGraph:
    boxes: list[Box] = field(default_factory=list)
    connectors: list[Connector] = field(default_factory=list)
    free_text: list[FreeText] = field(default_factory=list)

    @property
    def edges(self) -> list[tuple[int, int]]:
        """Box index pairs joined by a connector (source first), without repeats."""
        seen: list[tuple[int, int]] = []
        known: set[tuple[int, int]] = set()
        for c in self.connectors:
            if c.joins and c.source is not None and c.target is not None:
                pair = (c.source, c.target)
                if pair not in known and pair[::-1] not in known:
                    seen.append(pair)
                    known.add(pair)
        return seen

    def box(self, index: int) -> Box:
        return next(b for b in self.boxes if b.index == index)


@dataclass(frozen=True)
class BoardAnalysis:
    """What the board shows, measured against the problem's reference components."""

    components: list[str]  # recognised kinds on the board, in drawing order, without repeats
    present: list[str]  # reference kinds on the board
    missing: list[str]  # reference kinds not on the board
    unconnected: list[str]  # kinds drawn with no connector to anything (when the board has several boxes)
    edges: list[tuple[str, str]]  # connected kinds (or labels), source first
    unlabelled: int  # boxes with no text in them
    unknown_labels: list[str]  # labels that name no known kind
    free_text: list[str]
    summary: list[str]  # short sentences for people (a caption, the evaluator's evidence)

    @property
    def is_empty(self) -> bool:
        return not self.components and not self.edges and not self.unknown_labels and not self.unlabelled

    def to_dict(self) -> dict[str, Any]:
        return {
            "components": self.components,
            "present": self.present,
            "missing": self.missing,
            "unconnected": self.unconnected,
            "edges": [list(e) for e in self.edges],
            "unlabelled": self.unlabelled,
            "unknown_labels": self.unknown_labels,
            "free_text": self.free_text,
            "summary": self.summary,
        }


# --- recognising labels ------------------------------------------------------------------------


def _normalise(text: str) -> str:
    text = text.lower().replace("_", " ").replace("-", " ").replace("/", " ")
    text = re.sub(r"[^a-z0-9. ]+", " ", text)
    return " ".join(text.replace(".", " ").split())


_PHRASES: list[tuple[str, str]] = sorted(
    ((_normalise(phrase), kind) for kind, phrases in SYNONYMS.items() for phrase in phrases),
    key=lambda item: -len(item[0]),
)


@lru_cache(maxsize=4096)
def recognise(label: str) -> str | None:
    """The component kind a label names ("Redis" → "cache", "ELB" → "load balancer"), or None.

    The longest matching phrase wins; among equally long ones, the first in the label. Cached: a board's
    analysis asks for every box's kind several times.
    """
    text = f" {_normalise(label)} "
    if not text.strip():
        return None
    if text.strip() in KINDS:
        return text.strip()
    best: tuple[int, int, str] | None = None  # (-length, position, kind)
    for phrase, kind in _PHRASES:
        if best is not None and len(phrase) < -best[0]:
            break
        position = text.find(f" {phrase} ")
        if position >= 0:
            candidate = (-len(phrase), position, kind)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


# --- reading Fabric JSON -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """A Fabric object's placement: where its centre is, its scale and rotation."""

    cx: float
    cy: float
    sx: float
    sy: float
    angle: float  # radians

    def apply(self, x: float, y: float) -> Point:
        """A point in the object's own (centre-relative) coordinates → the parent's coordinates."""
        x, y = x * self.sx, y * self.sy
        cos, sin = math.cos(self.angle), math.sin(self.angle)
        return (self.cx + x * cos - y * sin, self.cy + x * sin + y * cos)


_IDENTITY = _Frame(0.0, 0.0, 1.0, 1.0, 0.0)


def _finite(value: Any) -> float | None:
    """A JSON number as a finite float; None for anything else (a string, null, NaN, a 400-digit integer)."""
    kind = type(value)  # exactly: a bool is no number here
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is int:
        return float(value) if -_LARGEST_INT < value < _LARGEST_INT else None
    return None


def _word(value: Any) -> str:
    """A JSON string or number as text; "" for anything else (a list, an object, null) — never the str() of a
    structure, which can be huge or nested past the recursion limit."""
    return str(value) if isinstance(value, str | int | float) else ""


def _num(obj: dict[str, Any], key: str, default: float = 0.0) -> float:
    number = _finite(obj.get(key, default))
    return default if number is None else number


def _all_finite(*values: float) -> bool:
    """Placement arithmetic on huge (finite) numbers can overflow: such an object is left out (and so is one whose
    coordinates are so large that their sum overflows — no drawing comes near)."""
    return math.isfinite(sum(values))


def _frame(obj: dict[str, Any], parent: _Frame) -> _Frame:
    sx, sy = _num(obj, "scaleX", 1.0), _num(obj, "scaleY", 1.0)
    if obj.get("flipX"):
        sx = -sx
    if obj.get("flipY"):
        sy = -sy
    angle = math.radians(_num(obj, "angle"))
    width, height = _num(obj, "width") * abs(sx), _num(obj, "height") * abs(sy)
    ox = _ORIGIN.get(_word(obj.get("originX", "left")), 0.0)
    oy = _ORIGIN.get(_word(obj.get("originY", "top")), 0.0)
    # the centre is the origin point plus the rotated offset from the origin to the centre
    dx, dy = (0.5 - ox) * width, (0.5 - oy) * height
    cos, sin = math.cos(angle), math.sin(angle)
    local = (_num(obj, "left") + dx * cos - dy * sin, _num(obj, "top") + dx * sin + dy * cos)
    cx, cy = parent.apply(*local)
    return _Frame(cx, cy, sx * parent.sx, sy * parent.sy, angle + parent.angle)


def _extent(obj: dict[str, Any], frame: _Frame) -> Bounds:
    """The axis-aligned bounds of an object's (possibly rotated) rectangle, in canvas coordinates."""
    hw, hh = _num(obj, "width") / 2, _num(obj, "height") / 2
    corners = [frame.apply(x, y) for x in (-hw, hw) for y in (-hh, hh)]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _path_points(path: Any) -> list[Point]:
    """The end point of every command of an SVG-like Fabric path (its last two numbers)."""
    points: list[Point] = []
    if not isinstance(path, list):
        return points
    for segment in path:
        if isinstance(segment, list) and len(segment) >= 3:
            x, y = _finite(segment[-2]), _finite(segment[-1])
            if x is not None and y is not None:
                points.append((x, y))
    return points


@dataclass(frozen=True)
class _RawBox:
    shape: str
    bounds: Bounds
    label: str
    order: int  # drawing order (the Fabric objects' order): an eraser stroke rubs out only what is under it


@dataclass(frozen=True)
class _RawText:
    text: str
    bounds: Bounds
    order: int


@dataclass(frozen=True)
class _RawStroke:
    shape: str  # "line" | "path"
    start: Point
    end: Point
    arrow: bool
    points: list[Point]
    order: int


@dataclass
class _Raw:
    boxes: list[_RawBox] = field(default_factory=list)
    texts: list[_RawText] = field(default_factory=list)
    strokes: list[_RawStroke] = field(default_factory=list)
    erasers: list[_RawStroke] = field(default_factory=list)
    count: int = 0
    read: int = 0  # objects looked at, against MAX_READ_OBJECTS

    def next_order(self) -> int:
        self.count += 1
        return self.count


def _collect(objects: list[Any], parent: _Frame, raw: _Raw, background: str, depth: int = 0) -> None:
    """Sort the objects into boxes, texts, strokes and eraser strokes. Anything malformed — not an object, a
    number that is not one, a group without a list of members, a path offset that is no point — is skipped;
    reading a board never raises (it runs on every canvas change and every interviewer turn)."""
    for obj in objects:
        if raw.read >= MAX_READ_OBJECTS:
            return
        raw.read += 1
        if not isinstance(obj, dict) or obj.get("visible") is False:
            continue
        kind = _word(obj.get("type", "")).lower()
        frame = _frame(obj, parent)
        if not _all_finite(frame.cx, frame.cy, frame.sx, frame.sy, frame.angle):
            continue
        if kind == "group":
            group = obj.get("objects")
            if not isinstance(group, list) or depth >= MAX_GROUP_DEPTH:
                continue
            members = [o for o in group if isinstance(o, dict)]
            before = len(raw.strokes)
            _collect(members, frame, raw, background, depth + 1)
            if _is_arrow(members):
                raw.strokes[before:] = [replace(s, arrow=True) for s in raw.strokes[before:]]
            continue
        _collect_one(obj, kind, frame, parent, raw, background)


def _collect_one(obj: dict[str, Any], kind: str, frame: _Frame, parent: _Frame, raw: _Raw, background: str) -> None:
    if kind in _TEXT_TYPES:
        text = " ".join(_word(obj.get("text", "")).split())
        bounds = _extent(obj, frame)
        if text and _all_finite(*bounds):
            raw.texts.append(_RawText(text, bounds, raw.next_order()))
    elif kind in _BOX_TYPES:
        if kind == "triangle" and parent is not _IDENTITY:
            return  # an arrow head
        if kind in ("circle", "ellipse"):  # rotation-free: its bounds are its centre ± its radii
            rx, ry = _num(obj, "width") * abs(frame.sx) / 2, _num(obj, "height") * abs(frame.sy) / 2
            bounds = (frame.cx - rx, frame.cy - ry, frame.cx + rx, frame.cy + ry)
        else:
            bounds = _extent(obj, frame)
        if _all_finite(*bounds):
            raw.boxes.append(_RawBox(kind, bounds, _word(obj.get("label", "") or ""), raw.next_order()))
    elif kind == "line":
        start = frame.apply(_num(obj, "x1"), _num(obj, "y1"))
        end = frame.apply(_num(obj, "x2"), _num(obj, "y2"))
        if _all_finite(*start, *end):
            raw.strokes.append(_RawStroke("line", start, end, False, [start, end], raw.next_order()))
    elif kind == "path":
        points = _path_points(obj.get("path"))
        if len(points) < 2:
            return
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        offset = obj.get("pathOffset")
        ox = _finite(offset.get("x")) if isinstance(offset, dict) else None
        oy = _finite(offset.get("y")) if isinstance(offset, dict) else None
        if ox is None or oy is None:
            ox, oy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        placed = [frame.apply(x - ox, y - oy) for x, y in points]
        if not all(_all_finite(*p) for p in placed):
            return
        stroke = _RawStroke("path", placed[0], placed[-1], False, placed, raw.next_order())
        if background and _word(obj.get("stroke", "")).lower() == background.lower():
            raw.erasers.append(stroke)  # the eraser draws in the background colour
        else:
            raw.strokes.append(stroke)


def _is_arrow(members: list[dict[str, Any]]) -> bool:
    types = [_word(m.get("type", "")).lower() for m in members]
    return any(t in ("line", "path") for t in types) and any(t in ("triangle", "polygon") for t in types)


def _is_closed_shape(points: list[Point]) -> bool:
    """A freehand stroke that ends where it began and encloses an area: a hand-drawn box, not a connector."""
    if len(points) < 4:
        return False
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    size = max(max(xs) - min(xs), max(ys) - min(ys))
    return size > 30 and math.dist(points[0], points[-1]) < 0.2 * size


def read_board(fabric_json: dict[str, Any] | None) -> BoardGraph:
    """The board's boxes (labelled by the text inside them), connectors and free text; erased objects left out."""
    if not isinstance(fabric_json, dict):
        return BoardGraph()
    objects = fabric_json.get("objects")
    if not isinstance(objects, list):
        return BoardGraph()
    background = _word(fabric_json.get("background")) or "#ffffff"
    raw = _Raw()
    _collect(objects, _IDENTITY, raw, background)

    for s in raw.strokes:
        if s.shape == "path" and _is_closed_shape(s.points):
            xs, ys = [p[0] for p in s.points], [p[1] for p in s.points]
            raw.boxes.append(_RawBox("sketch", (min(xs), min(ys), max(xs), max(ys)), "", s.order))
    strokes = [s for s in raw.strokes if not (s.shape == "path" and _is_closed_shape(s.points))]
    strokes = _attach_heads(raw, strokes)
    strokes = _erase(raw, strokes)

    shapes = raw.boxes
    shape_bounds = [b.bounds for b in shapes]
    shape_grid = _grid(shape_bounds)
    labels: dict[int, list[tuple[float, float, str]]] = {i: [] for i in range(len(shapes))}
    free: list[tuple[str, Bounds]] = []
    for text in raw.texts:
        home = _container(text.bounds, shape_bounds, shape_grid)
        if home is None:
            free.append((text.text, text.bounds))
        else:
            labels[home].append((text.bounds[1], text.bounds[0], text.text))

    boxes: list[Box] = []
    for i, shape in enumerate(shapes):
        left, top, right, bottom = shape.bounds
        words = [shape.label] if shape.label else []
        words += [t for _, _, t in sorted(labels[i])]
        boxes.append(Box(i, shape.shape, left, top, right, bottom, " ".join(words)))
    free_text: list[FreeText] = []
    for words_alone, (left, top, right, bottom) in free:
        if recognise(words_alone):  # a component named without a box around it still counts as one
            boxes.append(Box(len(boxes), "text", left, top, right, bottom, words_alone))
        else:
            free_text.append(FreeText(words_alone, (left + right) / 2, (top + bottom) / 2))

    box_grid = _grid([(b.left, b.top, b.right, b.bottom) for b in boxes])
    connectors = [
        Connector(
            s.start, s.end, s.shape, s.arrow, _nearest(s.start, boxes, box_grid), _nearest(s.end, boxes, box_grid)
        )
        for s in strokes
    ]
    return BoardGraph(boxes, connectors, free_text)


def _grid(bounds: list[Bounds]) -> Grid:
    """The bounds filed by their position in the list."""
    grid = Grid()
    for i, b in enumerate(bounds):
        grid.add(i, b)
    return grid


def _around(point: Point, reach: float) -> Bounds:
    """The square within `reach` of a point, a pixel wider so that rounding never leaves out a box at the limit."""
    return (point[0] - reach - 1, point[1] - reach - 1, point[0] + reach + 1, point[1] + reach + 1)


def _attach_heads(raw: _Raw, strokes: list[_RawStroke]) -> list[_RawStroke]:
    """Small triangles at a stroke's end are arrow heads (the whiteboard's arrow tool draws them): they make
    the stroke an arrow pointing at that end, and are no boxes."""
    heads = [
        (i, ((b.bounds[0] + b.bounds[2]) / 2, (b.bounds[1] + b.bounds[3]) / 2))
        for i, b in enumerate(raw.boxes)
        if b.shape == "triangle" and max(b.bounds[2] - b.bounds[0], b.bounds[3] - b.bounds[1]) <= _HEAD_SIZE
    ]
    grid = _grid([_around(centre, 0.0) for _, centre in heads])
    used: set[int] = set()
    result = []
    for stroke in strokes:
        near = set(grid.near(_around(stroke.end, _HEAD_SIZE))) | set(grid.near(_around(stroke.start, _HEAD_SIZE)))
        for i, centre in (heads[j] for j in sorted(near)):
            if i in used:
                continue
            if math.dist(centre, stroke.end) <= _HEAD_SIZE:
                stroke = replace(stroke, arrow=True)
            elif math.dist(centre, stroke.start) <= _HEAD_SIZE:
                stroke = replace(stroke, start=stroke.end, end=stroke.start, arrow=True)
            else:
                continue
            used.add(i)
            break
        result.append(stroke)
    raw.boxes = [b for i, b in enumerate(raw.boxes) if i not in used]
    return result


# --- the eraser --------------------------------------------------------------------------------


def _erase(raw: _Raw, strokes: list[_RawStroke]) -> list[_RawStroke]:
    """Leave out what eraser strokes rubbed out (the rule is in the module docstring); returns the strokes kept.

    Boxes and texts go from `raw` in place. An object is erased only by a stroke drawn after it.
    """
    if not raw.erasers:
        return strokes
    strokes_grid = Grid()  # every segment of every eraser stroke, filed under the stroke's position
    for k, eraser in enumerate(raw.erasers):
        for a, b in pairwise(eraser.points):
            strokes_grid.add(k, (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))

    def eraser_of(order: int, region: Bounds, hit: Callable[[list[Point]], bool]) -> int | None:
        """The drawing order of the first later eraser stroke that hits (only strokes that reach into the
        object's region can), or None."""
        erasers = (raw.erasers[k] for k in strokes_grid.near(region))
        return next((e.order for e in erasers if e.order > order and hit(e.points)), None)

    box_bounds = [b.bounds for b in raw.boxes]
    box_grid = _grid(box_bounds)
    homes = [_container(t.bounds, box_bounds, box_grid) for t in raw.texts]
    erased_boxes = {
        i: eraser_of(b.order, b.bounds, partial(_rubs_out, b.bounds, outline=True)) for i, b in enumerate(raw.boxes)
    }
    kept_texts = []
    for text, home in zip(raw.texts, homes, strict=True):
        if eraser_of(text.order, text.bounds, partial(_rubs_out, text.bounds)) is not None:
            continue
        by = erased_boxes.get(home) if home is not None else None
        if by is not None and text.order < by:
            continue  # written in a shape the eraser then rubbed out: it goes with its shape
        kept_texts.append(text)
    raw.texts = kept_texts
    raw.boxes = [b for i, b in enumerate(raw.boxes) if erased_boxes[i] is None]
    return [s for s in strokes if eraser_of(s.order, _extent_of(s.points), partial(_cuts, s.points)) is None]


def _extent_of(points: list[Point]) -> Bounds:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _rubs_out(bounds: Bounds, eraser: list[Point], *, outline: bool = False) -> bool:
    """The eraser's centre line runs inside the bounds for at least half their shorter side (and, for a shape
    drawn as an outline, crosses that outline)."""
    left, top, right, bottom = bounds
    needed = ERASE_SHARE * max(min(right - left, bottom - top), _MIN_ERASE_SIDE)
    inside = sum(_clipped_length(a, b, bounds) for a, b in pairwise(eraser))
    if inside < needed:
        return False
    corners = [(left, top), (right, top), (right, bottom), (left, bottom), (left, top)]
    return not outline or _cuts(corners, eraser)


def _clipped_length(a: Point, b: Point, bounds: Bounds) -> float:
    """How much of the segment a→b lies inside the bounds (Liang–Barsky clipping)."""
    left, top, right, bottom = bounds
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0] - left), (dx, right - a[0]), (-dy, a[1] - top), (dy, bottom - a[1])):
        if p == 0:
            if q < 0:
                return 0.0
        elif p < 0:
            low = max(low, q / p)
        else:
            high = min(high, q / p)
        if low > high:
            return 0.0
    return (high - low) * math.hypot(dx, dy)


def _cuts(line: list[Point], eraser: list[Point]) -> bool:
    """The eraser's centre line crosses (or touches) the connector somewhere along it."""
    return any(_segments_meet(a, b, c, d) for a, b in pairwise(line) for c, d in pairwise(eraser))


def _segments_meet(a: Point, b: Point, c: Point, d: Point) -> bool:
    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    def within(p: Point, q: Point, r: Point) -> bool:  # r, known collinear with p→q, lies on the segment
        return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(p[1], q[1])

    d1, d2, d3, d4 = side(c, d, a), side(c, d, b), side(a, b, c), side(a, b, d)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return (
        (d1 == 0 and within(c, d, a))
        or (d2 == 0 and within(c, d, b))
        or (d3 == 0 and within(a, b, c))
        or (d4 == 0 and within(a, b, d))
    )


def _container(text: Bounds, boxes: list[Bounds], grid: Grid) -> int | None:
    """The smallest box holding the text's centre, or else the one it overlaps most (by half its area at least).

    `grid` files `boxes` by position; only boxes reaching into the text's bounds can hold or overlap it.
    """
    cx, cy = (text[0] + text[2]) / 2, (text[1] + text[3]) / 2
    near = grid.near(text)
    holding = [i for i in near if boxes[i][0] <= cx <= boxes[i][2] and boxes[i][1] <= cy <= boxes[i][3]]
    if holding:
        return min(holding, key=lambda i: (boxes[i][2] - boxes[i][0]) * (boxes[i][3] - boxes[i][1]))
    area = max((text[2] - text[0]) * (text[3] - text[1]), 1e-6)
    best, best_share = None, 0.5
    for i in near:
        b = boxes[i]
        w = min(text[2], b[2]) - max(text[0], b[0])
        h = min(text[3], b[3]) - max(text[1], b[1])
        if w > 0 and h > 0 and w * h / area >= best_share:
            best, best_share = i, w * h / area
    return best


def _nearest(point: Point, boxes: list[Box], grid: Grid) -> int | None:
    """The box a connector end belongs to: the one it is in or closest to, within reach; inside the smallest.

    `grid` files `boxes` by position; only those within reach of the point are measured.
    """
    near = (boxes[i] for i in grid.near(_around(point, _CONNECT_DISTANCE)))
    scored = [(b.distance(point), (b.right - b.left) * (b.bottom - b.top), b.index) for b in near]
    scored = [s for s in scored if s[0] <= _CONNECT_DISTANCE]
    return min(scored)[2] if scored else None


# --- comparing with the reference ----------------------------------------------------------------


def _name(box: Box) -> str:
    return box.kind or box.label or f"unlabelled {box.shape}"


def analyse(board: BoardGraph, reference_components: list[str] | tuple[str, ...] = ()) -> BoardAnalysis:
    """What is on the board, what the reference design has that it lacks, and what hangs unconnected."""
    components: list[str] = []
    unknown: list[str] = []
    seen: set[str] = set()
    for box in board.boxes:
        if box.kind and box.kind not in components:
            components.append(box.kind)
        elif not box.kind and box.label and box.label not in seen:
            unknown.append(box.label)
            seen.add(box.label)
    reference: list[str] = []
    for item in reference_components:
        kind = recognise(item) or item
        if kind not in reference:
            reference.append(kind)
    present = [k for k in reference if k in components]
    missing = [k for k in reference if k not in components]

    by_index: dict[int, Box] = {}
    for box in board.boxes:
        by_index.setdefault(box.index, box)
    pairs = board.edges
    edges = [(_name(by_index[a]), _name(by_index[b])) for a, b in pairs]
    joined = {i for pair in pairs for i in pair}
    named = [b for b in board.boxes if b.label]
    unconnected: list[str] = []
    if len(named) >= 2:
        in_edges = {n for e in edges for n in e}
        listed: set[str] = set()
        for box in named:
            if box.index not in joined and _name(box) not in listed:
                unconnected.append(_name(box))
                listed.add(_name(box))
        unconnected = [n for n in unconnected if n not in in_edges]  # another box of that kind is
    unlabelled = sum(1 for b in board.boxes if not b.label)
    free_text = [t.text for t in board.free_text]

    analysis = BoardAnalysis(components, present, missing, unconnected, edges, unlabelled, unknown, free_text, [])
    return BoardAnalysis(**{**analysis.__dict__, "summary": _summary(analysis, bool(reference))})


def _summary(a: BoardAnalysis, has_reference: bool) -> list[str]:
    if a.is_empty:
        return ["The whiteboard is empty."]
    lines = []
    if a.components:
        lines.append(f"On the board: {_join(a.components)}.")
    if a.edges:
        lines.append("Connected: " + "; ".join(f"{x} → {y}" for x, y in a.edges) + ".")
    if a.unconnected:
        lines.append(f"Not connected to anything: {_join(a.unconnected)}.")
    if has_reference and a.missing:
        lines.append(f"Not on the board yet: {_join(a.missing)}.")
    if a.unknown_labels:
        lines.append(f"Other labels: {_join(a.unknown_labels)}.")
    if a.unlabelled:
        lines.append(f"{a.unlabelled} box{'es' if a.unlabelled != 1 else ''} without a label.")
    return lines


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def describe(analysis: BoardAnalysis) -> str:
    """One line for the whiteboard panel: "What I see: 2 components (cache, database); not connected: …"."""
    if analysis.is_empty:
        return "What I see: nothing yet — draw boxes and write a component's name in each."
    parts = []
    if analysis.components:
        count = len(analysis.components)
        parts.append(f"{count} component{'s' if count != 1 else ''} ({', '.join(analysis.components)})")
    else:
        parts.append("no component I recognise yet")
    if analysis.edges:
        parts.append(f"{len(analysis.edges)} connection{'s' if len(analysis.edges) != 1 else ''}")
    if analysis.unconnected:
        parts.append(f"not connected: {', '.join(analysis.unconnected)}")
    if analysis.unknown_labels:
        parts.append(f"other labels: {', '.join(analysis.unknown_labels[:4])}")
    return "What I see: " + "; ".join(parts) + "."


# --- what the whiteboard keeps: arrows and empty text ---------------------------------------------

ARROW_HEAD_TAG = "arrowHead"  # marks a head the whiteboard added to a saved drawing; the canvas never holds one
_ARROW_INK = re.compile(r"^rgb\((\d{1,3}), (\d{1,3}), (\d{1,3})\)$")
_MIN_ARROW_LENGTH = 10.0  # px: a shorter line gets no head


def arrow_ink(colour: str) -> str:
    """The stroke the arrow tool draws with: a `#rrggbb` colour spelled `rgb(r, g, b)`.

    It looks exactly like a line of that colour; the spelling is what marks the line as an arrow, and it
    stays with the line through moves, undo, redo and reloads (the canvas keeps a stroke as it was given).
    """
    value = colour.strip().lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", value):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"


def is_arrow(obj: Any) -> bool:
    """A Line drawn with the arrow tool (its stroke spelled by `arrow_ink`)."""
    return (
        isinstance(obj, dict)
        and _word(obj.get("type", "")).lower() == "line"
        and bool(_ARROW_INK.match(_word(obj.get("stroke", ""))))
    )


@dataclass(frozen=True)
class ArrowHead:
    """The head at an arrow's end: a triangle centred on the end point, pointing along the line."""

    x: float
    y: float
    direction: float  # radians, the way the arrow points (0: to the right, canvas y grows downwards)
    size: float
    colour: str

    def polygon(self) -> list[Point]:
        """Tip, then the two corners of the base, in canvas px."""
        half = self.size / 2
        cos, sin = math.cos(self.direction), math.sin(self.direction)
        tip = (self.x + half * cos, self.y + half * sin)
        back = (self.x - half * cos, self.y - half * sin)
        return [tip, (back[0] - half * sin, back[1] + half * cos), (back[0] + half * sin, back[1] - half * cos)]

    def fabric(self) -> dict[str, Any]:
        """The head as a Fabric Triangle (one points up at angle 0), tagged as the whiteboard's."""
        return {
            "type": "Triangle",
            "version": "7.4.0",
            "originX": "center",
            "originY": "center",
            "left": round(self.x, 2),
            "top": round(self.y, 2),
            "width": self.size,
            "height": self.size,
            "angle": round(math.degrees(self.direction) + 90, 2),
            "fill": self.colour,
            "stroke": self.colour,
            "strokeWidth": 1,
            "scaleX": 1,
            "scaleY": 1,
            ARROW_HEAD_TAG: True,
        }


def arrow_head(obj: Any) -> ArrowHead | None:
    """The head of an arrow (wherever it was moved, turned or stretched to); None for anything else."""
    if not is_arrow(obj) or obj.get("visible") is False:
        return None
    frame = _frame(obj, _IDENTITY)
    start = frame.apply(_num(obj, "x1"), _num(obj, "y1"))
    end = frame.apply(_num(obj, "x2"), _num(obj, "y2"))
    if not _all_finite(*start, *end) or math.dist(start, end) < _MIN_ARROW_LENGTH:
        return None
    size = min(20.0, 8.0 + 2 * _num(obj, "strokeWidth", 3.0))  # ≤ 20: a turned head still reads as one
    direction = math.atan2(end[1] - start[1], end[0] - start[0])
    return ArrowHead(end[0], end[1], direction, size, _word(obj.get("stroke")))


def _is_empty_text(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and _word(obj.get("type", "")).lower() in _TEXT_TYPES
        and not _word(obj.get("text", "")).strip()
    )


def drawn_objects(drawing: dict[str, Any] | None) -> list[Any]:
    """The drawing's objects as the person made them: without the heads `with_arrow_heads` added, and
    without empty text boxes (a click in text mode starts one, even the click that ends a label)."""
    objects = (drawing or {}).get("objects")
    if not isinstance(objects, list):
        return []
    return [o for o in objects if not _is_empty_text(o) and not (isinstance(o, dict) and o.get(ARROW_HEAD_TAG) is True)]


def arrow_heads(drawing: dict[str, Any] | None) -> list[ArrowHead]:
    """Every arrow's head, in drawing order."""
    return [head for obj in drawn_objects(drawing) if (head := arrow_head(obj)) is not None]


def with_arrow_heads(drawing: dict[str, Any]) -> dict[str, Any]:
    """The drawing to keep: its objects (`drawn_objects`), each arrow followed by its head as a Triangle —
    so the saved JSON shows the arrows to any Fabric reader, and read_board takes their direction."""
    objects: list[Any] = []
    for obj in drawn_objects(drawing):
        objects.append(obj)
        if (head := arrow_head(obj)) is not None:
            objects.append(head.fabric())
    return {**drawing, "objects": objects}
