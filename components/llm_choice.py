"""The provider, model and key this browser tab talks to.

Keys typed on the Setup page stay in this tab's memory (Session State) only: they are never
stored, logged or sent anywhere but the provider. Keys from Streamlit secrets or the
environment are read on each use, and go only to the server config names: a base URL entered on
Setup gets only a key typed there, so nobody can point the server's key at a server of their own.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from components.resources import get_workspace
from components.signed_in import current_account
from core.interview.services import UsageSummary
from core.llm.base_url import same_server
from core.llm.chat_errors import host_of
from core.llm.providers import PROVIDERS, LLMChoice, base_url_for, resolve_api_key
from core.models import Session
from core.permissions.policy import Action, allowed

ENTERED_KEYS = "llm_entered_keys"  # provider -> key typed on Setup, this tab only
ENTERED_BASE_URLS = "llm_entered_base_urls"  # provider -> base URL entered on Setup (checked), this tab only
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


def remember_base_url(provider: str, base_url: str | None) -> None:
    """The server entered on Setup for this provider (None: forget it, config's address applies)."""
    entered = st.session_state.setdefault(ENTERED_BASE_URLS, {})
    if base_url is None:
        entered.pop(provider, None)
    else:
        entered[provider] = base_url


def may_choose_server() -> bool:
    """Whether the signed-in person may point the workspace at a model server of their choosing (the policy)."""
    return allowed(current_account(), Action.CHOOSE_MODEL_SERVER)


def entered_base_url(provider: str) -> str | None:
    """The address this tab entered on Setup; None (config's) for someone who may not choose one."""
    if not may_choose_server():
        return None
    return st.session_state.get(ENTERED_BASE_URLS, {}).get(provider)


def server_key_withheld(provider: str) -> bool:
    """Whether the server's own key (secrets, environment) is kept from the server entered on Setup."""
    entered = entered_base_url(provider)
    return entered is not None and not same_server(entered, base_url_for(get_workspace().settings, provider))


def withheld_key_note(provider: str) -> str | None:
    """Why the server's key is not used, when it exists and the server entered on Setup is another one."""
    info = PROVIDERS[provider]
    if not info.key_variable or st.session_state.get(ENTERED_KEYS, {}).get(provider):
        return None
    if not server_key_withheld(provider) or not server_keys_allowed():
        return None
    if not resolve_api_key(provider, secrets=secrets()):
        return None
    configured = base_url_for(get_workspace().settings, provider)
    where = f"the server in config ({host_of(configured)})" if configured else "the server in config"
    return f"{info.key_variable} is sent only to {where}; paste a key above if this server needs one."


def key_source(provider: str) -> str | None:
    """Where the key would come from, to tell the user (never the key itself)."""
    info = PROVIDERS[provider]
    if not info.key_variable:
        return None
    if st.session_state.get(ENTERED_KEYS, {}).get(provider):
        return "entered on this page (kept in this tab's memory only)"
    if not server_keys_allowed() or server_key_withheld(provider):
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
    base_url = entered_base_url(provider)
    if not server_keys_allowed() or server_key_withheld(provider):  # only the key this person typed in this tab
        key = resolve_api_key(provider, entered=entered, secrets={}, environ={})
        return LLMChoice(provider, model, key, base_url=base_url)
    key = resolve_api_key(provider, entered=entered, secrets=secrets())
    server_key = bool(key) and not (entered and entered.strip())  # config's server only: see server_key_withheld
    return LLMChoice(provider, model, key, server_key=server_key, base_url=base_url)


def session_choice(session: Session) -> LLMChoice | None:
    """The model an interview was started with, and the key this tab can reach for it."""
    return choice_for(session.interviewer_provider, session.interviewer_model)


def usage_line(session: Session, usage: UsageSummary) -> str:
    """Who interviews and what it has cost so far: "OpenAI gpt-4o · 1,234 tokens · $0.0123", with the answer
    cache's share once an evaluation counted its answers ("· 3 of 3 model answers from the cache") and the provider's
    prompt cache's ("· 62% of input from the prompt cache"); for the
    offline engine, which runs on this machine, "Offline (built in) · free: no tokens, no cost"."""
    info = PROVIDERS[session.interviewer_provider]
    if not info.is_llm:
        return f"{info.label} · {FREE}"
    cost = f"${usage.cost_usd:.4f}" + (" + price unknown" if usage.unpriced_models else "")
    tokens = usage.input_tokens + usage.output_tokens
    line = f"{info.label} {session.interviewer_model} · {tokens:,} tokens · {cost}"
    for cached in (usage.prompt_cache_text(), usage.cache_text()):
        if cached:
            line += f" · {cached}"
    return line
