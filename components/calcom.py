"""The Cal.com client for this process, when a key is configured (Streamlit secrets or environment).

One client per key and base URL, shared by every browser session, so the client-side rate limiter
sees all of the workspace's requests.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from components.llm_choice import secrets
from core.config import Settings
from core.scheduling.calcom.client import CalcomClient
from core.scheduling.calcom.credentials import calcom_api_key, calcom_webhook_secret


def calcom_client(settings: Settings) -> CalcomClient | None:
    key = calcom_api_key(secrets())
    if key is None:
        return None
    fingerprint = hashlib.sha256(key.encode()).hexdigest()
    return _client(settings.scheduling.calcom_base_url, settings.request_timeout_seconds, fingerprint, key)


@st.cache_resource(show_spinner=False, on_release=CalcomClient.close)  # its open connections close with it
def _client(  # the key is not hashed into the cache key (leading underscore); its fingerprint is
    base_url: str, timeout: float, fingerprint: str, _key: str
) -> CalcomClient:
    return CalcomClient(_key, base_url=base_url, timeout=min(timeout, 30.0))


def webhook_secret_set() -> bool:
    return calcom_webhook_secret(secrets()) is not None
