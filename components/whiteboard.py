"""The whiteboard panel: streamlit-drawable-canvas 0.13 behind one adapter, autosaved with the session.

Only this module imports the canvas, and it hands back our own `BoardSnapshot`, so the canvas's
next breaking change touches one file. What 0.13 has built in is used as is: its toolbar has
undo, redo, an edit toggle (select, move, resize, delete the selection) and a reset. Ours adds the
tool, colour and width, an arrow tool, an eraser (the background colour: the drawing keeps what it
painted over, and core.whiteboard.analysis reads its strokes as deleting what they cross),
"Clear" behind a confirmation, and autosave: every change the canvas sends is stored
(core.whiteboard.snapshots, skipped when unchanged), and the latest snapshot seeds the canvas
after a reload.

The seed (`initial_drawing`) is handed to the canvas when it mounts and never changed under it: a
changed seed reloads the canvas, which forgets its undo history and drops whatever was drawn since
the seed was made. So an arrow is a line in the arrow ink (core.whiteboard.analysis.arrow_ink), and
its head is painted on the canvas's background picture, under the drawing, as soon as the canvas
sends the line; the saved drawing gets the heads as Triangles and a PNG with them painted in. Empty
text boxes (a click in text mode starts one) are left out of what is saved.

The panel runs in a fragment, so drawing reruns the panel, not the whole interview page. The canvas
remounts — and takes the drawing as last saved — when it was not on the previous run (another page
and back, full width on or off, a cleared board); the page keeps what sits above it steady, since a
canvas that moves down the page remounts too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core.errors import WorkspaceError
from core.permissions.actor import Actor
from core.whiteboard.analysis import (
    ArrowHead,
    analyse,
    arrow_heads,
    arrow_ink,
    describe,
    drawn_objects,
    read_board,
    with_arrow_heads,
)
from core.whiteboard.pictures import backdrop_png, board_png
from core.whiteboard.snapshots import latest_snapshot, save_snapshot
from core.workspace import Workspace

BACKGROUND = "#ffffff"
TOOLS: dict[str, str] = {
    "Pen": "freedraw",
    "Line": "line",
    "Arrow": "line",  # in the arrow ink: the panel paints its head
    "Box": "rect",
    "Circle": "circle",
    "Text": "text",
    "Eraser": "freedraw",
}
COLOURS = {"Ink": "#1f2937", "Blue": "#2563eb", "Red": "#dc2626", "Green": "#16a34a", "Orange": "#ea580c"}
SIZES = {"normal": (500, 420), "full": (1200, 600)}  # canvas pixels; the canvas scrolls if its column is narrower


@dataclass(frozen=True)
class BoardSnapshot:
    """What the canvas holds now: its Fabric JSON and, when the canvas rendered one, a PNG."""

    fabric_json: dict[str, Any]
    png: bytes | None = None


def _keys(session_id: str) -> dict[str, str]:
    return {
        name: f"whiteboard_{name}_{session_id}"
        for name in ("seed", "generation", "saved", "clear", "tool", "colour", "width", "full", "error")
    }


def _digest(drawing: dict[str, Any] | None) -> str:
    """What the person drew (`drawn_objects`), as a string: equal digests, same drawing."""
    return json.dumps(drawn_objects(drawing), sort_keys=True, separators=(",", ":"))


def _empty() -> dict[str, Any]:
    return {"objects": [], "background": BACKGROUND}


def _canvas_key(session_id: str, full: bool) -> str:
    generation = st.session_state.get(_keys(session_id)["generation"], 0)
    return f"whiteboard_canvas_{session_id}_{generation}_{int(full)}"


def _showing(canvas_key: str) -> dict[str, Any] | None:
    """The drawing the canvas sent last (before this run draws it), or None before it sent any."""
    state = st.session_state.get(canvas_key)
    drawing = state.get("drawing") if isinstance(state, Mapping) else None
    raw = drawing.get("raw") if isinstance(drawing, Mapping) else None
    return raw if isinstance(raw, dict) else None


@lru_cache(maxsize=64)
def _backdrop(heads: tuple[ArrowHead, ...], width: int, height: int) -> bytes:
    """The canvas's background picture: white, with the arrow heads painted on (reruns send the same bytes)."""
    return backdrop_png(heads, width, height, BACKGROUND)


def full_width(session_id: str) -> bool:
    """Whether the person asked for the whiteboard across the page width (the page places it)."""
    return bool(st.session_state.get(_keys(session_id)["full"], False))


def render_full_width_toggle(session_id: str) -> bool:
    return st.toggle(
        "Full width",
        key=_keys(session_id)["full"],
        help="Give the whiteboard the width of the page; switch off to see the chat and transcript beside it.",
    )


@st.dialog("Clear the whiteboard?")
def _confirm_clear(ws: Workspace, session_id: str, actor: Actor) -> None:
    keys = _keys(session_id)
    st.write("Everything on the board goes. The snapshots saved so far stay with the interview.")
    yes, no = st.columns(2)
    if yes.button("Yes, clear it", type="primary", key=f"whiteboard_clear_yes_{session_id}"):
        try:
            save_snapshot(ws, session_id, _empty(), None, actor=actor)
        except WorkspaceError as exc:
            st.session_state[keys["error"]] = str(exc)
        st.session_state[keys["seed"]] = _empty()
        st.session_state[keys["saved"]] = _digest(_empty())
        st.session_state[keys["generation"]] = st.session_state.get(keys["generation"], 0) + 1
        st.rerun()
    if no.button("Keep it", key=f"whiteboard_clear_no_{session_id}"):
        st.rerun()


