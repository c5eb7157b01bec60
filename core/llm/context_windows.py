"""How many tokens (prompt and answer together) a model takes: what its server says, else config, else a default.

A self-hosted server may say: llama.cpp's `GET /props` gives the window each request gets
(`default_generation_settings.n_ctx`, set with --ctx-size) and its `/v1/models` entries the window the
model was trained on (`meta.n_ctx_train`, an upper bound only: the server may run with less); vLLM's
`/v1/models` entries carry `max_model_len`. Ollama's OpenAI-compatible API says nothing, nor do hosted
providers: for them config's `providers.<name>.context_windows` (by model) or `context_window` counts, then
the known hosted models (core.config.HOSTED_CONTEXT_WINDOWS), then the provider's default below.

What a server said is kept per process for a few minutes (a changed --ctx-size is noticed after that), and
so is its silence, for a shorter while: the question costs two small GETs, not one per turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.config import HOSTED_CONTEXT_WINDOWS, ProviderSection, ProviderSettings

DEFAULT_WINDOWS: dict[ProviderSection, int] = {
    "openai": 128_000,
    "anthropic": 200_000,
    # Ollama's default num_ctx on a small machine, and a common --ctx-size: a model with more is told so in config
    "openai_compatible": 4_096,
}
KEEP_SAID_SECONDS = 600.0
KEEP_SILENCE_SECONDS = 60.0
ASK_TIMEOUT_SECONDS = 5.0  # the server answers these from memory, even while it generates

GetJson = Callable[[str], object]
"""GET a URL and give its JSON body, or None when there is none (an error status, no connection, not JSON)."""


def configured_window(section_key: ProviderSection, section: ProviderSettings | None, model: str) -> int:
    """The window config gives a model, or the known one of a hosted model, or the provider's default."""
    if section is not None and model in section.context_windows:
        return section.context_windows[model]
    if section is not None and section.context_window is not None:
        return section.context_window
    return HOSTED_CONTEXT_WINDOWS.get(section_key, {}).get(model, DEFAULT_WINDOWS[section_key])


@dataclass(frozen=True)
class ServerSays:
    """What a server told about its window: the one it runs with, or only the one its model was trained on."""

    window: int | None = None
    trained: int | None = None

    def applied_to(self, configured: int) -> int:
        if self.window is not None:
            return self.window
        return min(configured, self.trained) if self.trained is not None else configured


def ask_server(base_url: str, model: str, get_json: GetJson) -> ServerSays:
    """Ask an OpenAI-compatible server at `base_url` (…/v1) about its window for `model`: /props, then /v1/models."""
    base = base_url.rstrip("/")
    root = base.removesuffix("/v1")
    props = get_json(f"{root}/props")
    if isinstance(props, dict):
        settings = props.get("default_generation_settings")
        n_ctx = _positive(settings.get("n_ctx") if isinstance(settings, dict) else None) or _positive(
            props.get("n_ctx")
        )
        if n_ctx is not None:
            return ServerSays(window=n_ctx)
    entry = _model_entry(get_json(f"{base}/models"), model)
    if entry is None:
        return ServerSays()
    if (max_model_len := _positive(entry.get("max_model_len"))) is not None:
        return ServerSays(window=max_model_len)
    meta = entry.get("meta")
    return ServerSays(trained=_positive(meta.get("n_ctx_train")) if isinstance(meta, dict) else None)


class ServedWindows:
    """What servers said, per (base URL, model), kept a while: process-wide and thread-safe."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._said: dict[tuple[str, str], tuple[ServerSays, float]] = {}
        self._lock = threading.Lock()

    def get(self, base_url: str, model: str, get_json: GetJson) -> ServerSays:
        key = (base_url.rstrip("/"), model)
        now = self._clock()
        with self._lock:
            kept = self._said.get(key)
        if kept is not None and kept[1] > now:
            return kept[0]
        said = ask_server(base_url, model, get_json)
        keep = KEEP_SAID_SECONDS if said != ServerSays() else KEEP_SILENCE_SECONDS
        with self._lock:
            self._said[key] = (said, now + keep)
        return said


SERVED_WINDOWS = ServedWindows()


def _model_entry(listing: object, model: str) -> dict[str, object] | None:
    """The /v1/models entry of `model`, or the only entry of a server that serves one model under any name."""
    data = listing.get("data") if isinstance(listing, dict) else None
    entries = [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []
    named = [e for e in entries if e.get("id") == model]
    if named:
        return named[0]
    return entries[0] if len(entries) == 1 else None


def _positive(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
