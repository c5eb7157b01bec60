#!/usr/bin/env bash
# Create .venv and install the pinned requirements. `./setup.sh --dev` adds the test tools; `./setup.sh --llama`
# sets up the real llama.cpp servers for the `llama_server` tests (below).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Interview Workspace needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi

# `./setup.sh --llama`: .venv-llama with the real llama.cpp servers the `llama_server` tests start, pinned in
# requirements-llama.txt and kept apart from the app's packages (their web stack has its own pins). PyPI has
# llama-cpp-python as source only: its wheel is built once (about 5 minutes of CPU; CPU-only, AVX2, no OpenMP,
# no multimodal library) into the wheel cache below and installed from there on every later setup.
if [ "${1:-}" = "--llama" ]; then
  cache=${IW_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/interview-workspace/wheels}
  stamp=.venv-llama/.installed-$(sha256sum requirements-llama.txt | cut -c1-16)
  [ -x .venv-llama/bin/python ] || "$PYTHON" -m venv .venv-llama
  [ -f "$stamp" ] && exit 0
  version=$(sed -n 's/^llama-cpp-python==\([^ ]*\).*/\1/p' requirements-llama.txt)
  if ! ls "$cache"/llama_cpp_python-"$version"-*.whl >/dev/null 2>&1; then
    echo "Building llama-cpp-python $version once (a few minutes); its wheel is kept in $cache"
    mkdir -p "$cache"
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF -DGGML_OPENMP=OFF" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) \
      .venv-llama/bin/python -m pip wheel --quiet --disable-pip-version-check --no-deps --no-binary llama-cpp-python \
      --wheel-dir "$cache" "llama-cpp-python==$version"
  fi
  .venv-llama/bin/python -m pip install --quiet --disable-pip-version-check --find-links "$cache" \
    --only-binary llama-cpp-python -r requirements-llama.txt
  touch "$stamp"
  exit 0
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

requirements=requirements.txt
[ "${1:-}" = "--dev" ] && requirements=requirements-dev.txt
stamp=.venv/.installed-$(cat requirements.txt requirements-dev.txt constraints.txt | sha256sum | cut -c1-16)-$(basename "$requirements")
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements" -c constraints.txt
  touch "$stamp"
fi
