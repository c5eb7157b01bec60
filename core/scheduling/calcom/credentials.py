"""Where the Cal.com API key and webhook secret come from: Streamlit secrets, else the environment.

They never live in config.yaml, never reach a log line, and are shown on pages only as "set"/"not set".
"""

from __future__ import annotations

import os
from collections.abc import Mapping

API_KEY_VARIABLE = "CALCOM_API_KEY"
WEBHOOK_SECRET_VARIABLE = "CALCOM_WEBHOOK_SECRET"


def _lookup(name: str, secrets: Mapping[str, object] | None, environ: Mapping[str, str] | None) -> str | None:
    if secrets is not None:
        value = secrets.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or None


def calcom_api_key(secrets: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    return _lookup(API_KEY_VARIABLE, secrets, environ)


def calcom_webhook_secret(
    secrets: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    return _lookup(WEBHOOK_SECRET_VARIABLE, secrets, environ)
