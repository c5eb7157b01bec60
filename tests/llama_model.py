"""A tiny llama-architecture GGUF model with random weights, written with the `gguf` package at test time.

No package ships a small chat model, and nothing may be downloaded from a model hub, so the real llama.cpp
servers in tests/llama_server.py load this instead: a real model file they tokenize, template and run
exactly like any other, only its words are nonsense. The weights come from a fixed seed, so the file is the
same on every machine.

The tokenizer is SentencePiece-style ("llama"), as Llama 2 / Mistral ship it: the 256 byte tokens (any text
can be tokenized), the printable ASCII characters, runs of spaces, and every prefix of "▁word" and "word" for
the most frequent words of a corpus (the product's own problem bank and prompts). The product's prompts then
take 3.3-3.7 characters a token, as with Llama 2's tokenizer: fewer tokens than core.llm.context_budget's
estimate of one per 3 bytes, which is meant to be on the safe side for real tokenizers. The chat
template is Llama 2's ([INST] … [/INST]); "</s>" ends a reply. (A ChatML template made llama.cpp's server refuse
a request for JSON output: "Failed to initialize samplers", a 400.)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SPACE = "\u2581"  # SentencePiece's word-start marker
SPECIALS = ["<unk>", "<s>", "</s>"]
UNK, BOS, EOS = range(len(SPECIALS))
LLAMA2_CHAT = (  # Llama 2's chat layout: the system prompt in <<SYS>>, each user turn in [INST] … [/INST]
    "{% for message in messages %}{% if message['role'] == 'system' %}<<SYS>>\n{{ message['content'] }}\n<</SYS>>\n\n"
    "{% elif message['role'] == 'user' %}[INST] {{ message['content'] }} [/INST]"
    "{% else %} {{ message['content'] }}</s>{% endif %}{% endfor %}"
)

# gguf.TokenType, spelled out so the module imports without the package
NORMAL, CONTROL, BYTE = 1, 3, 6


@dataclass(frozen=True)
class Shape:
    """The model's size: `tiny` runs a test's reply in well under a second; `bench` makes prompt reading cost
    something measurable on two cores (bench/prompt_prefix.py --llama-server)."""

    n_embd: int = 64
    n_layer: int = 2
    n_head: int = 4
    n_ff: int = 128
    n_ctx_train: int = 8192
    words: int = 1500


TINY = Shape()
BENCH = Shape(n_embd=512, n_layer=8, n_head=8, n_ff=1536)


def corpus(root: Path) -> str:
    """The text the vocabulary is drawn from: the shipped problem bank and prompts."""
    files = sorted((root / "data" / "problems").glob("*.yaml")) + sorted((root / "data" / "prompts").glob("*.md"))
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def vocabulary(text: str, words: int) -> tuple[list[str], list[float], list[int]]:
    """Tokens, their scores and types: specials, bytes, characters, then prefixes of frequent words."""
    tokens = list(SPECIALS)
    types = [CONTROL] * len(SPECIALS)
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [BYTE] * 256
    pieces = [SPACE * n for n in range(1, 17)] + [chr(c) for c in range(0x21, 0x7F)]  # runs of spaces, as Llama 2
    for word, _count in Counter(re.findall(r"[A-Za-z]{2,}", text)).most_common(words):
        for piece in (SPACE + word, word):  # a word starting a text or after a space, and one after punctuation
            pieces += [piece[:end] for end in range(2, len(piece) + 1)]
    for piece in dict.fromkeys(pieces):  # first occurrence order, no repeats
        tokens.append(piece)
        types.append(NORMAL)
    # SentencePiece merges the highest-scoring pair first: longer pieces win
    scores = [0.0 if kind != NORMAL else float(len(token)) for token, kind in zip(tokens, types, strict=True)]
    return tokens, scores, types


def write_model(path: Path, text: str, shape: Shape = TINY, *, seed: int = 17) -> Path:
    """Write the GGUF to `path` (once: an existing file is kept) and return it."""
    if path.exists():
        return path
    import gguf  # the test environment has it (requirements-dev.txt)

    tokens, scores, types = vocabulary(text, shape.words)
    rng = np.random.default_rng(seed)
    head_dim = shape.n_embd // shape.n_head

    def weights(*dims: int) -> np.ndarray:
        return (rng.standard_normal(dims) / np.sqrt(dims[-1])).astype(np.float32)

    partial = path.with_suffix(".partial")
    writer = gguf.GGUFWriter(str(partial), "llama")
    writer.add_name("iw-test-random")
    writer.add_context_length(shape.n_ctx_train)
    writer.add_embedding_length(shape.n_embd)
    writer.add_block_count(shape.n_layer)
    writer.add_feed_forward_length(shape.n_ff)
    writer.add_head_count(shape.n_head)
    writer.add_head_count_kv(shape.n_head)
    writer.add_rope_dimension_count(head_dim)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(BOS)
    writer.add_eos_token_id(EOS)
    writer.add_unk_token_id(UNK)
    writer.add_add_bos_token(True)
    writer.add_chat_template(LLAMA2_CHAT)

    output = weights(len(tokens), shape.n_embd)
    # control and byte tokens are read, never written (their logit stays 0 while a word's peaks near 15): a
    # reply runs to its output limit, or under a JSON grammar to the end of its object
    output[: len(SPECIALS) + 256] = 0.0
    writer.add_tensor("token_embd.weight", weights(len(tokens), shape.n_embd))
    writer.add_tensor("output_norm.weight", np.ones(shape.n_embd, dtype=np.float32))
    writer.add_tensor("output.weight", output * 4.0)  # peaked logits: a reply reads as words, not noise
    for i in range(shape.n_layer):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(shape.n_embd, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"blk.{i}.{name}.weight", weights(shape.n_embd, shape.n_embd))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(shape.n_embd, dtype=np.float32))
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", weights(shape.n_ff, shape.n_embd))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", weights(shape.n_ff, shape.n_embd))
        writer.add_tensor(f"blk.{i}.ffn_down.weight", weights(shape.n_embd, shape.n_ff))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    partial.replace(path)
    return path
