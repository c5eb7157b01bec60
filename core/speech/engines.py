"""Which Transcriber runs: the one place that reads `transcription.engine` from the settings.

Offline (the default) is faster-whisper on this machine: tiny.en for the live tier, Whisper base
for the accurate tier (uploads, the pass after an interview). OpenAI, when configured, serves
both tiers with the same model; its key comes from the caller or OPENAI_API_KEY, never from
config files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from core.config import Settings
from core.provider_ids import OPENAI
from core.speech.transcription import Transcriber, accurate_transcriber, live_transcriber

Tier = Literal["live", "accurate"]


def models_dir(settings: Settings) -> Path:
    """Where the accurate model is assembled: <runtime>/models/whisper-base/."""
    return settings.runtime_path / "models" / "whisper-base"


def transcriber_for(settings: Settings, tier: Tier, api_key: str | None = None) -> Transcriber:
    """The transcriber for a tier under these settings; raises AudioError (e.g. no OpenAI key) before any audio."""
    if tier not in ("live", "accurate"):
        raise ValueError(f"unknown transcription tier {tier!r}; expected 'live' or 'accurate'")
    if settings.transcription.engine == "openai":
        from core.llm.providers import base_url_for, resolve_api_key
        from core.speech.openai_transcription import OpenAITranscriber, missing_key_error

        key = resolve_api_key(OPENAI, entered=api_key)  # typed/passed key first, then OPENAI_API_KEY
        if key is None:
            raise missing_key_error()
        return OpenAITranscriber(
            settings.transcription.openai_model,
            api_key=key,
            base_url=base_url_for(settings, OPENAI),
            timeout=settings.request_timeout_seconds,
        )
    if tier == "live":
        return live_transcriber()
    return accurate_transcriber(models_dir(settings))
