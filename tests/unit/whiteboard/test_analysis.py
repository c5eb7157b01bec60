"""Reading whiteboards: Fabric JSON drawn in a real browser (tests/fixtures/whiteboard, recorded by record.py
there) → boxes, labels, connectors → recognised components → comparison with the reference design."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pytest

from core.content.components import KINDS
from core.content.problems import load_problem_bank
from core.whiteboard.analysis import (
    ARROW_HEAD_TAG,
    analyse,
    arrow_head,
    arrow_heads,
    arrow_ink,
    describe,
    drawn_objects,
    is_arrow,
    read_board,
    recognise,
    with_arrow_heads,
)

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "whiteboard"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


# --- recognise ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("LB", "load balancer"),
        ("nginx", "load balancer"),
        ("ELB", "load balancer"),
        ("redis", "cache"),
        ("Memcached cluster", "cache"),
        ("Postgres", "database"),
        ("MySQL primary", "database"),
        ("DB", "database"),
        ("DB replica", "replica"),
        ("read replicas", "replica"),
        ("Kafka", "queue"),
        ("SQS", "queue"),
        ("RabbitMQ", "queue"),
        ("S3", "object store"),
        ("blob storage", "object store"),
        ("Elasticsearch", "search index"),
        ("CDN", "cdn"),
        ("CloudFront", "cdn"),
        ("API servers", "api server"),
        ("key generation service", "id generator"),
        ("mobile app", "client"),
        ("Users", "client"),
        ("rate-limiter", "rate limiter"),
    ],
)
def test_recognise_synonyms(label: str, kind: str) -> None:
    assert recognise(label) == kind


@pytest.mark.parametrize("label", ["", "   ", "TODO: auth?", "foo bar", "42"])
def test_recognise_unknown_is_none(label: str) -> None:
    assert recognise(label) is None


def test_every_problem_names_known_reference_components() -> None:
    for problem in load_problem_bank(ROOT / "data" / "problems").all():
        assert len(problem.reference_components) >= 5, problem.id
        unknown = [k for k in problem.reference_components if k not in KINDS]
        assert not unknown, f"{problem.id}: {unknown}"


# --- read_board on real drawings --------------------------------------------------------------------


def test_two_labelled_boxes_without_a_line() -> None:
    board = read_board(fixture("two_boxes_unconnected"))
    assert [(b.shape, b.label, b.kind) for b in board.boxes] == [
        ("rect", "cache", "cache"),
        ("rect", "database", "database"),
    ]
    assert board.connectors == [] and board.edges == [] and board.free_text == []
    first = board.boxes[0]
    assert (first.left, first.top, first.right, first.bottom) == pytest.approx((60, 60, 240, 160), abs=1)


def test_url_shortener_sketch_is_a_connected_graph() -> None:
    board = read_board(fixture("url_shortener"))
    kinds = {b.index: b.kind for b in board.boxes}
    assert sorted(k for k in kinds.values() if k) == sorted(
        ["load balancer", "api server", "cache", "database", "replica", "client"]
    )
    edges = {(kinds[a], kinds[b]) for a, b in board.edges}
    assert edges == {
        ("client", "load balancer"),  # a Line from the free-standing "Client" text
        ("load balancer", "api server"),
        ("api server", "cache"),
        ("api server", "database"),
        ("database", "replica"),  # a freehand Path: its ends come from the path commands
    }
    assert [t.text for t in board.free_text] == ["~40 writes/s, 4k reads/s"]
    client = next(b for b in board.boxes if b.kind == "client")
    assert client.shape == "text"  # a component named without a box still counts


def test_shapes_moved_after_drawing_are_read_where_they_are_now() -> None:
    """Moving a freehand Path changes its left/top but not its path commands; a moved Rect keeps its label."""
    board = read_board(fixture("moved_and_scaled"))
    assert [(b.label, b.kind) for b in board.boxes] == [("Kafka", "queue"), ("workers", "worker")]
    (stroke,) = board.connectors
    assert stroke.shape == "path"
    assert stroke.start == pytest.approx((230, 101), abs=2) and stroke.end == pytest.approx((430, 101), abs=2)
    assert board.edges == [(0, 1)]


def test_circles_hold_their_labels_and_free_text_stays_free() -> None:
    board = read_board(fixture("circles_and_free_text"))
    assert [(b.shape, b.kind) for b in board.boxes] == [("circle", "object store"), ("circle", "cdn")]
    s3 = board.boxes[0]
    assert s3.centre == pytest.approx((140, 125), abs=2)  # the drag's midpoint: Circle is placed by a rotated radius
    assert [t.text for t in board.free_text] == ["TODO: auth?"]
    assert board.edges == [(0, 1)]


# --- coordinate conventions, built by hand -------------------------------------------------------


def _rect(left: float, top: float, width: float, height: float, **extra: Any) -> dict[str, Any]:
    return {"type": "Rect", "left": left, "top": top, "width": width, "height": height, **extra}


def _text(text: str, x: float, y: float) -> dict[str, Any]:
    return {"type": "IText", "text": text, "left": x, "top": y, "width": 40, "height": 20, "originX": "center",
            "originY": "center"}  # fmt: skip


def test_scaled_rect_uses_scale_not_width() -> None:
    drawing = {"objects": [_rect(0, 0, 50, 50, scaleX=4, scaleY=2), _text("Redis", 180, 80)]}
    (box,) = read_board(drawing).boxes
    assert (box.right, box.bottom) == (200, 100) and box.kind == "cache"


def test_line_ends_are_relative_to_its_centre_and_groups_place_their_members() -> None:
    line = {"type": "Line", "left": 150, "top": 50, "originX": "center", "originY": "center", "width": 100,
            "height": 0, "x1": -50, "y1": 0, "x2": 50, "y2": 0}  # fmt: skip
    arrow = {"type": "Group", "left": 100, "top": 200, "width": 100, "height": 20, "originX": "left",
             "originY": "top", "objects": [
                 {**line, "left": 0, "top": 0},
                 {"type": "Triangle", "left": 50, "top": 0, "width": 10, "height": 10, "originX": "center",
                  "originY": "center"},
             ]}  # fmt: skip
    drawing = {
        "objects": [
            _rect(0, 0, 100, 100), _text("LB", 50, 50),
            _rect(200, 0, 100, 100), _text("API", 250, 50),
            _rect(0, 180, 100, 60), _text("API", 50, 210),
            _rect(200, 180, 100, 60), _text("DB", 250, 210),
            line, arrow,
        ]
    }  # fmt: skip
    board = read_board(drawing)
    assert board.connectors[0].start == pytest.approx((100, 50)) and board.connectors[0].end == pytest.approx((200, 50))
    grouped = board.connectors[1]
    assert grouped.arrow and grouped.start == pytest.approx((100, 210)) and grouped.end == pytest.approx((200, 210))
    assert board.edges == [(0, 1), (2, 3)]
    assert len(board.boxes) == 4  # the arrow head inside the group is no box


def _arrow(left: float, top: float, x1: float, y1: float, x2: float, y2: float, **extra: Any) -> dict[str, Any]:
    """A Line as the arrow tool draws it (Fabric: centred, end points relative to the centre, arrow ink)."""
    return {"type": "Line", "left": left, "top": top, "originX": "center", "originY": "center",
            "width": abs(x2 - x1), "height": abs(y2 - y1), "x1": x1, "y1": y1, "x2": x2, "y2": y2,
            "stroke": arrow_ink("#1f2937"), "strokeWidth": 3, **extra}  # fmt: skip


def test_arrow_tool_heads_give_direction_and_are_not_boxes() -> None:
    drawn = [_rect(0, 0, 100, 100), _text("client", 50, 50), _rect(300, 0, 100, 100), _text("nginx", 350, 50)]
    line = _arrow(200, 50, 95, 0, -95, 0)  # drawn right to left
    kept = with_arrow_heads({"objects": [*drawn, line], "background": "#ffffff"})
    assert [o["type"] for o in kept["objects"][-2:]] == ["Line", "Triangle"]  # the head right after its line
    head = kept["objects"][-1]
    assert head[ARROW_HEAD_TAG] is True and (head["left"], head["top"]) == (105, 50) and head["angle"] == 270
    assert with_arrow_heads(kept) == kept  # a saved drawing gets no second head
    board = read_board(kept)
    assert len(board.boxes) == 2
    (arrow,) = board.connectors
    assert arrow.source is not None and arrow.target is not None
    assert arrow.arrow and (board.box(arrow.source).kind, board.box(arrow.target).kind) == ("load balancer", "client")


def test_arrow_ink_marks_arrows_and_looks_like_the_colour() -> None:
    assert arrow_ink("#1f2937") == "rgb(31, 41, 55)" and arrow_ink("2563EB") == "rgb(37, 99, 235)"
    with pytest.raises(ValueError):
        arrow_ink("blue")
    assert is_arrow(_arrow(0, 0, -50, 0, 50, 0))
    assert not is_arrow({**_arrow(0, 0, -50, 0, 50, 0), "stroke": "#1f2937"})  # the line tool's
    assert not is_arrow({"type": "Path", "stroke": "rgb(31, 41, 55)"})


def test_a_head_follows_its_arrow_when_it_is_moved_turned_or_stretched() -> None:
    moved = arrow_head(_arrow(300, 200, -50, 0, 50, 0))
    assert moved is not None and (moved.x, moved.y, moved.direction) == (350, 200, 0)
    turned = arrow_head(_arrow(100, 100, -50, 0, 50, 0, angle=90))  # now points down
    assert turned is not None and turned.x == pytest.approx(100) and turned.y == pytest.approx(150)
    assert turned.direction == pytest.approx(math.pi / 2)
    stretched = arrow_head(_arrow(100, 100, -50, 0, 50, 0, scaleX=2))
    assert stretched is not None and stretched.x == pytest.approx(200)
    assert arrow_head(_arrow(0, 0, -2, 0, 2, 0)) is None  # too short for a head
    tip, *_ = moved.polygon()
    assert tip == pytest.approx((350 + moved.size / 2, 200))  # the tip reaches past the line's end


def test_what_the_whiteboard_keeps_has_no_empty_text_and_no_added_heads() -> None:
    arrow = _arrow(200, 50, -95, 0, 95, 0)
    saved = with_arrow_heads({"objects": [arrow, _text("Redis", 50, 50), _text("  ", 80, 80), _text("", 10, 10)]})
    assert [o["type"] for o in saved["objects"]] == ["Line", "Triangle", "IText"]
    assert drawn_objects(saved) == [arrow, _text("Redis", 50, 50)]
    assert drawn_objects(None) == [] and drawn_objects({"objects": "nope"}) == []
    assert [(h.x, h.y) for h in arrow_heads(saved)] == [(295, 50)]


def test_eraser_strokes_and_broken_objects_are_ignored() -> None:
    eraser = {"type": "Path", "stroke": "#ffffff", "path": [["M", 0, 0], ["L", 100, 100]], "left": 50, "top": 50,
              "originX": "center", "originY": "center", "width": 100, "height": 100}  # fmt: skip
    drawing = {"background": "#ffffff", "objects": [eraser, "junk", {"type": "Rect", "left": "x"}, {"type": "Path"}]}
    board = read_board(drawing)
    assert board.connectors == [] and len(board.boxes) == 1
    assert read_board(None).boxes == [] and read_board({"objects": "nope"}).boxes == []


def test_a_closed_freehand_loop_is_a_box_not_a_connector() -> None:
    loop = [["M", 0, 0], ["L", 100, 0], ["L", 100, 80], ["L", 0, 80], ["L", 2, 3]]
    drawing = {"objects": [{"type": "Path", "stroke": "#000", "path": loop, "left": 50, "top": 40,
                            "originX": "center", "originY": "center", "width": 100, "height": 80},
                           _text("Kafka", 50, 40)]}  # fmt: skip
    board = read_board(drawing)
    assert [(b.shape, b.kind) for b in board.boxes] == [("sketch", "queue")] and board.connectors == []


# --- the eraser ---------------------------------------------------------------------------------------


def _eraser(*points: tuple[float, float]) -> dict[str, Any]:
    """A stroke of the whiteboard's eraser: freehand in the background colour, placed by its centre."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    path = [["M", *points[0]], *[["L", *p] for p in points[1:]]]
    return {"type": "Path", "stroke": "#ffffff", "strokeWidth": 18, "path": path, "originX": "center",
            "originY": "center", "left": (min(xs) + max(xs)) / 2, "top": (min(ys) + max(ys)) / 2,
            "width": max(xs) - min(xs), "height": max(ys) - min(ys)}  # fmt: skip


