"""The loopback OpenAI fake as the provider whose key the server holds, and a workspace that uses it: the
evaluations paid by the server's key (on a worker) and by a person's own key (in their page)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Price, ProviderSettings, Settings
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.integration.evaluation.server_key import KEY
from tests.llm_fakes import OpenAIServer


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIServer]:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)  # the server's key, where a worker finds it
    with OpenAIServer(api_key=KEY, models=["gpt-test"]) as fake:
        yield fake


@pytest.fixture
def ws(database_url: str, tmp_path: Path, server: OpenAIServer) -> Workspace:
    settings = Settings(
        database_url=database_url,
        runtime_dir=tmp_path,
        request_timeout_seconds=5,
        providers={"openai": ProviderSettings(models=["gpt-test"], base_url=server.base_url)},
        prices={"gpt-test": Price(input=1.0, output=2.0)},
    )
    return build_workspace(settings)
