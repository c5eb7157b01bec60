"""The quick note box: keystroke-level capture for live notes.

A small Components-v2 element (inline HTML and JavaScript, no build step): every pause in typing
sends the text as the `draft` state (saved as a draft note), Enter sends it as the `submit` trigger
(the note is added and the box clears), Shift+Enter breaks the line, and "n" anywhere on the page
outside a text field jumps into the box. Streamlit widgets only report on Enter or blur, which would
lose a half-typed note to a closed tab.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

_HTML = """
<div class="iw-note">
  <textarea rows="2" aria-label="Quick note" data-testid="iw-note-box"></textarea>
  <div class="iw-note-hint"></div>
</div>
"""

_CSS = """
.iw-note textarea {
  width: 100%; box-sizing: border-box; resize: vertical; min-height: 3.2rem;
  font: inherit; font-size: 0.95rem; padding: 0.5rem 0.75rem; border-radius: 0.5rem;
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  background: var(--st-secondary-background-color, #f0f2f6); color: var(--st-text-color, inherit);
}
.iw-note textarea:focus { outline: 2px solid var(--st-primary-color, #ff4b4b); outline-offset: -1px; }
.iw-note-hint { font-size: 0.8rem; opacity: 0.65; margin-top: 0.2rem; }
"""

_JS = """
export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  const box = parentElement.querySelector("textarea");
  const hint = parentElement.querySelector(".iw-note-hint");
  box.placeholder = data.placeholder || "";
  if (!box.dataset.ready) {
    box.dataset.ready = "1";
    box.value = data.text || "";
    hint.textContent = data.hint || "";
    let timer = null;
    const flush = () => { timer = null; setStateValue("draft", box.value); hint.textContent = data.saved_hint || ""; };
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(flush, data.debounce_ms || 600);
      hint.textContent = "Saving…";
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        const text = box.value;
        if (!text.trim()) return;
        clearTimeout(timer);
        timer = null;
        box.value = "";
        hint.textContent = "Added.";
        setTriggerValue("submit", text);
      } else if (event.key === "Escape") {
        box.blur();
      }
    });
  }
  const jump = (event) => {
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    const typing = target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
    if (event.key === "n" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
    }
  };
  document.addEventListener("keydown", jump);
  return () => document.removeEventListener("keydown", jump);
}
"""

_note_box = st.components.v2.component("iw_note_capture", html=_HTML, css=_CSS, js=_JS)


def render_note_box(
    *,
    key: str,
    text: str,
    placeholder: str,
    hint: str,
    on_draft: Callable[[], None],
    on_submit: Callable[[], None],
) -> Any:
    """Mount the box; the callbacks read st.session_state[key].draft / .submit."""
    return _note_box(
        key=key,
        data={"text": text, "placeholder": placeholder, "hint": hint, "saved_hint": "Draft saved.", "debounce_ms": 600},
        default={"draft": text},
        on_draft_change=on_draft,
        on_submit_change=on_submit,
    )