def test_a_box_crossed_by_the_eraser_is_gone_and_one_it_passes_near_stays() -> None:
    """Drawn in a real browser: the eraser across the Redis box (corner to corner), and 25 px below Kafka."""
    drawing = fixture("erased_box")
    assert [o["stroke"] for o in drawing["objects"] if o["type"] == "Path"] == ["#ffffff", "#ffffff"]
    board = read_board(drawing)
    assert [(b.label, b.kind) for b in board.boxes] == [("Postgres", "database"), ("Kafka", "queue"),
                                                        ("Memcached", "cache")]  # fmt: skip
    assert "Redis" not in [t.text for t in board.free_text]  # its label went with it
    assert board.edges == [(0, 1)]  # Postgres → Kafka; the line from the erased box now starts at nothing
    assert all(c.shape == "line" for c in board.connectors)  # eraser strokes are no connectors
    analysis = analyse(board, ["cache", "database", "queue"])
    assert analysis.unconnected == ["cache"]  # "Memcached", written after the erasing, stays


def test_the_eraser_only_deletes_what_it_runs_inside_for_half_the_shorter_side() -> None:
    box = [_rect(100, 100, 200, 100), _text("Redis", 150, 150)]  # shorter side 100 px
    through = read_board({"background": "#ffffff", "objects": [*box, _eraser((90, 190), (310, 190))]})
    assert through.boxes == []  # 200 px inside, near the bottom edge: rubbed out with its label
    grazing = read_board({"background": "#ffffff", "objects": [*box, _eraser((70, 140), (150, 90))]})
    assert [b.kind for b in grazing.boxes] == ["cache"]  # cuts the corner: 40 px inside, under half of 100
    outside = read_board({"background": "#ffffff", "objects": [*box, _eraser((90, 210), (310, 210))]})
    assert [b.kind for b in outside.boxes] == ["cache"]  # 10 px below the box: near it, not on it
    label_only = read_board({"background": "#ffffff", "objects": [*box, _eraser((130, 150), (175, 150))]})
    assert [(b.shape, b.label) for b in label_only.boxes] == [("rect", "")]  # the text went, the box stays


