"""Streamlit's [auth] section from the IW_OIDC_* variables, and which provider st.login is started with."""

from __future__ import annotations

from entry.oidc_sign_in import auth_secrets_from_env, provider_name

FULL = {
    "IW_OIDC_SERVER_METADATA_URL": "https://id.example.com/.well-known/openid-configuration",
    "IW_OIDC_CLIENT_ID": "workspace",
    "IW_OIDC_CLIENT_SECRET": "client-secret",
    "IW_OIDC_COOKIE_SECRET": "cookie-secret",
    "IW_OIDC_REDIRECT_URI": "https://interviews.example.com/oauth2callback",
}


def test_the_variables_become_streamlits_auth_section() -> None:
    assert auth_secrets_from_env({**FULL, "PATH": "/usr/bin", "IW_LOG_LEVEL": "INFO"}) == {
        "auth": {
            "server_metadata_url": "https://id.example.com/.well-known/openid-configuration",
            "client_id": "workspace",
            "client_secret": "client-secret",
            "cookie_secret": "cookie-secret",
            "redirect_uri": "https://interviews.example.com/oauth2callback",
        }
    }


def test_without_the_variables_secrets_toml_is_left_alone() -> None:
    assert auth_secrets_from_env({"PATH": "/usr/bin"}) is None
    assert auth_secrets_from_env({"IW_OIDC_CLIENT_ID": "  ", "IW_OIDC_CLIENT_SECRET": ""}) is None


def test_values_are_trimmed_and_blank_ones_left_out() -> None:
    section = auth_secrets_from_env({"IW_OIDC_CLIENT_ID": " workspace\n", "IW_OIDC_CLIENT_SECRET": " "})
    assert section == {"auth": {"client_id": "workspace"}}  # Streamlit then names the missing keys


def test_the_provider_is_the_default_one_or_the_first_named_section() -> None:
    assert (
        provider_name({"client_id": "workspace", "server_metadata_url": FULL["IW_OIDC_SERVER_METADATA_URL"]})
        == "default"
    )
    named = {
        "redirect_uri": "https://interviews.example.com/oauth2callback",
        "cookie_secret": "cookie-secret",
        "client_kwargs": {"prompt": "login"},
        "okta": {"client_id": "workspace", "client_secret": "s", "server_metadata_url": "https://okta.example/x"},
    }
    assert provider_name(named) == "okta"
    assert provider_name({}) == "default"
