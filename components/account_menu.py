"""The signed-in person's corner of every page (name, roles, sign out) and what a signed-out browser sees."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import quote

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from components.plain_text import plain
from core.models import Account
from core.workspace import Workspace
from entry.oidc_sign_in import configured_provider

# The menu sits in the top bar, left of Streamlit's own menu, instead of pushing every page down.
_PIN_TO_TOP_BAR = """<style>
.st-key-iw_account_menu { position: fixed; top: 0.55rem; right: 3.6rem; z-index: 999991; width: auto; }
.st-key-iw_account_menu button { padding: 0.15rem 0.7rem; min-height: 2.1rem; }
</style>"""
# Sign-in and sign-out are whole-page visits to the server's /signin and /signout (they set or clear the
# cookie), in this tab: a link button would open a new tab and leave this one signed in.
_LINK_STYLE = (
    "display:block;text-align:center;text-decoration:none;padding:0.45rem 0.9rem;border-radius:0.5rem;"
    "font-weight:500;{colours}"
)
_PRIMARY = "background:#ff4b4b;color:#fff;border:1px solid #ff4b4b;"
_SECONDARY = "background:#fff;color:#31333f;border:1px solid #d5d6da;"


def same_tab_link(label: str, href: str, *, primary: bool = False, key: str) -> None:
    """A button-looking link that the browser follows in this tab."""
    style = _LINK_STYLE.format(colours=_PRIMARY if primary else _SECONDARY)
    with st.container(key=key, width=260):
        st.html(f'<a href="{escape(href)}" target="_self" style="{style}">{escape(label)}</a>')


def render_account_menu(account: Account, personal: Sequence[StreamlitPage] = ()) -> None:
    """Every page: who is signed in, their own pages (notification settings, their activity), and the way out."""
    st.html(_PIN_TO_TOP_BAR)
    with (
        st.container(key="iw_account_menu"),
        st.popover(plain(account.name), icon=":material/account_circle:", type="tertiary"),
    ):
        st.markdown(f"**{plain(account.name)}**")
        st.caption(plain(account.email))
        roles = ", ".join(str(role) for role in account.roles) or "no role"
        st.caption(f"Roles: {roles}" + (f" · Team: {plain(account.team)}" if account.team else ""))
        for page in personal:
            st.page_link(page)
        same_tab_link("Sign out", "/signout", key="iw_sign_out")


def render_sign_in_needed(ws: Workspace, *, expired: bool) -> None:
    """A browser without a valid sign-in (its cookie expired or was signed out elsewhere) sees only this."""
    st.title("Interview Workspace")
    refused = st.session_state.pop("_iw_sign_in_refused", None)
    if refused:
        st.error(str(refused))
    elif expired:
        st.warning("Your session has expired. Please sign in again; nothing you saved is lost.")
    else:
        st.info("Sign in to run, practise and review interviews.")
    target = quote("/" + st.context.url.split("/", 3)[-1] if st.context.url else "/", safe="")
    same_tab_link("Sign in", f"/signin?next={target}", primary=True, key="iw_sign_in")
    if ws.settings.accounts.oidc_enabled:
        st.button("Sign in with your organisation", on_click=st.login, args=(configured_provider(),))
