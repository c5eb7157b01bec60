"""What the snapshot store refuses: drawings no canvas sends (malformed objects, numbers that are none, too many
objects, too much JSON, nesting without end) — each with a message that says what is wrong."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from core.errors import InvalidInput
from core.whiteboard.validation import MAX_FABRIC_JSON_BYTES, MAX_OBJECTS, validate_drawing

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "whiteboard"
_PATH = [["M", 0, 0], ["L", 100, 40]]


def _deep(levels: int) -> list[Any]:
    nested: list[Any] = []
    for _ in range(levels):
        nested = [nested]
    return nested


@pytest.mark.parametrize("path", sorted(p.name for p in FIXTURES.glob("*.json") if p.name != "expected_graphs.json"))
def test_drawings_from_the_canvas_are_kept_as_compact_json(path: str) -> None:
    drawing = json.loads((FIXTURES / path).read_text())
    assert json.loads(validate_drawing(drawing)) == drawing


@pytest.mark.parametrize(
    ("obj", "says"),
    [
        ({"type": "Path", "path": _PATH, "pathOffset": "12,4"}, "pathOffset that is not a point"),
        ({"type": "Path", "path": _PATH, "pathOffset": None}, "pathOffset that is not a point"),
        ({"type": "Path", "path": _PATH, "pathOffset": {"x": None, "y": 3}}, "pathOffset that is not a point"),
        ({"type": "Path", "path": _PATH, "pathOffset": {"x": "a", "y": 3}}, "pathOffset that is not a point"),
        ({"type": "Path", "path": "M 0 0 L 1 1"}, "path without a list of commands"),
        ({"type": "Group", "objects": None}, "group without a list of members"),
        ({"type": "Group", "objects": 7}, "group without a list of members"),
        ({"type": "Group", "objects": [{"type": "Group", "objects": None}]}, "Object 2.1 of the drawing (Group)"),
        ({"type": "Rect", "left": 10**400}, "an integer of about 401 digits"),
        ({"type": "Rect", "left": 1e12}, "a number no canvas sends"),
        ({"type": "Rect", "left": math.nan}, "(nan)"),
        ({"type": "Rect", "left": -math.inf}, "(-inf)"),
        ({"type": "Path", "path": [["M", 0, 10**400]]}, "a number no canvas sends"),
        ({"type": ["Rect"]}, "type that is not a name"),
        ({"type": _deep(5_000)}, "Object 2 of the drawing (no type) has a type that is not a name"),
        ("Rect", "Object 2 of the drawing is not a Fabric object"),
    ],
)
def test_malformed_objects_are_refused_with_what_is_wrong(obj: Any, says: str) -> None:
    with pytest.raises(InvalidInput, match="was not kept") as refused:
        validate_drawing({"objects": [{"type": "Rect", "left": 0, "top": 0}, obj]})
    assert says in str(refused.value)


def test_not_fabric_json_is_refused() -> None:
    drawings: list[Any] = [None, [], {"objects": "not a list"}, {"objects": None}]
    for drawing in drawings:
        with pytest.raises(InvalidInput, match="Fabric JSON"):
            validate_drawing(drawing)


def test_too_many_objects_group_members_included() -> None:
    rect = {"type": "Rect", "left": 0, "top": 0, "width": 1, "height": 1}
    validate_drawing({"objects": [rect] * MAX_OBJECTS})
    with pytest.raises(InvalidInput, match=f"too many objects to keep \\(more than {MAX_OBJECTS:,}\\)"):
        validate_drawing({"objects": [rect] * (MAX_OBJECTS - 1) + [{"type": "Group", "objects": [rect, rect]}]})


def test_too_much_json() -> None:
    text = {"type": "IText", "text": "x" * (MAX_FABRIC_JSON_BYTES // 4)}
    with pytest.raises(InvalidInput, match="too large to keep"):
        validate_drawing({"objects": [text] * 5})


def test_nesting_without_end_is_refused_without_recursing() -> None:
    with pytest.raises(InvalidInput, match="nested too deeply"):
        validate_drawing({"objects": [{"type": "Rect", "shadow": _deep(10_000)}]})
