"""A session's facts (decision-makers, budget, timeline, alternatives) with where each was stated — the
facts tab, a note at 4:05, the transcript at 12:10 with the words — so a reader can check a fact
against what was actually said, and a fact heard but never typed into the facts tab still shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from components.plain_text import plain
from core.content.templates import InterviewTemplate
from core.live.session_facts import FactSource, SessionFact

NOT_RECORDED = "Not stated in the facts tab, the notes or the transcript."


def field_labels(template: InterviewTemplate) -> dict[str, str]:
    return {f.key: f.label for f in template.notes.fields if f.scope == "session"} if template.notes else {}


def source_line(sources: Sequence[FactSource]) -> str:
    """ "from note at 0:42 · transcript at 3:10, customer"."""
    return "from " + " · ".join(dict.fromkeys(s.label for s in sources))


def render_session_facts(template: InterviewTemplate, found: Mapping[str, Sequence[SessionFact]]) -> None:
    """Each session field: its facts, each with its sources and the words it was read from."""
    for key, label in field_labels(template).items():
        facts = found.get(key, ())
        st.markdown(f"**{label}**")
        if not facts:
            st.caption(NOT_RECORDED)
            continue
        for fact in facts:
            st.markdown(f"- {plain(fact.value)} — *{source_line(fact.sources)}*")
            quotes = [s for s in fact.sources if s.kind != "facts_tab" and s.quote]
            for source in dict((s.quote, s) for s in quotes).values():
                st.caption(f"{source.label}: “{plain(source.quote)}”")


def render_heard(facts: Sequence[SessionFact]) -> None:
    """Under a facts-tab field in the cockpit: what the notes and the transcript said that the field lacks."""
    heard = [f for f in facts if not f.from_facts_tab]
    if heard:
        st.caption("Heard: " + "; ".join(f"{plain(f.value)} ({source_line(f.sources)})" for f in heard))
