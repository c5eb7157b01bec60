"""Who is using this browser tab: checked on every page run, from the sign-in cookie (a local account) or
Streamlit's OIDC identity (st.user). Pages read the result with `current_account()`.

The account is kept in session_state under a key no widget uses, and rewritten at the top of every run,
so what a page sees is never older than this run.
"""

from __future__ import annotations

import streamlit as st

from components.resources import get_workspace
from core.accounts.sign_in import Resumed, identity_account, note_identity_sign_in, resume
from core.errors import SignInRefused
from core.models import Account
from core.permissions.actor import Actor
from core.workspace import Workspace

COOKIE = "iw_session"  # entry/sign_in_routes.py sets it
_ACCOUNT_KEY = "_iw_signed_in_account"
_NOTED_KEY = "_iw_identity_sign_in_noted"  # the identity sign-in of this browser session is in the audit log


def check_sign_in(ws: Workspace) -> Resumed:
    """This run's account (or why there is none); remembered for current_account()."""
    result = _from_cookie(ws)
    if result.account is None and ws.settings.accounts.oidc_enabled:
        result = _from_identity_provider(ws) or result
    st.session_state[_ACCOUNT_KEY] = result.account
    return result


def current_account() -> Account:
    """The signed-in account. app.py checks it before any page runs; a page run on its own checks here."""
    account = st.session_state.get(_ACCOUNT_KEY)
    if not isinstance(account, Account):
        account = check_sign_in(get_workspace()).account
    if account is None:
        st.error("You are not signed in.")
        st.link_button("Sign in", "/signin")
        st.stop()
    return account


def current_actor() -> Actor:
    """The signed-in person as the services take them: the policy checks every call made with it."""
    return Actor.person(current_account())


def _from_cookie(ws: Workspace) -> Resumed:
    try:
        token = st.context.cookies.get(COOKIE)
    except RuntimeError:  # no browser behind this run (a bare script run)
        token = None
    return resume(ws, token if isinstance(token, str) else None)


def _from_identity_provider(ws: Workspace) -> Resumed | None:
    user = st.user
    if not user.get("is_logged_in"):
        return None
    email = str(user.get("email") or "")
    try:
        account = identity_account(
            ws, email=email, email_verified=bool(user.get("email_verified")), name=str(user.get("name") or "")
        )
    except SignInRefused as exc:
        st.session_state["_iw_sign_in_refused"] = str(exc)
        return None
    if st.session_state.get(_NOTED_KEY) != account.id:
        note_identity_sign_in(ws, account)
        st.session_state[_NOTED_KEY] = account.id
    return Resumed(account)
