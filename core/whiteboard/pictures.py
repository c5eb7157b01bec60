"""The whiteboard as a picture: arrow heads painted on the board's white, and the canvas's own PNG laid over them.

The canvas (streamlit-drawable-canvas) draws on a see-through layer above a background picture. The
whiteboard paints its arrow heads into that background (`backdrop_png`), so they show at once without
reloading the canvas; `board_png` puts the two layers together as the PNG kept with a snapshot.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw

from core.whiteboard.analysis import ArrowHead


def backdrop_png(heads: Sequence[ArrowHead], width: int, height: int, background: str = "#ffffff") -> bytes:
    """A `width`×`height` PNG in the background colour with the arrow heads painted on."""
    picture = Image.new("RGBA", (width, height), background)
    pen = ImageDraw.Draw(picture)
    for head in heads:
        pen.polygon(head.polygon(), fill=head.colour)
    return _png(picture)


def board_png(canvas_png: bytes | None, heads: Sequence[ArrowHead], background: str = "#ffffff") -> bytes | None:
    """The canvas's PNG over its backdrop: the board as the person sees it. None without a canvas PNG."""
    if not canvas_png:
        return None
    drawn = Image.open(io.BytesIO(canvas_png)).convert("RGBA")
    board = Image.open(io.BytesIO(backdrop_png(heads, *drawn.size, background=background))).convert("RGBA")
    board.alpha_composite(drawn)
    return _png(board.convert("RGB"))


def _png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()
