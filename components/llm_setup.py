"""The Setup page's LLM part: the server's address, the model, the key and the connection check.

For an OpenAI-compatible server the person enters its base URL (config's, if any, is filled in) and may
load the models the server lists; the check warns when the server answers to any model name, as
llama.cpp's does. What is entered stays in this tab's memory (components.llm_choice); a loaded model
list is kept per server for this tab, and config's models are offered until one is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from components.llm_choice import (
    choice_for,
    entered_base_url,
    key_source,
    may_choose_server,
    remember_base_url,
    remember_key,
    withheld_key_note,
)
from core.errors import InvalidInput, WorkspaceError
from core.llm.base_url import EXAMPLE, parse_base_url
from core.llm.chat_errors import host_of
from core.llm.providers import PROVIDERS, LLMChoice, base_url_for, models_for
from core.llm.server_models import check_server, served_models
from core.provider_ids import OPENAI_COMPATIBLE
from core.workspace import Workspace

NO_SERVER = "No model server is configured for this workspace; ask the administrator to set one."
SERVER_MODELS = "setup_server_models"  # "provider base_url" -> the model ids that server listed, this tab only
RESULT = "setup_check_result"  # what the last check or model listing said (a Result)


@dataclass(frozen=True)
class Result:
    """What the last button said, for the server (and model) it was about; shown until those change."""

    server: str
    model: str | None = None  # the model a success is about (None: about the server only)
    success: str | None = None
    info: str | None = None
    warning: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ModelChoice:
    """What the person chose: the model, and why it cannot be used yet (a bad base URL), if it cannot."""

    model: str | None
    problem: str | None = None


def llm_settings(ws: Workspace, provider: str) -> ModelChoice:
    """Render the server, model and key fields of an LLM provider, and the check; returns the choice."""
    info = PROVIDERS[provider]
    base_url, problem = _base_url_field(ws, provider) if provider == OPENAI_COMPATIBLE else (None, None)
    server = f"{provider} {base_url or ''}"
    listed = st.session_state.get(SERVER_MODELS, {}).get(server)
    options = list(listed) if listed else models_for(ws.settings, provider)
    model_key = f"setup_model_{provider}"
    if st.session_state.get(model_key) not in options:  # a new list: its first model
        st.session_state[model_key] = options[0] if options else None
    llm_cols = st.columns([1, 1])
    model = llm_cols[0].selectbox("Model", options, key=model_key)
    if provider == OPENAI_COMPATIBLE:
        where = host_of(base_url) if base_url else "the server"
        from_config = "From config: **Load models** asks the server for its own."
        llm_cols[0].caption(f"Listed by the server at {where}." if listed else from_config)
    typed = llm_cols[1].text_input(
        f"API key{'' if info.key_required else ' (if the server needs one)'}",
        type="password",
        key=f"setup_key_{provider}",
        placeholder=f"or set {info.key_variable}",
        help="Kept in this browser tab's memory only: never stored or logged.",
    )
    if typed:
        remember_key(provider, typed)
    source = key_source(provider)
    if source:
        st.caption(f"Key: {source}.")
    elif note := withheld_key_note(provider):
        st.caption(note)
    elif info.key_required:
        st.caption(f"No key yet: paste one above, or set {info.key_variable} in the environment or secrets.")

    with st.container(horizontal=True):
        check = st.button("Check the connection", key="setup_check", disabled=problem is not None)
        load = provider == OPENAI_COMPATIBLE and st.button(
            "Load models", key="setup_load_models", disabled=problem is not None
        )
    choice = choice_for(provider, model) or LLMChoice(provider, model or "", base_url=base_url)
    if check:
        _check(ws, choice, server)
    elif load:
        _load_models(ws, choice, server)
    _show_result(server, model)
    return ModelChoice(model, problem)


def _base_url_field(ws: Workspace, provider: str) -> tuple[str | None, str | None]:
    """The base URL field, filled with what this tab entered last or config's; (url, None) or (None, problem)."""
    configured = base_url_for(ws.settings, provider)
    if not may_choose_server():
        st.text_input("Server base URL", value=configured or "", disabled=True, key=f"setup_base_url_fixed_{provider}")
        st.caption("The administrator sets which model server this workspace talks to.")
        return configured, None if configured else NO_SERVER
    field = f"setup_base_url_{provider}"
    st.session_state.setdefault(field, entered_base_url(provider) or configured or "")
    typed = st.text_input(
        "Server base URL",
        key=field,
        placeholder=EXAMPLE,
        help="Where the server answers, usually ending in /v1: llama.cpp http://localhost:8080/v1, "
        "Ollama http://localhost:11434/v1, vLLM http://localhost:8000/v1. Kept in this tab's memory.",
    )
    try:
        base_url = parse_base_url(typed)
    except InvalidInput as exc:
        remember_base_url(provider, None)
        st.error(str(exc))
        return None, str(exc)
    remember_base_url(provider, base_url)
    return base_url, None


def _check(ws: Workspace, choice: LLMChoice, server: str) -> None:
    info = PROVIDERS[choice.provider]
    with st.spinner(f"Asking {info.label}…"):
        try:
            report = check_server(ws.settings, choice)
        except WorkspaceError as exc:
            st.session_state[RESULT] = Result(server, error=str(exc))
            return
    if report.warning:  # it answered, but the model's name proves nothing: a sentence about the server
        st.session_state[RESULT] = Result(server, success=f"{info.label} answered.", warning=report.warning)
    else:
        success = f"{info.label} answered: the key works and {choice.model} is available."
        st.session_state[RESULT] = Result(server, choice.model, success=success)
    if report.models.ids:
        _remember_models(server, report.models.ids)


def _load_models(ws: Workspace, choice: LLMChoice, server: str) -> None:
    where = host_of(choice.base_url or "")
    with st.spinner(f"Asking {where} for its models…"):
        try:
            models = served_models(ws.settings, choice)
        except WorkspaceError as exc:
            st.session_state[RESULT] = Result(server, error=str(exc))
            return
    if not models.ids:
        st.session_state.get(SERVER_MODELS, {}).pop(server, None)
        said = "lists no models" if models.listed else "does not list its models"
        offered = f"The server at {where} {said}: the models in config are offered."
        st.session_state[RESULT] = Result(server, info=offered)
        return
    count = f"{len(models.ids)} model" + ("" if len(models.ids) == 1 else "s")
    st.session_state[RESULT] = Result(server, success=f"The server at {where} lists {count}: {', '.join(models.ids)}.")
    _remember_models(server, models.ids)


def _remember_models(server: str, ids: tuple[str, ...]) -> None:
    """Keep the list and run the page again, so the model picker above offers it now."""
    known = st.session_state.setdefault(SERVER_MODELS, {})
    if known.get(server) != list(ids):
        known[server] = list(ids)
        st.rerun()


def _show_result(server: str, model: str | None) -> None:
    result = st.session_state.get(RESULT)
    if not isinstance(result, Result) or result.server != server:
        return
    if result.error:
        st.error(result.error)
    if result.success and (result.model is None or result.model == model):
        st.success(result.success)
    if result.info:
        st.info(result.info)
    if result.warning:
        st.warning(result.warning, icon=":material/warning:")
