"""The provider, model and key this browser tab talks to.

Keys typed on the Setup page stay in this tab's memory (Session State) only: they are never
stored, logged or sent anywhere but the provider. Keys from Streamlit secrets or the
environment are read on each use.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from components.resources import get_workspace
from components.signed_in import current_account
from core.interview.services import UsageSummary
from core.llm.providers import PROVIDERS, LLMChoice, resolve_api_key
from core.models import Session
from core.permissions.policy import Action, allowed

ENTERED_KEYS = "llm_entered_keys"  # provider -> key typed on Setup, this tab only
FREE = "free: no tokens, no cost"  # what the offline engine costs


def secrets() -> Mapping[str, object] | None:
    try:
        return dict(st.secrets)
    except FileNotFoundError:  # StreamlitSecretNotFoundError: no secrets.toml — perfectly normal
        return None


def server_keys_allowed() -> bool:
    """Whether the signed-in person may spend the server's keys (an admin chooses the roles in settings)."""
    roles = frozenset(get_workspace().settings.accounts.server_key_roles)
    return allowed(current_account(), Action.USE_SERVER_KEYS, server_key_roles=roles)


def remember_key(provider: str, key: str) -> None:
    st.session_state.setdefault(ENTERED_KEYS, {})[provider] = key.strip()


def key_source(provider: str) -> str | None:
    """Where the key would come from, to tell the user (never the key itself)."""
    info = PROVIDERS[provider]
    if not info.key_variable:
        return None
    if st.session_state.get(ENTERED_KEYS, {}).get(provider):
        return "entered on this page (kept in this tab's memory only)"
    if not server_keys_allowed():
        return None
    found = secrets()
    if found and found.get(info.key_variable):
        return f"{info.key_variable} in Streamlit secrets"
    if resolve_api_key(provider, secrets=None):
        return f"{info.key_variable} in the environment"
    return None


def choice_for(provider: str, model: str | None) -> LLMChoice | None:
    info = PROVIDERS.get(provider)
    if info is None or not info.is_llm or not model:
        return None
    entered = st.session_state.get(ENTERED_KEYS, {}).get(provider)
    if not server_keys_allowed():  # only the key this person typed in this tab
        return LLMChoice(provider, model, resolve_api_key(provider, entered=entered, secrets={}, environ={}))
    key = resolve_api_key(provider, entered=entered, secrets=secrets())
    return LLMChoice(provider, model, key, server_key=bool(key) and not (entered and entered.strip()))


def session_choice(session: Session) -> LLMChoice | None:
    """The model an interview was started with, and the key this tab can reach for it."""
    return choice_for(session.interviewer_provider, session.interviewer_model)


def usage_line(session: Session, usage: UsageSummary) -> str:
    """Who interviews and what it has cost so far: "OpenAI gpt-4o · 1,234 tokens · $0.0123", with the answer
    cache's share once an evaluation counted its answers ("· 3 of 3 model answers from the cache"); for the
    offline engine, which runs on this machine, "Offline (built in) · free: no tokens, no cost"."""
    info = PROVIDERS[session.interviewer_provider]
    if not info.is_llm:
        return f"{info.label} · {FREE}"
    cost = f"${usage.cost_usd:.4f}" + (" + price unknown" if usage.unpriced_models else "")
    tokens = usage.input_tokens + usage.output_tokens
    line = f"{info.label} {session.interviewer_model} · {tokens:,} tokens · {cost}"
    cached = usage.cache_text()
    return f"{line} · {cached}" if cached else line
