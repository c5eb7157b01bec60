"""Clocks that tick in the browser.

The server says where each clock stood when the page ran and whether it is running; the browser moves it on
every second. An open interview page then costs the server nothing between real changes, where a timed
fragment reran the page every second for each open tab. A small Components-v2 element (inline HTML and
JavaScript, no build step), like the note box.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import streamlit as st

_HTML = '<div class="iw-clocks" role="group" aria-label="Clocks"></div>'

_CSS = """
.iw-clocks { display: flex; gap: 2.5rem; flex-wrap: wrap; }
.iw-clock-label { font-size: 0.875rem; color: var(--st-text-color, inherit); opacity: 0.8; }
.iw-clock-value { font-size: 2.25rem; line-height: 1.2; font-variant-numeric: tabular-nums; }
.iw-clock-delta { display: inline-block; font-size: 0.875rem; padding: 0.05rem 0.5rem; border-radius: 1rem; }
.iw-clock-delta.ok { color: #0b7a3e; background: rgba(33, 195, 84, 0.12); }
.iw-clock-delta.ending { color: #6b6f76; background: rgba(128, 132, 149, 0.14); }
.iw-clock-delta.over { color: #c4281c; background: rgba(255, 43, 43, 0.1); }
.iw-clock-note { font-size: 0.875rem; margin-top: 0.35rem; color: #b35c00; }
"""

_JS = """
function clockText(seconds) {
  const s = Math.max(0, Math.floor(Math.abs(seconds)));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(r)}` : `${two(m)}:${two(r)}`;
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".iw-clocks");
  const clocks = data.clocks || [];
  const started = Date.now();
  root.replaceChildren(...clocks.map((clock) => {
    const box = document.createElement("div");
    box.setAttribute("role", "timer");
    box.setAttribute("aria-label", clock.label);
    box.dataset.testid = "iw-clock";
    if (clock.help) box.title = clock.help;
    box.innerHTML = '<div class="iw-clock-label"></div><div class="iw-clock-value"></div>' +
      '<span class="iw-clock-delta"></span><div class="iw-clock-note"></div>';
    box.querySelector(".iw-clock-label").textContent = clock.label;
    return box;
  }));
  // Only what changed is written: a page left open redraws nothing between seconds, and the browser lays
  // out nothing (the hand looks four times a second so that it turns on time).
  const put = (element, property, value) => {
    if (element[property] !== value) element[property] = value;
  };
  const draw = () => {
    const moved = (Date.now() - started) / 1000;
    clocks.forEach((clock, i) => {
      const box = root.children[i];
      const elapsed = clock.elapsed + (clock.running ? moved : 0);
      const left = clock.planned - elapsed;
      put(box.querySelector(".iw-clock-value"), "textContent", clockText(elapsed));
      const delta = box.querySelector(".iw-clock-delta");
      put(delta, "textContent", `${clockText(left)} ${left >= 0 ? "left" : "over"}`);
      const ending = left >= 0 && clock.ending_within > 0 && left <= clock.ending_within;
      put(delta, "className", "iw-clock-delta " + (left < 0 ? "over" : ending ? "ending" : "ok"));
      const note = left < 0 ? clock.over_note : ending ? clock.ending_note : clock.note;
      put(box.querySelector(".iw-clock-note"), "textContent", note || "");
    });
  };
  // A rerun calls this again with new data on the same element: the previous second hand must stop first,
  // or it keeps drawing the old figures over the new ones.
  clearInterval(root.iwTimer);
  draw();
  root.iwTimer = clocks.some((clock) => clock.running) ? setInterval(draw, 250) : undefined;
  return () => clearInterval(root.iwTimer);
}
"""

_clocks = st.components.v2.component("iw_ticking_clocks", html=_HTML, css=_CSS, js=_JS)


@dataclass(frozen=True)
class Clock:
    """One clock as the page ran: `elapsed` seconds so far of `planned`, moving on while `running`."""

    label: str
    elapsed: float
    planned: float
    running: bool
    help: str = ""
    note: str = ""  # shown under the clock while there is time left
    ending_within: float = 0.0  # seconds before the end when the clock turns grey with `ending_note`
    ending_note: str = ""
    over_note: str = ""  # shown once the planned time is used up


def render_clocks(clocks: list[Clock], *, key: str) -> None:
    _clocks(key=key, data={"clocks": [asdict(c) for c in clocks]})
