"""Signing in through a real OpenID Connect provider on loopback (oidc-provider-mock), by Streamlit's st.login:
/signin → the provider's authorization page → /oauth2callback → the workspace, signed in, both for a newcomer
from an allow-listed domain and for a person an admin invited; someone whose verified email is neither invited
nor allow-listed is told so and gets no account."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from core.accounts.services import add_account
from core.config import Settings
from core.permissions.actor import Actor
from entry.bootstrap import build_workspace
from tests.e2e.conftest import find_account_or_none, running_server, screenshot, wait_for_app
from tests.oidc_provider import ProviderUser, oidc_provider

NEWCOMER = ProviderUser("olivia@example.org", "Olivia Organisation")  # allow-listed domain
INVITED = ProviderUser("ivan@partner.test", "Ivan at Partner")  # an admin added "Ivan Invited" as interviewer
STRANGER = ProviderUser("sam@elsewhere.test", "Sam Stranger")  # verified, but not invited


def test_sign_in_through_the_organisations_identity_provider(browser: Browser, tmp_path: Path) -> None:
    ws = build_workspace(Settings(runtime_dir=tmp_path))
    add_account(
        ws, email=INVITED.email, name="Ivan Invited", roles=["interviewer"], actor=Actor.workspace("e2e set-up")
    )
    with oidc_provider([NEWCOMER, INVITED, STRANGER], tmp_path / "oidc-provider.log") as provider:
        env = {
            "IW_ACCOUNTS__OIDC_ENABLED": "true",
            "IW_ACCOUNTS__OIDC_ALLOWED_DOMAINS": json.dumps(["example.org"]),
            "IW_OIDC_SERVER_METADATA_URL": provider.metadata_url,
            "IW_OIDC_CLIENT_ID": "interview-workspace",
            "IW_OIDC_CLIENT_SECRET": "e2e-client-secret",  # the mock accepts any client
            "IW_OIDC_COOKIE_SECRET": "e2e-cookie-secret-0123456789abcdef",
            "IW_OIDC_REDIRECT_URI": "http://127.0.0.1:{port}/oauth2callback",  # Streamlit fills in its port
        }
        with running_server(tmp_path, env) as url:
            for user in (NEWCOMER, INVITED, STRANGER):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.set_default_timeout(20_000)
                try:
                    sign_in_at_provider(page, url, provider.url, user)
                    if user is NEWCOMER:
                        menu = page.get_by_role("button", name=NEWCOMER.name)  # the provider's name claim
                        expect(menu).to_be_visible()
                        menu.click()
                        expect(page.get_by_text(NEWCOMER.email)).to_be_visible()
                        expect(page.get_by_text("Roles: candidate")).to_be_visible()  # oidc_default_roles
                        screenshot(page, "oidc-signed-in")
                        assert {"_streamlit_user", "_streamlit_user_tokens"} <= cookie_names(context)
                        page.goto(f"{url}/signout")  # the menu's Sign out: st.login's cookies go too
                        assert not any(name.startswith("_streamlit_user") for name in cookie_names(context))
                        page.goto(url)
                        page.wait_for_url(f"{url}/signin?next=*")
                    elif user is INVITED:
                        page.get_by_role("button", name="Ivan Invited").click()  # the account the admin made
                        expect(page.get_by_text("Roles: interviewer")).to_be_visible()
                        expect(page.get_by_role("link", name="Live session")).to_be_visible()
                    else:
                        expect(page.get_by_text("You have not been invited to this workspace")).to_be_visible()
                        expect(page.get_by_role("button", name=NEWCOMER.name)).to_have_count(0)
                        expect(page.get_by_role("navigation", name="App pages")).to_have_count(0)
                        screenshot(page, "oidc-not-invited")
                        # The signed-out screen's own button (st.login in a page run) goes back to the provider.
                        page.get_by_role("button", name="Sign in with your organisation").click()
                        page.wait_for_url(f"{provider.url}/oauth2/authorize?*")
                finally:
                    context.close()
    assert find_account_or_none(ws, NEWCOMER.email) is not None
    assert find_account_or_none(ws, STRANGER.email) is None


def cookie_names(context: BrowserContext) -> set[str]:
    return {cookie["name"] for cookie in context.cookies()}


def sign_in_at_provider(page: Page, url: str, provider_url: str, user: ProviderUser) -> None:
    page.goto(url)
    page.wait_for_url(f"{url}/signin?next=*")
    page.get_by_role("link", name="Sign in with your organisation").click()
    page.wait_for_url(f"{provider_url}/oauth2/authorize?*")
    page.get_by_role("button", name=user.email).click()  # the provider's one-click predefined user
    page.wait_for_url(f"{url}/**")
    wait_for_app(page)
