"""Page timings under AppTest, with the pages compiled once as the server compiles them.

AppTest makes a new ScriptCache for every run, so each run parses and compiles app.py and the page
again: about half of a run, the same with or without data, which makes a heavy page look closer to an
empty one than it is on the server.
"""

from __future__ import annotations


def compile_pages_once() -> None:
    """AppTest compiles app.py and the page again on every run (a new ScriptCache each time), which the
    server does once: that half of each run would hide what the sessions cost. One cache, as the server has."""
    import streamlit.testing.v1.app_test as app_test
    import streamlit.testing.v1.local_script_runner as local_script_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[misc,assignment]
    local_script_runner.ScriptCache = lambda: shared  # type: ignore[misc,assignment]
