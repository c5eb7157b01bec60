"""Every provider id spelled once: the registry (core.llm.providers), the chat adapters and their error
words, config's `interviewer_provider`, the transcriber and the command line all use these names.

A top-level module so that core.config can use it too (core.llm imports core.config, so config importing
core.llm would be a cycle). The ids are stored with sessions and token usage and shown on the Setup page:
their values never change. A provider's config section (`providers.openai_compatible` for
"openai-compatible") is not spelled here: ProviderInfo.config_key maps an id to it.
"""

from __future__ import annotations

from typing import Final, Literal

ProviderId = Literal["offline", "openai", "anthropic", "openai-compatible"]

OFFLINE: Final = "offline"
OPENAI: Final = "openai"
ANTHROPIC: Final = "anthropic"
OPENAI_COMPATIBLE: Final = "openai-compatible"

PROVIDER_IDS: Final[tuple[ProviderId, ...]] = (OFFLINE, OPENAI, ANTHROPIC, OPENAI_COMPATIBLE)
"""In the order they are offered; mypy checks each against ProviderId, a unit test checks none is missing."""
