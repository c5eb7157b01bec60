"""The HTML part of an email, made from its plain text: the same words, escaped, with links that work.

Templates are written once, as text; the HTML part is derived so the two never say different things.
Everything a template filled in (a name from a webhook, a reason typed into a form) is escaped, so it shows
as text and can never become markup; only http(s) addresses become links.
"""

from __future__ import annotations

import html
import re

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_STYLE = "font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; color: #1f2328;"


def html_from_text(text: str, *, title: str = "") -> str:
    """A small HTML document: one paragraph per block of text (a blank line apart), line breaks kept."""
    blocks = [block for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if block.strip()]
    paragraphs = "\n".join(f"<p>{'<br>'.join(_line(line) for line in block.splitlines())}</p>" for block in blocks)
    head = f"<title>{html.escape(title)}</title>" if title else ""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"{head}</head>\n"
        f'<body><div style="{_STYLE}">\n{paragraphs}\n</div></body></html>\n'
    )


def _line(line: str) -> str:
    """One line, escaped, with each web address as a link to itself."""
    parts: list[str] = []
    last = 0
    for found in _URL.finditer(line):
        parts.append(html.escape(line[last : found.start()]))
        url = html.escape(found.group(0), quote=True)
        parts.append(f'<a href="{url}">{url}</a>')
        last = found.end()
    parts.append(html.escape(line[last:]))
    return "".join(parts)
