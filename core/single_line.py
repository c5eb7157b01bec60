"""One-line text from outside (a name, an email, a title): no line breaks, no control characters.

Names and emails arrive from webhooks, forms and resumes and end up in mail headers, calendar
properties, file names and log lines. A CR/LF there starts a new header ("\\r\\nBcc: …"), and other
control characters (NUL, ESC, DEL, C1 codes, Unicode line/paragraph separators) break or disguise what
is shown. So such fields are cleaned once where they enter the workspace, and again where they become
a header, with this one function.
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls, plus the Unicode line and paragraph separators (category Zl/Zp)
# that some readers also treat as a line break.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def single_line(text: str | None) -> str:
    """`text` on one line: every control character or run of whitespace becomes one space, ends trimmed.

    A tab, CR or LF separates words, so it turns into a space rather than vanishing: "Ana\\r\\nRossi" is
    "Ana Rossi".
    """
    if not text:
        return ""
    return " ".join(_CONTROL.sub(" ", str(text)).split())
