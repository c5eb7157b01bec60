"""The whiteboard panel: streamlit-drawable-canvas 0.13 behind one adapter, autosaved with the session.

Only this module imports the canvas, and it hands back our own `BoardSnapshot`, so the canvas's
next breaking change touches one file. What 0.13 has built in is used as is: its toolbar has
undo, redo, an edit toggle (select, move, resize, delete the selection) and a reset. Ours adds the
tool, colour and width, an arrow tool (a line that gets a head), an eraser (the background colour: the
drawing keeps what it painted over, and core.whiteboard.analysis reads its strokes as deleting what they cross),
"Clear" behind a confirmation, and autosave: every change the canvas sends is stored
(core.whiteboard.snapshots, skipped when unchanged), and the latest snapshot seeds the canvas
after a reload.

The seed (`initial_drawing`) changes only on purpose — first load, clear, a new arrow head, a
remount — because the canvas reloads (and forgets its undo history) whenever it changes.
The panel runs in a fragment, so drawing reruns the panel, not the whole interview page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core.errors import WorkspaceError
from core.whiteboard.analysis import add_arrow_heads, analyse, describe, read_board
from core.whiteboard.snapshots import latest_snapshot, save_snapshot
from core.workspace import Workspace

BACKGROUND = "#ffffff"
TOOLS: dict[str, str] = {
    "Pen": "freedraw",
    "Line": "line",
    "Arrow": "line",
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
    objects = (drawing or {}).get("objects", [])
    return json.dumps(objects, sort_keys=True, separators=(",", ":"))


def _empty() -> dict[str, Any]:
    return {"objects": [], "background": BACKGROUND}


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
def _confirm_clear(ws: Workspace, session_id: str) -> None:
    keys = _keys(session_id)
    st.write("Everything on the board goes. The snapshots saved so far stay with the interview.")
    yes, no = st.columns(2)
    if yes.button("Yes, clear it", type="primary", key=f"whiteboard_clear_yes_{session_id}"):
        try:
            save_snapshot(ws, session_id, _empty(), None)
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
    reference_components: list[str] | tuple[str, ...] = (),
    editable: bool = True,
    full: bool = False,
) -> BoardSnapshot | None:
    """The toolbar, the canvas (restored from the latest snapshot) and a "What I see" line; autosaves changes.

    Called on a full page run: the seed catches up with the drawing as last saved, so a canvas that
    mounts again (another page and back, full width on or off) shows the latest drawing, not the first.
    Drawing reruns only the panel (a fragment).
    """
    keys = _keys(session_id)
    if keys["seed"] not in st.session_state:
        snapshot = latest_snapshot(ws, session_id)
        seed = dict(snapshot.fabric_json) if snapshot else _empty()
        st.session_state[keys["seed"]] = seed
        st.session_state[keys["saved"]] = _digest(seed)
    elif _digest(st.session_state[keys["seed"]]) != st.session_state[keys["saved"]]:
        st.session_state[keys["seed"]] = {
            "objects": json.loads(st.session_state[keys["saved"]]),
            "background": BACKGROUND,
        }
    return _panel(ws, session_id, tuple(reference_components), editable, full)


@st.fragment
def _panel(
    ws: Workspace, session_id: str, reference_components: tuple[str, ...], editable: bool, full: bool
) -> BoardSnapshot:
    keys = _keys(session_id)
    if editable:
        tool = st.segmented_control("Tool", list(TOOLS), default="Box", key=keys["tool"], label_visibility="collapsed")
        tool = tool or "Box"
        colour_col, width_col, clear_col = st.columns(3, vertical_alignment="bottom")
        colour_name = colour_col.selectbox("Colour", list(COLOURS), key=keys["colour"], label_visibility="collapsed")
        width = width_col.selectbox(
            "Stroke", [2, 3, 5, 8], index=1, key=keys["width"], label_visibility="collapsed",
            format_func=lambda w: f"{w} px",
        )  # fmt: skip
        if clear_col.button("Clear", icon=":material/delete_sweep:", key=f"whiteboard_clear_{session_id}"):
            _confirm_clear(ws, session_id)
        st.caption(
            "✎ in the canvas toolbar selects and moves shapes (✕ deletes the selection); ↶ ↷ undo and redo. "
            "Write a component's name inside its box — the interviewer reads the labels and the lines between boxes."
        )
    else:
        tool, colour_name, width = "Pen", "Ink", 3
    mode = TOOLS[tool]
    eraser = tool == "Eraser"
    stroke = BACKGROUND if eraser else COLOURS.get(colour_name or "Ink", COLOURS["Ink"])
    canvas_width, canvas_height = SIZES["full" if full else "normal"]

    result = st_canvas(
        fill_color=None if mode == "text" else "rgba(0, 0, 0, 0)",
        stroke_width=int(width) * (6 if eraser else 1),
        stroke_color=stroke,
        background_color=BACKGROUND,
        height=canvas_height,
        width=canvas_width,
        drawing_mode=mode,
        initial_drawing=st.session_state[keys["seed"]],
        return_image_data=editable,
        key=f"whiteboard_canvas_{session_id}_{st.session_state.get(keys['generation'], 0)}_{int(full)}",
        disabled=not editable,
        font_size=18,
    )
    drawing = result.json_data
    board = BoardSnapshot(drawing or _empty(), None)
    if editable and isinstance(drawing, dict):
        png = _png(result)
        if tool == "Arrow" and add_arrow_heads(drawing, json.loads(st.session_state[keys["saved"]])):
            st.session_state[keys["seed"]] = drawing  # the canvas reloads with the heads drawn
            png = None  # the rendered PNG has no heads yet; the next change saves one that has
        board = BoardSnapshot(drawing, png)
        digest = _digest(drawing)
        if digest != st.session_state[keys["saved"]]:
            try:
                save_snapshot(ws, session_id, drawing, png)
                st.session_state[keys["saved"]] = digest
                st.session_state.pop(keys["error"], None)
            except WorkspaceError as exc:
                st.session_state[keys["error"]] = str(exc)
    if st.session_state.get(keys["error"]):
        st.warning(f"The drawing was not saved: {st.session_state[keys['error']]}")
    st.caption(describe(analyse(read_board(board.fabric_json), reference_components)))
    return board


def _png(result: Any) -> bytes | None:
    try:
        return result.image_bytes
    except RuntimeError:  # image data not requested
        return None