def test_rubbing_out_a_box_inside_a_larger_one_leaves_the_larger_one() -> None:
    region = [_rect(0, 0, 600, 400), _text("backend", 300, 30)]  # a box around others, like a region or a VPC
    inner = [_rect(200, 150, 160, 100), _text("Redis", 280, 200)]
    scribble = _eraser((190, 160), (370, 240), (190, 240), (370, 160))  # all over the inner box, inside the region
    board = read_board({"background": "#ffffff", "objects": [*region, *inner, scribble]})
    assert [(b.label, b.kind) for b in board.boxes] == [("backend", "api server")]  # its outline was not touched


def test_the_eraser_cuts_connectors_it_crosses_and_spares_later_drawing() -> None:
    boxes = [_rect(0, 0, 100, 100), _text("LB", 50, 50), _rect(300, 0, 100, 100), _text("API", 350, 50)]
    line = {"type": "Line", "left": 200, "top": 50, "originX": "center", "originY": "center", "width": 200,
            "height": 0, "x1": -100, "y1": 0, "x2": 100, "y2": 0}  # fmt: skip
    cut = read_board({"objects": [*boxes, line, _eraser((200, 20), (210, 80))]})
    assert cut.connectors == [] and cut.edges == []
    beside = read_board({"objects": [*boxes, line, _eraser((150, 70), (250, 70))]})
    assert beside.edges == [(0, 1)]  # parallel, 20 px away: the line stays
    redrawn = read_board({"objects": [*boxes, _eraser((200, 20), (210, 80)), line]})
    assert redrawn.edges == [(0, 1)]  # drawn over the erased spot afterwards
    erased_later = read_board({"objects": [_eraser((10, 10), (90, 90)), *boxes]})
    assert len(erased_later.boxes) == 2  # the eraser went first: nothing was under it


