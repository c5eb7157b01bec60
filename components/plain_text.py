"""Untrusted text (candidates' answers, transcript lines, names, booking fields, notes, quotes) inside Markdown.

Streamlit renders st.markdown, captions, alerts and chat messages as Markdown even without
unsafe_allow_html: `![x](http://host/x.png)` loads a remote image in the reader's browser, `[a](…)`
becomes a link, `:red[…]` and `$…$` change what is shown. Escaping the characters that mean something
with a backslash (CommonMark allows it for any ASCII punctuation) shows the text exactly as it was typed;
raw HTML is never rendered by Streamlit without unsafe_allow_html, and its `<` is escaped here too.
"""

from __future__ import annotations

import re

# Characters that start Markdown, HTML, entities, Streamlit directives (:red[…], :material/…:) or LaTeX
# anywhere in a line; "?", ".", "(" and the like mean nothing on their own and stay as they are.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~:$!&^])")
# Line starts that make a list, a heading underline or a rule: "- x", "+ x", "1. x", "2) x", "===".
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")


def plain(text: str | None) -> str:
    """`text` for a Markdown string, shown literally; line breaks are kept as line breaks."""
    if not text:
        return ""
    lines = []
    for line in str(text).splitlines():
        escaped = _SPECIAL.sub(r"\\\1", line.strip())
        lines.append(_LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], escaped))
    return "  \n".join(lines)


def without_images(markdown: str) -> str:
    """Markdown we let through (the interviewer's replies) with no way to load a picture: every `!` and `<`
    is escaped, so `![x](url)` stays a link at most. Safe chunk by chunk, for streamed replies too."""
    return markdown.replace("!", "\\!").replace("<", "\\<")
