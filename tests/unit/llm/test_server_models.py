"""What the connection check tells a person about a server's model names (no network here)."""

from __future__ import annotations

from core.llm.server_models import ServerModels, name_warning, same_model

GGUF = "qwen2.5-0.5b-instruct-q4_k_m.gguf"
LLAMA_CPP = ServerModels((GGUF,), listed=True)


def test_a_server_that_accepts_a_made_up_name_is_called_so_and_names_what_it_runs() -> None:
    assert name_warning("llama3.1", LLAMA_CPP, any_name=True) == (
        "This server answers to any model name: it accepted 'llama3.1', which it does not list, and a made-up "
        f"name too, so 'llama3.1' is not what runs; it is running {GGUF}."
    )
    assert name_warning(GGUF, LLAMA_CPP, any_name=True) == (
        "This server answers to any model name (it accepted a made-up one), so a typo in the model name would "
        f"pass this check; it is running {GGUF}."
    )
    assert name_warning("llama3.1", ServerModels(), any_name=True) == (
        "This server answers to any model name (it accepted a made-up one), so a typo in the model name would "
        "pass this check; it does not list which model it runs."
    )


def test_a_server_that_refuses_a_made_up_name_is_trusted() -> None:
    strict = ServerModels(("qwen-a", "qwen-b"), listed=True)
    assert name_warning("qwen-a", strict, any_name=False) is None
    assert name_warning("qwen-a", ServerModels(), any_name=False) is None  # no list: the refusal is the proof
    assert name_warning("llama3.1", strict, any_name=False) == (
        "The server answers to 'llama3.1' but does not list it (it lists qwen-a, qwen-b)."
    )


def test_an_inconclusive_probe_warns_only_about_a_name_the_server_does_not_list() -> None:
    assert name_warning(GGUF, LLAMA_CPP, any_name=None) is None
    assert name_warning("llama3.1", LLAMA_CPP, any_name=None) == (
        f"This server may answer to any model name: it accepted 'llama3.1', which it does not list; "
        f"it is running {GGUF}."
    )


def test_ollamas_latest_tag_is_the_same_model() -> None:
    ollama = ServerModels(("llama3.1:latest", "qwen2.5:7b"), listed=True)
    assert same_model("llama3.1", "llama3.1:latest") and ollama.has("llama3.1")
    assert not ollama.has("qwen2.5") and not same_model("llama3", "llama3.1")
    assert name_warning("llama3.1", ollama, any_name=False) is None