# --- analyse ----------------------------------------------------------------------------------------


def test_analysis_lists_present_missing_and_unconnected() -> None:
    reference = ["client", "load balancer", "api server", "cache", "database", "id generator", "cdn"]
    analysis = analyse(read_board(fixture("two_boxes_unconnected")), reference)
    assert analysis.components == ["cache", "database"]
    assert analysis.present == ["cache", "database"]
    assert analysis.missing == ["client", "load balancer", "api server", "id generator", "cdn"]
    assert analysis.unconnected == ["cache", "database"]
    assert analysis.summary[0] == "On the board: cache and database."
    assert "Not connected to anything: cache and database." in analysis.summary


def test_analysis_of_a_connected_design() -> None:
    analysis = analyse(read_board(fixture("url_shortener")), ["load balancer", "cache", "database", "object store"])
    assert analysis.unconnected == []
    assert ("api server", "cache") in analysis.edges and ("database", "replica") in analysis.edges
    assert analysis.missing == ["object store"]
    assert analysis.free_text == ["~40 writes/s, 4k reads/s"]
    assert analysis.to_dict()["edges"][0] == ["client", "load balancer"]


def test_empty_board() -> None:
    analysis = analyse(read_board({"objects": []}), ["cache"])
    assert analysis.is_empty and analysis.summary == ["The whiteboard is empty."]
    assert describe(analysis).startswith("What I see: nothing yet")


