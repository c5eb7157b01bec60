"""The cockpit's guide to the current stage: its purpose, the problem, the template's guidance and
suggested questions, the rule-based copilot, and follow-ups asked of an LLM on demand.

The copilot rereads the session every few seconds; the LLM's answer is kept in Session State for the
stage it was asked in, so it is shown under the copilot until the stage changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from components.cockpit.transcript import mic_on
from components.llm_choice import choice_for, key_source
from components.signed_in import current_actor
from core.live.copilot import Suggestion, suggest
from core.live.llm_copilot import llm_suggest
from core.live.sessions import Cockpit, cockpit
from core.llm.providers import PROVIDERS, models_for
from core.workspace import Workspace

LLM_IDEAS = "live_llm_ideas"  # (session id, stage, suggestions, note) from the last "Ask" click


def render_stage_brief(view: Cockpit) -> None:
    """The stage's title and purpose, the problem, and the template's guidance and questions (folded)."""
    stage = view.stage
    st.subheader(stage.title)
    if stage.purpose:
        st.caption(stage.purpose)
    if view.problem is not None:
        with st.expander("The problem", icon=":material/description:"):
            st.markdown(view.problem.statement)
    guide_col, questions_col = st.columns(2)
    with guide_col.expander("Guidance", icon=":material/explore:", expanded=False):
        for prompt in stage.prompts:
            st.markdown(f"- {prompt}")
    with questions_col.expander("Suggested questions", icon=":material/help:", expanded=False):
        for question in stage.questions:
            st.markdown(f"- {question.text}")


def _llm_providers(ws: Workspace) -> list[str]:
    """LLM providers this tab has a key for (entered on Setup, in secrets or in the environment)."""
    found = []
    for key, info in PROVIDERS.items():
        if info.is_llm and key_source(key) is not None and models_for(ws.settings, key):
            found.append(key)
    return found


def _ask_llm(ws: Workspace, session_id: str, provider: str, model: str) -> None:
    choice = choice_for(provider, model)
    if choice is None:
        return
    now = cockpit(ws, session_id, actor=current_actor())
    with st.spinner(f"Asking {PROVIDERS[provider].label}…"):
        answer = llm_suggest(
            ws, session_id, template=now.template, stage=now.live.stage, transcript=now.transcript,
            notes=now.notes, coverage=now.coverage, choice=choice,
        )  # fmt: skip
    st.session_state[LLM_IDEAS] = (session_id, now.live.stage, answer.suggestions, answer.note)


def render_llm_ask(ws: Workspace, view: Cockpit) -> None:
    """A popover to ask an LLM for follow-ups, only while the session is open and a provider has a key."""
    session = view.session
    providers = _llm_providers(ws)
    if providers and session.is_open:
        with st.popover("Ask an LLM for follow-ups", icon=":material/auto_awesome:"):
            provider = st.selectbox(
                "Provider", providers, format_func=lambda k: PROVIDERS[k].label, key=f"live_llm_provider_{session.id}"
            )
            model = st.selectbox("Model", models_for(ws.settings, provider), key=f"live_llm_model_{session.id}")
            st.caption("Sends the stage, its open goals, the last transcript lines and recent notes to the provider.")
            st.button(
                "Ask", key=f"live_llm_ask_{session.id}", on_click=_ask_llm, args=(ws, session.id, provider, model)
            )


def _ideas_markdown(ideas: Sequence[Suggestion]) -> str:
    return "\n".join(f"- {idea.text}  \n  :gray[{idea.why}]" for idea in ideas)


def render_copilot(ws: Workspace, session_id: str) -> None:
    """Suggestions for the interviewer's eyes; put it alone in its container. They follow the transcript and
    the notes: reread every 4 s while the microphone is transcribed, otherwise with each page run."""
    every = "4s" if mic_on(session_id) else None
    st.fragment(run_every=every)(_copilot)(ws, session_id)


def _copilot(ws: Workspace, session_id: str) -> None:
    now = cockpit(ws, session_id, actor=current_actor())
    ideas = suggest(
        now.template, stage=now.live.stage, transcript=now.transcript, notes=now.notes, coverage=now.coverage
    )
    with st.container(border=True):
        st.markdown(":material/lightbulb: **Copilot** — for you, not to be read out")
        if not ideas:
            st.caption("Every goal of this stage looks covered. Move on when you are ready.")
        st.markdown(_ideas_markdown(ideas))
        asked = st.session_state.get(LLM_IDEAS)
        if asked and asked[0] == session_id and asked[1] == now.live.stage:
            _sid, _stage, llm_ideas, note = asked
            if note:
                st.caption(f":orange[{note}]")
            st.markdown(_ideas_markdown(llm_ideas))
