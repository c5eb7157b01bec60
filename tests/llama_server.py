"""Real llama.cpp servers as child processes, for the tests and benchmarks that need a self-hosted model.

Two servers that people run in front of a GGUF model, each with its own behaviour at the edges:
- "llama.cpp": llama.cpp's own C++ server (llama-server), from the PyPI package xllamacpp (a prebuilt wheel).
  It says its window (GET /props), refuses a prompt over it with a 400 and shrinks the output to what is left.
- "llama-cpp-python": llama-cpp-python's FastAPI server (`python -m llama_cpp.server`), built from source once
  (setup.sh --llama keeps the wheel in a cache). It says nothing of its window, answers a streamed prompt over it
  with an empty event stream, a plain one with a 400.

Both live in their own virtual environment, `.venv-llama` (IW_LLAMA_VENV to point elsewhere), made by
`./setup.sh --llama` from requirements-llama.txt: their web stacks' pins stay out of the app's. The model is
tests/llama_model.py's tiny random one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from tests.child_process import serving

ROOT = Path(__file__).resolve().parents[1]
Kind = Literal["llama.cpp", "llama-cpp-python"]
KINDS: tuple[Kind, ...] = ("llama.cpp", "llama-cpp-python")
MODULES: dict[Kind, str] = {"llama.cpp": "xllamacpp", "llama-cpp-python": "llama_cpp.server"}
MODEL_NAME = "tiny-random"  # both servers answer whatever model a request names; this is the one they say
SEED = 17

# xllamacpp is a library: its Server starts llama.cpp's HTTP server on a thread; the process then only waits
_XLLAMACPP = """
import sys, threading
import xllamacpp as xlc
model, n_ctx, port, threads, seed, alias = sys.argv[1:]
params = xlc.CommonParams()
params.model.path = model
params.model_alias = {alias}
params.n_ctx = int(n_ctx)
params.n_parallel = 1
params.hostnames = ["127.0.0.1"]
params.port = int(port)
params.cpuparams.n_threads = params.cpuparams_batch.n_threads = int(threads)
params.sampling.seed = int(seed)
params.endpoint_metrics = True  # GET /metrics: prompt tokens read, for bench/prompt_prefix.py
server = xlc.Server(params)
print("listening on", server.listening_address, flush=True)
threading.Event().wait()
"""


def venv() -> Path:
    return Path(os.environ.get("IW_LLAMA_VENV") or ROOT / ".venv-llama")


@cache
def missing(kind: Kind) -> str | None:
    """Why `kind` cannot be started here (None: it can)."""
    python = venv() / "bin" / "python"
    module = MODULES[kind]
    if python.exists():
        found = subprocess.run([python, "-c", f"import {module}"], capture_output=True, check=False, timeout=60)
        if found.returncode == 0:
            return None
    return (
        f"{kind}'s server ({module}) is not installed in {venv()}: `./setup.sh --llama` installs it "
        "(the first time it builds llama-cpp-python's wheel, a few minutes, and caches it)"
    )


@dataclass
class LlamaServer:
    kind: Kind
    url: str
    n_ctx: int
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        """What an OpenAI client (and the product's openai-compatible provider) takes."""
        return f"{self.url}/v1"

    def kill(self) -> None:
        """Stop it at once, as a crash or an out-of-memory kill would: no goodbye to open connections."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/v1/models", timeout=2) as response:
        return bool(response.status == 200)


@contextlib.contextmanager
def running(kind: Kind, model: Path, *, n_ctx: int, log_dir: Path, threads: int = 1) -> Iterator[LlamaServer]:
    """`kind`'s server on a free loopback port with `model` and a context window of `n_ctx` tokens.

    One thread by default: on two cores, with the rest of the suite beside it, llama.cpp's threads would
    spin waiting for each other (the benchmark asks for two)."""
    python = str(venv() / "bin" / "python")
    port = _free_port()
    if kind == "llama.cpp":
        command = [python, "-c", _XLLAMACPP, str(model), str(n_ctx), str(port), str(threads), str(SEED), MODEL_NAME]
    else:
        command = [
            python, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", MODEL_NAME,
            "--n_ctx", str(n_ctx), "--host", "127.0.0.1", "--port", str(port), "--seed", str(SEED),
            "--n_threads", str(threads), "--n_threads_batch", str(threads), "--verbose", "False",
        ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    log_path = log_dir / f"{kind}-{n_ctx}-{port}.log"
    with serving(command, ready=lambda: _answers(url), log_path=log_path, timeout=120, what=f"{kind} server") as proc:
        yield LlamaServer(kind, url, n_ctx, proc)
