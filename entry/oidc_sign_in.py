"""Signing in with the organisation's identity provider (OpenID Connect) through Streamlit's own st.login.

Streamlit serves the flow itself: /auth/login?provider=<short-lived signed token> sends the browser to the
provider, /oauth2callback brings it back, lets Authlib check the answer and sets Streamlit's signed identity
cookie, which st.user reads; components/signed_in.py turns that identity into an account. This module adds
the one address the /signin page links to (/signin/oidc, which mints a fresh token at the click, so a page
left open does not go stale) and the environment form of Streamlit's [auth] section.

The OIDC client's secrets are Streamlit's [auth] section: .streamlit/secrets.toml as Streamlit documents it,
or the IW_OIDC_* variables below, which server.py hands to st.App(secrets=...). Never config.yaml.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from streamlit.auth_util import get_secrets_auth_section, is_authlib_installed, validate_auth_credentials
from streamlit.errors import StreamlitAuthError
from streamlit.user_info import generate_login_redirect_url

if TYPE_CHECKING:
    from streamlit.runtime.secrets import SecretsValue

log = logging.getLogger(__name__)

START_PATH = "/signin/oidc"  # under /signin: open to a browser that is not signed in
DEFAULT_PROVIDER = "default"  # Streamlit's name for the provider given at the top of [auth]
# Variable -> key of Streamlit's [auth] section. redirect_uri may hold "{port}" (Streamlit fills in the port).
ENV_KEYS = {
    "IW_OIDC_SERVER_METADATA_URL": "server_metadata_url",
    "IW_OIDC_CLIENT_ID": "client_id",
    "IW_OIDC_CLIENT_SECRET": "client_secret",
    "IW_OIDC_COOKIE_SECRET": "cookie_secret",
    "IW_OIDC_REDIRECT_URI": "redirect_uri",
}


def auth_secrets_from_env(environ: Mapping[str, str]) -> dict[str, SecretsValue] | None:
    """Streamlit's [auth] section built from the IW_OIDC_* variables, for st.App(secrets=...); None when none
    is set. When given, they stand for the whole [auth] section (st.App replaces a top-level secrets key whole),
    so give the client either here or in secrets.toml, not half in each."""
    section: dict[str, SecretsValue] = {
        key: environ[name].strip() for name, key in ENV_KEYS.items() if environ.get(name, "").strip()
    }
    return {"auth": section} if section else None


def provider_name(auth_section: Mapping[str, object]) -> str:
    """The provider st.login uses: the one at the top of [auth], else the first [auth.<name>] sub-section."""
    if "client_id" in auth_section or "server_metadata_url" in auth_section:
        return DEFAULT_PROVIDER
    names = [name for name, value in auth_section.items() if isinstance(value, Mapping) and "client_id" in value]
    return names[0] if names else DEFAULT_PROVIDER


def configured_provider() -> str:
    """The provider name to pass to st.login for this server's [auth] section."""
    return provider_name(get_secrets_auth_section())


def oidc_problem() -> str | None:
    """Why st.login cannot start (no Authlib, an incomplete [auth] section), or None when it can. Streamlit's
    messages name the missing keys, never a value."""
    if not is_authlib_installed():
        return "Authlib is not installed."
    try:
        validate_auth_credentials(configured_provider())
    except StreamlitAuthError as exc:
        return " ".join(str(exc).split())
    return None


def oidc_routes(enabled: Callable[[], bool]) -> list[Route]:
    """GET /signin/oidc: the /signin page's "Sign in with your organisation" button (`enabled` reads
    accounts.oidc_enabled)."""

    async def start(_request: Request) -> Response:
        if not enabled():
            return RedirectResponse("/signin", status_code=303)
        problem = oidc_problem()
        if problem:
            log.error("OIDC sign-in is on but not configured", extra={"problem": problem})
            return _not_configured()
        return RedirectResponse(generate_login_redirect_url(configured_provider()), status_code=303)

    return [Route(START_PATH, start, methods=["GET"])]


def _not_configured() -> HTMLResponse:
    message = (
        "Sign-in with your organisation is not set up on this server yet. Sign in with your email and "
        "password, or ask an administrator to finish the identity provider's configuration."
    )
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · Interview Workspace</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        '<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; line-height: 1.45">'
        f'<h1>Sign in</h1><p role="alert">{html.escape(message)}</p><p><a href="/signin">Back to sign-in</a></p>'
        "</body></html>"
    )
    return HTMLResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
