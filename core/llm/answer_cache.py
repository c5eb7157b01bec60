"""Model answers kept under the SHA-256 of what was asked, so asking the same again costs nothing.

An evaluation is asked of the model several times (samples), and a long interview in several parts
(core.evaluation.chunked_evaluation); on a small local model that is minutes of work. Each answer that was
usable is kept, keyed by everything that decides it: the provider and model, the system prompt and the
messages exactly as sent (so the transcript part, the level, the problem and the rubric's text), which
sample it was and at what temperature, plus the rubric's id and version and the prompt's version named
outright. Re-running the evaluation, or a reviewer's second look, finds every answer and sends nothing; a
changed transcript, rubric, prompt or model finds none and asks again.

The key is a digest, never the text: the rows hold the answers (which quote the candidate) and belong to the
interview that asked first, so erasing that interview erases them (storage: a cascading foreign key).
A cache that cannot be reached is no cache: the model is asked, and the evaluation goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from core.errors import WorkspaceError
from core.llm.chat_models import ChatMessage, Usage
from core.models import CachedAnswer
from core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

KEY_SCHEME = 2  # raised when what goes into a key changes, so no old answer is taken for a new question


def answer_key(
    *,
    provider: str,
    model: str,
    host: str,
    system: str,
    messages: Sequence[ChatMessage],
    sample: int,
    temperature: float,
    versions: Mapping[str, str],
) -> str:
    """The SHA-256 (hex) of one question as sent: `versions` names what produced it (rubric, prompt)."""
    asked = {
        "scheme": KEY_SCHEME,
        "provider": provider,
        "model": model,
        "host": host,
        "system": system,
        "messages": [[m.role, m.content, [hashlib.sha256(png).hexdigest() for png in m.images]] for m in messages],
        "sample": sample,
        "temperature": temperature,
        "versions": dict(versions),
    }
    return hashlib.sha256(json.dumps(asked, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


class AnswerCache(Protocol):
    def get(self, key: str) -> CachedAnswer | None: ...
    def put(self, key: str, *, text: str, usage: Usage, provider: str, model: str, prompt_version: str) -> None: ...


class StoredAnswers:
    """The cache in the database, one short unit of work per look-up and per answer kept (an evaluation runs
    outside any transaction). `session_id` owns the answers kept."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork], *, session_id: str | None) -> None:
        self._uow_factory = uow_factory
        self._session_id = session_id

    def get(self, key: str) -> CachedAnswer | None:
        try:
            with self._uow_factory() as uow:
                return uow.answer_cache.get(key)
        except WorkspaceError as exc:  # the database is unreachable: ask the model instead
            log.warning("answer cache not read: %s", exc)
            return None

    def put(self, key: str, *, text: str, usage: Usage, provider: str, model: str, prompt_version: str) -> None:
        answer = CachedAnswer(
            key=key,
            provider=provider,
            model=model,
            prompt_version=prompt_version,
            text=text,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            session_id=self._session_id,
        )
        try:
            with self._uow_factory() as uow:
                uow.answer_cache.add(answer)
                uow.commit()
        except WorkspaceError as exc:  # the answer is used all the same; only a re-run pays for it again
            log.warning("answer not kept in the cache: %s", exc)