def render_whiteboard(
    ws: Workspace,
    session_id: str,
    *,
    actor: Actor,
    reference_components: list[str] | tuple[str, ...] = (),
    editable: bool = True,
    full: bool = False,
) -> BoardSnapshot | None:
    """The toolbar, the canvas (restored from the latest snapshot) and a "What I see" line; autosaves changes.

    Called on a full page run. A canvas that mounts (it was not on the last run: another page and back,
    full width on or off) starts from the drawing as last saved; one that stays keeps its seed, so it
    never reloads under the person drawing. Drawing reruns only the panel (a fragment).
    """
    keys = _keys(session_id)
    if keys["seed"] not in st.session_state:
        snapshot = latest_snapshot(ws, session_id, actor=actor)
        st.session_state[keys["saved"]] = _digest(snapshot.fabric_json if snapshot else None)
        st.session_state[keys["seed"]] = _seed(st.session_state[keys["saved"]])
    elif not editable or _canvas_key(session_id, full) not in st.session_state:
        # It mounts anew (it was not on the last run), or shows a board nobody draws on: the drawing as last saved.
        st.session_state[keys["seed"]] = _seed(st.session_state[keys["saved"]])
    return _panel(ws, session_id, actor, tuple(reference_components), editable, full)


def _seed(digest: str) -> dict[str, Any]:
    return {"objects": json.loads(digest), "background": BACKGROUND}


@st.fragment
def _panel(
    ws: Workspace, session_id: str, actor: Actor, reference_components: tuple[str, ...], editable: bool, full: bool
) -> BoardSnapshot:
    keys = _keys(session_id)
    with st.container():  # there even when empty (read only), so the canvas below keeps its place
        tool, colour_name, width = _toolbar(ws, session_id, actor) if editable else ("Pen", "Ink", 3)
    mode = TOOLS[tool]
    eraser = tool == "Eraser"
    stroke = BACKGROUND if eraser else COLOURS.get(colour_name or "Ink", COLOURS["Ink"])
    if tool == "Arrow":
        stroke = arrow_ink(stroke)
    canvas_width, canvas_height = SIZES["full" if full else "normal"]
    canvas_key = _canvas_key(session_id, full)
    # The heads of what the canvas holds now (it sent it for this run), painted under the drawing.
    heads = tuple(arrow_heads(_showing(canvas_key) or st.session_state[keys["seed"]]))

    result = st_canvas(
        fill_color=None if mode == "text" else "rgba(0, 0, 0, 0)",
        stroke_width=int(width) * (6 if eraser else 1),
        stroke_color=stroke,
        background_image=_backdrop(heads, canvas_width, canvas_height),
        height=canvas_height,
        width=canvas_width,
        drawing_mode=mode,
        initial_drawing=st.session_state[keys["seed"]],
        return_image_data=editable,
        key=canvas_key,
        disabled=not editable,
        font_size=18,
    )
    drawing = result.json_data
    board = BoardSnapshot(with_arrow_heads(drawing or st.session_state[keys["seed"]]), None)
    if editable and isinstance(drawing, dict):
        board = BoardSnapshot(with_arrow_heads({**drawing, "background": BACKGROUND}), None)
        digest = _digest(drawing)
        if digest != st.session_state[keys["saved"]]:
            board = BoardSnapshot(board.fabric_json, board_png(_png(result), arrow_heads(drawing), BACKGROUND))
            try:
                save_snapshot(ws, session_id, board.fabric_json, board.png, actor=actor)
                st.session_state[keys["saved"]] = digest
                st.session_state.pop(keys["error"], None)
            except WorkspaceError as exc:
                st.session_state[keys["error"]] = str(exc)
    if st.session_state.get(keys["error"]):
        st.warning(f"The drawing was not saved: {st.session_state[keys['error']]}")
    st.caption(describe(analyse(read_board(board.fabric_json), reference_components)))
    return board


def _toolbar(ws: Workspace, session_id: str, actor: Actor) -> tuple[str, str, int]:
    """The tool, colour and stroke pickers and Clear; returns the tool, the colour's name and the width."""
    keys = _keys(session_id)
    tool = st.segmented_control("Tool", list(TOOLS), default="Box", key=keys["tool"], label_visibility="collapsed")
    colour_col, width_col, clear_col = st.columns(3, vertical_alignment="bottom")
    colour_name = colour_col.selectbox("Colour", list(COLOURS), key=keys["colour"], label_visibility="collapsed")
    width = width_col.selectbox(
        "Stroke", [2, 3, 5, 8], index=1, key=keys["width"], label_visibility="collapsed",
        format_func=lambda w: f"{w} px",
    )  # fmt: skip
    if clear_col.button("Clear", icon=":material/delete_sweep:", key=f"whiteboard_clear_{session_id}"):
        _confirm_clear(ws, session_id, actor)
    st.caption(
        "✎ in the canvas toolbar selects and moves shapes (✕ deletes the selection); ↶ ↷ undo and redo. "
        "Write a component's name inside its box — the interviewer reads the labels and the lines between boxes."
    )
    return tool or "Box", colour_name or "Ink", int(width)


def _png(result: Any) -> bytes | None:
    try:
        return result.image_bytes
    except RuntimeError:  # image data not requested
        return None