def test_what_i_see_line() -> None:
    line = describe(analyse(read_board(fixture("two_boxes_unconnected"))))
    assert line == "What I see: 2 components (cache, database); not connected: cache, database."


# --- the same readings, found through a spatial index; malformed objects skipped -------------------


EXPECTED = ROOT / "tests" / "fixtures" / "whiteboard" / "expected_graphs.json"
REFERENCE = ["load balancer", "api server", "cache", "database", "id generator", "queue"]


@pytest.mark.parametrize("name", sorted(json.loads(EXPECTED.read_text())))
def test_every_fixture_reads_exactly_as_the_all_pairs_reader_did(name: str) -> None:
    """expected_graphs.json holds what the reader gave before it used a grid (it compared every line with every
    box): every coordinate, label, connector end, edge and sentence must stay the same. generated_mixed.json is
    a seeded jumble of 220 objects — boxes, circles, rotated and scaled shapes, texts, lines, arrows with heads,
    hand-drawn triangles, freehand and closed strokes, eraser strokes and arrow groups."""
    expected = json.loads(EXPECTED.read_text())[name]
    board = read_board(fixture(name))
    got = {
        "graph": dataclasses.asdict(board),
        "edges": [list(edge) for edge in board.edges],
        "analysis": analyse(board, REFERENCE).to_dict(),
    }
    assert json.loads(json.dumps(got)) == expected


_PATH = [["M", 0, 0], ["L", 100, 40]]


def _deep(levels: int) -> list[Any]:
    nested: list[Any] = []
    for _ in range(levels):
        nested = [nested]
    return nested


