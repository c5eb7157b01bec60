"""Which Transcriber runs: the one place that reads `transcription.engine` from the settings.

Offline (the default) is faster-whisper on this machine: tiny.en for the live tier, Whisper base
for the accurate tier (uploads, the pass after an interview). OpenAI, when configured, serves
both tiers with the same model; its key comes from the caller or OPENAI_API_KEY, never from
config files.
"""

from __future__ import annotations

from typing import Literal

from core.config import Settings
from core.transcription import Transcriber, accurate_transcriber, live_transcriber

Tier = Literal["live", "accurate"]


def transcriber_for(settings: Settings, tier: Tier, api_key: str | None = None) -> Transcriber:
    """The transcriber for a tier under these settings; raises AudioError (e.g. no OpenAI key) before any audio."""
    if tier not in ("live", "accurate"):
        raise ValueError(f"unknown transcription tier {tier!r}; expected 'live' or 'accurate'")
    if settings.transcription.engine == "openai":
        from core.openai_transcription import OpenAITranscriber, missing_key_error
        from core.providers import base_url_for, resolve_api_key

        key = resolve_api_key("openai", entered=api_key)  # typed/passed key first, then OPENAI_API_KEY
        if key is None:
            raise missing_key_error()
        return OpenAITranscriber(
            settings.transcription.openai_model,
            api_key=key,
            base_url=base_url_for(settings, "openai"),
            timeout=settings.request_timeout_seconds,
        )
    if tier == "live":
        return live_transcriber()
    from core.recordings import models_dir  # imported here: core.recordings will import this module

    return accurate_transcriber(models_dir(settings))
