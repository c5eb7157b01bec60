"""Which models an OpenAI-compatible server serves, and whether it tells model names apart.

Servers list their models at GET /v1/models (`{"object": "list", "data": [{"id": …, "object": "model"}]}`);
the Setup page offers those instead of config's. llama.cpp's server answers to any model name — it runs the
one model it loaded whatever a request names — so a typo passes a connection check. The check here says so
honestly: the chosen name is compared with the listed ones, and a made-up name is sent as a probe.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

import openai

from core.config import Settings
from core.llm import chat_errors
from core.llm.chat_errors import Endpoint
from core.llm.chat_models import ChatError
from core.llm.openai_chat import NO_KEY_PLACEHOLDER
from core.llm.openai_errors import openai_error
from core.llm.providers import LLMChoice, base_url_of, validate_choice
from core.provider_ids import OPENAI_COMPATIBLE

LIST_TIMEOUT = 10.0  # seconds: a list is quick to answer, even for a small server busy with a reply
_NOT_LISTING = (404, 405, 501)  # statuses of a server that has no model list (not an error of ours)


@dataclass(frozen=True)
class ServerModels:
    """The model ids a server listed, in its order; `listed` is False when it has no model list at all."""

    ids: tuple[str, ...] = ()
    listed: bool = False

    def has(self, model: str) -> bool:
        """Whether `model` is listed; Ollama's "name" and "name:latest" are one model."""
        return any(same_model(model, listed) for listed in self.ids)


@dataclass(frozen=True)
class ServerCheck:
    """A connection check that passed: what the server lists, and a warning when names prove nothing."""

    models: ServerModels
    warning: str | None = None


def same_model(first: str, second: str) -> bool:
    a, b = first.strip(), second.strip()
    return a == b or a.removesuffix(":latest") == b.removesuffix(":latest")


def list_models(
    base_url: str | None,
    *,
    api_key: str | None = None,
    provider: str = OPENAI_COMPATIBLE,
    timeout: float = LIST_TIMEOUT,
) -> ServerModels:
    """GET {base_url}/models, once, within `timeout` seconds. Raises ChatError (unreachable, refused key,
    an answer that is no model list); a server without a model list gives ServerModels(listed=False)."""
    endpoint = Endpoint(provider, chat_errors.host_of(base_url or "localhost"))
    if not base_url:
        raise chat_errors.missing_base_url(endpoint)
    key = (api_key or "").strip() or NO_KEY_PLACEHOLDER
    client = openai.OpenAI(api_key=key, base_url=base_url, timeout=timeout, max_retries=0)
    try:
        page = client.models.list()
        data = page.data
    except openai.APIStatusError as exc:
        if exc.status_code in _NOT_LISTING:
            return ServerModels()
        raise openai_error(exc, endpoint, model="", secrets=(key,), timeout=timeout) from None
    except openai.OpenAIError as exc:
        raise openai_error(exc, endpoint, model="", secrets=(key,), timeout=timeout) from None
    except (AttributeError, TypeError, ValueError):  # the SDK could not read the body as a page (HTML, a bare list)
        raise _not_a_list(endpoint) from None
    finally:
        client.close()
    if not isinstance(data, list):
        raise _not_a_list(endpoint)
    ids: list[str] = []
    for item in data:
        model_id = getattr(item, "id", None)
        if not isinstance(model_id, str):
            raise _not_a_list(endpoint)
        if model_id.strip() and model_id not in ids:
            ids.append(model_id)
    return ServerModels(tuple(ids), listed=True)


def served_models(settings: Settings, choice: LLMChoice) -> ServerModels:
    """The models listed by the server a choice talks to (its entered base URL, else config's)."""
    return list_models(base_url_of(settings, choice), api_key=choice.api_key, provider=choice.provider)


def check_server(settings: Settings, choice: LLMChoice) -> ServerCheck:
    """The connection check: does the key work and does the model answer (raises ChatError when not)?

    For an OpenAI-compatible server, also what it lists and whether it answers to a made-up model name;
    OpenAI and Anthropic refuse unknown names, so they are asked nothing more.
    """
    validate_choice(settings, choice)
    if choice.provider != OPENAI_COMPATIBLE:
        return ServerCheck(ServerModels())
    try:
        models = served_models(settings, choice)
    except ChatError:  # it answered the check: a list it cannot give is no reason to refuse it
        models = ServerModels()
    made_up = replace(choice, model=f"no-such-model-{uuid.uuid4().hex[:8]}")
    try:
        validate_choice(settings, made_up)
        any_name: bool | None = True
    except ChatError as exc:
        any_name = False if exc.kind == "model" else None  # refused by name, or the probe proved nothing
    return ServerCheck(models, name_warning(choice.model, models, any_name=any_name))


def name_warning(model: str, models: ServerModels, *, any_name: bool | None) -> str | None:
    """What to tell a person whose chosen `model` answered: None when the name is known to mean something.

    `any_name`: the server accepted a made-up name (True), refused it (False) or the probe was inconclusive.
    """
    running = f"it is running {', '.join(models.ids)}" if models.ids else "it does not list which model it runs"
    unlisted = bool(models.ids) and not models.has(model)
    if any_name and unlisted:
        return (
            f"This server answers to any model name: it accepted '{model}', which it does not list, and a made-up "
            f"name too, so '{model}' is not what runs; {running}."
        )
    if any_name:
        return (
            "This server answers to any model name (it accepted a made-up one), so a typo in the model name "
            f"would pass this check; {running}."
        )
    if not unlisted:
        return None
    if any_name is None:
        return f"This server may answer to any model name: it accepted '{model}', which it does not list; {running}."
    return f"The server answers to '{model}' but does not list it (it lists {', '.join(models.ids)})."


def _not_a_list(endpoint: Endpoint) -> ChatError:
    return ChatError(
        "bad_request",
        f"{endpoint.Name} at {endpoint.host} answered with something other than a model list: "
        "check the base URL (it usually ends in /v1).",
    )
