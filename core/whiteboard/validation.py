"""What a whiteboard drawing must be before it is kept: Fabric JSON of a size a person can draw.

The reader (core.whiteboard.analysis) skips whatever is malformed, but a drawing is read on every canvas
change, every interviewer turn and when the interview ends, so the snapshot store refuses up front what no
canvas sends: too many objects, too much JSON, groups nested too deep, numbers that are not finite or are
absurdly large, and objects whose parts have the wrong shape. The message says what to do.
"""

from __future__ import annotations

import json
import math
from typing import Any

from core.errors import InvalidInput

MAX_FABRIC_JSON_BYTES = 5 * 1024 * 1024
MAX_OBJECTS = 5_000  # objects on one board, group members included; a busy interview board has a few hundred
MAX_NESTING = 32  # JSON levels (a group inside a group adds two); the canvas's own JSON has fewer than ten
LARGEST_NUMBER = 1e9  # canvas px, degrees, scale factors: nothing a canvas sends comes near

_ADVICE = "Clear part of the board (or undo the last change) and draw on."


def validate_drawing(fabric_json: Any) -> bytes:
    """The drawing as compact JSON bytes, ready to store; raises InvalidInput saying what is wrong with it."""
    if not isinstance(fabric_json, dict) or not isinstance(fabric_json.get("objects", []), list):
        raise InvalidInput("A whiteboard snapshot needs the canvas's Fabric JSON (an object with an 'objects' list).")
    count = _check_objects(fabric_json.get("objects", []))
    if count > MAX_OBJECTS:
        raise InvalidInput(f"The drawing has too many objects to keep (more than {MAX_OBJECTS:,}). {_ADVICE}")
    _check_values(fabric_json)
    encoded = json.dumps(fabric_json, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()
    if len(encoded) > MAX_FABRIC_JSON_BYTES:
        raise InvalidInput(
            f"The drawing is too large to keep ({len(encoded) // 1024:,} KB; "
            f"at most {MAX_FABRIC_JSON_BYTES // 1024:,} KB). {_ADVICE}"
        )
    return encoded


def _check_values(root: dict[str, Any]) -> None:
    """Every number finite and within LARGEST_NUMBER, nesting within MAX_NESTING (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_NESTING:
                raise InvalidInput(f"The drawing is nested too deeply to keep (more than {MAX_NESTING} levels).")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(value, int | float) and not isinstance(value, bool) and not _in_range(value):
            raise InvalidInput(
                f"The drawing holds a number no canvas sends ({_shorten(value)}); it was not kept. {_ADVICE}"
            )


def _in_range(value: float) -> bool:
    if isinstance(value, int):
        return -LARGEST_NUMBER <= value <= LARGEST_NUMBER  # compared as integers: no overflow
    return math.isfinite(value) and abs(value) <= LARGEST_NUMBER


def _shorten(value: float) -> str:
    if isinstance(value, int) and abs(value) >= 10**30:  # str() of a very long integer is slow, even refused
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    return str(value)[:40]


def _check_objects(objects: list[Any]) -> int:
    """How many objects there are (group members included); raises InvalidInput for one of the wrong shape."""
    count = 0
    pending: list[tuple[str, Any]] = [(str(i + 1), obj) for i, obj in enumerate(objects)]
    while pending:
        where, obj = pending.pop()
        count += 1
        if count > MAX_OBJECTS:
            return count
        if not isinstance(obj, dict):
            raise InvalidInput(f"Object {where} of the drawing is not a Fabric object; the drawing was not kept.")
        problem = _shape_problem(obj)
        if problem:
            kind = obj.get("type") if isinstance(obj.get("type"), str) else "no type"
            raise InvalidInput(f"Object {where} of the drawing ({kind:.20}) {problem}; it was not kept.")
        if _kind(obj) == "group":
            pending.extend((f"{where}.{i + 1}", member) for i, member in enumerate(obj["objects"]))
    return count


def _shape_problem(obj: dict[str, Any]) -> str | None:
    """What is wrong with one object's parts, in words, or None."""
    if not isinstance(obj.get("type", ""), str):
        return "has a type that is not a name"
    kind = _kind(obj)
    if kind == "group" and not isinstance(obj.get("objects"), list):
        return "is a group without a list of members"
    if "pathOffset" in obj:
        offset = obj["pathOffset"]
        if not (isinstance(offset, dict) and all(_is_number(offset.get(axis)) for axis in ("x", "y"))):
            return "has a pathOffset that is not a point"
    if kind == "path" and not isinstance(obj.get("path"), list):
        return "is a path without a list of commands"
    return None


def _kind(obj: dict[str, Any]) -> str:
    kind = obj.get("type")
    return kind.lower() if isinstance(kind, str) else ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