MALFORMED: dict[str, dict[str, Any]] = {
    "pathOffset a string": {"type": "Path", "path": _PATH, "pathOffset": "12,4"},
    "pathOffset null": {"type": "Path", "path": _PATH, "pathOffset": None},
    "pathOffset with a null x": {"type": "Path", "path": _PATH, "pathOffset": {"x": None, "y": 3}},
    "pathOffset with a string x": {"type": "Path", "path": _PATH, "pathOffset": {"x": "a", "y": 3}},
    "group whose objects are null": {"type": "Group", "objects": None},
    "group whose objects are a number": {"type": "Group", "objects": 7},
    "group whose objects are a string": {"type": "Group", "objects": "Rect"},
    "400-digit left": _rect(10**400, 0, 10, 10),
    "400-digit path point": {"type": "Path", "path": [["M", 10**400, 0], ["L", 1, 1]]},
    "400-digit arrow end": _arrow(0, 0, 10**400, 0, 50, 0),
    "400-digit scale": _rect(0, 0, 10, 10, scaleX=10**400),
    "overflowing placement": _rect(1e300, 1e300, 1e300, 1e300, scaleX=1e300, scaleY=1e300),
    "a bool for a number": _rect(True, False, True, True),
    "text of no text": {"type": "IText", "text": None, "left": 0, "top": 0},
    "a type that is a list": {"type": ["Rect"], "left": 0, "top": 0, "width": 10, "height": 10},
    "text nested past the recursion limit": {"type": "IText", "text": _deep(5_000), "left": 0, "top": 0},
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_object_is_skipped_and_the_rest_is_read(name: str) -> None:
    """Each of these raised before (TypeError, ValueError, OverflowError), after which replies and ending the
    interview failed until a new board was saved."""
    good = [_rect(0, 0, 100, 100), _text("Redis", 50, 50), _rect(300, 0, 100, 100), _text("Postgres", 350, 50)]
    line = _arrow(200, 50, -95, 0, 95, 0)
    drawing = with_arrow_heads({"objects": [*good[:2], MALFORMED[name], *good[2:], line], "background": "#ffffff"})
    board = read_board(drawing)
    assert [b.kind for b in board.boxes if b.label] == ["cache", "database"]
    assert board.connectors[-1].arrow
    assert analyse(board, ["cache"]).edges == [("cache", "database")]
    assert [(h.x, h.y) for h in arrow_heads(drawing)][-1] == (295, 50)  # a number that is none takes its default


def test_groups_nested_without_end_are_read_to_a_depth_and_no_further() -> None:
    nested: dict[str, Any] = _rect(0, 0, 100, 100)
    for _ in range(5_000):  # deeper than Python's recursion limit
        nested = {"type": "Group", "left": 0, "top": 0, "objects": [nested]}
    board = read_board({"objects": [nested, _rect(200, 0, 50, 50)]})
    assert len(board.boxes) == 1


def test_a_board_larger_than_the_read_limit_is_read_up_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("core.whiteboard.analysis.MAX_READ_OBJECTS", 3)
    board = read_board({"objects": [_rect(i * 200, 0, 100, 100) for i in range(6)]})
    assert len(board.boxes) == 3


def _row_of_joined_boxes(count: int) -> dict[str, Any]:
    """`count` labelled boxes on a square grid, each joined to its right-hand neighbour by a line."""
    side = math.ceil(math.sqrt(count))
    objects: list[dict[str, Any]] = []
    for i in range(count):
        x, y = (i % side) * 160.0, (i // side) * 160.0
        objects += [_rect(x, y, 100, 60), _text("Redis", x + 50, y + 30)]
        objects.append({"type": "Line", "originX": "center", "originY": "center", "left": x + 130, "top": y + 30,
                        "x1": -30, "y1": 0, "x2": 30, "y2": 0, "width": 60, "height": 0})  # fmt: skip
    return {"objects": objects}


def test_a_board_of_thousands_measures_each_line_end_against_the_boxes_near_it_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hardening 5: the reader once measured every line end against every box (5,000 of each: 30 s, on every
    reply). Counted, not timed: with the grid each end is measured against a handful of boxes, not 2,000."""
    from core.whiteboard.analysis import Box

    measured = 0
    distance = Box.distance

    def counted(box: Box, point: tuple[float, float]) -> float:
        nonlocal measured
        measured += 1
        return distance(box, point)

    monkeypatch.setattr(Box, "distance", counted)
    count = 2_000
    board = read_board(_row_of_joined_boxes(count))
    assert len(board.boxes) == count and all(b.kind == "cache" for b in board.boxes)
    side = math.ceil(math.sqrt(count))
    joined = [(i, i + 1) for i in range(count - 1) if i % side != side - 1]
    assert set(joined) <= set(board.edges)  # the same answers as measuring everything…
    assert measured <= 10 * 2 * count  # …from at most ten boxes per line end (all pairs: 8,000,000)
