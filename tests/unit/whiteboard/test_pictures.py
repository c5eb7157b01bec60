"""The whiteboard's pictures: arrow heads painted on the white backdrop, the canvas's PNG laid over it."""

from __future__ import annotations

import io

from PIL import Image

from core.whiteboard.analysis import ArrowHead
from core.whiteboard.pictures import backdrop_png, board_png

HEAD = ArrowHead(100, 50, 0.0, 14, "rgb(220, 38, 38)")  # pointing right, its tip at x = 107


def _open(png: bytes | None) -> Image.Image:
    assert png is not None
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_the_backdrop_is_white_with_the_heads_painted_on() -> None:
    backdrop = _open(backdrop_png([HEAD], 200, 100))
    assert backdrop.size == (200, 100)
    assert backdrop.getpixel((104, 50)) == (220, 38, 38)
    assert backdrop.getpixel((110, 50)) == backdrop.getpixel((10, 10)) == (255, 255, 255)


def test_the_saved_picture_lays_the_drawing_over_the_heads() -> None:
    canvas = Image.new("RGBA", (200, 100), (0, 0, 0, 0))  # the canvas's own PNG: see-through but for its strokes
    for x in range(60, 101):
        canvas.putpixel((x, 50), (31, 41, 55, 255))  # the arrow's line, ending at the head's centre
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    picture = _open(board_png(out.getvalue(), [HEAD]))
    assert picture.size == (200, 100)
    assert picture.getpixel((104, 50)) == (220, 38, 38)  # the head, past the line's end
    assert picture.getpixel((80, 50)) == (31, 41, 55)  # the drawing, on top
    assert picture.getpixel((180, 90)) == (255, 255, 255)  # the white board, not see-through
    assert board_png(None, [HEAD]) is None
