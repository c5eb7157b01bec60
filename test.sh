#!/usr/bin/env bash
# Set up and run the whole test suite: lint, import contracts, types, unit, integration (SQLite + PostgreSQL),
# AppTest UI tests and browser e2e tests, then the tests against real llama.cpp servers. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh --dev

# The browser (e2e tests), the speech synthesiser (transcription tests) and the reverse proxy (the
# replica test) are Debian packages.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v espeak-ng >/dev/null || missing="$missing espeak-ng"
command -v caddy >/dev/null || missing="$missing caddy"
if [ -n "$missing" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Installing$missing for the tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# Every server, worker and command a test starts is a new Python process: with bytecode cached (some machines set
# PYTHONDONTWRITEBYTECODE) each start skips compiling our ~300 modules again, a second or more of CPU apiece.
unset PYTHONDONTWRITEBYTECODE

# The real llama.cpp servers of the `llama_server` tests are set up in the background, at low priority, while the
# rest runs: the first time, that builds llama-cpp-python's wheel (about 5 minutes of CPU; cached afterwards).
llama_log=$(mktemp)
setsid -w nice -n 19 ./setup.sh --llama >"$llama_log" 2>&1 &
llama_setup=$!
trap 'kill -- -"$llama_setup" 2>/dev/null || true; rm -f "$llama_log"' EXIT

export TEST_POSTGRES_URL=${TEST_POSTGRES_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/test}
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
.venv/bin/ruff check .
.venv/bin/ruff format --check .
PYTHONPATH=. .venv/bin/lint-imports   # layer rules and no import cycles (contracts in pyproject.toml)
.venv/bin/mypy           # types of core/, storage/ and the entry code (settings in pyproject.toml)
# Two workers: the browser tests (one shared server) on one, the rest shared between both (pytest-xdist).
.venv/bin/python -m pytest -n 2 --dist loadgroup --durations=20 -m "not llama_server" "$@"

# Then the tests against the real llama.cpp servers (tests/integration/llm/test_llama_server.py), once they are set up.
if ! wait "$llama_setup"; then
  cat "$llama_log" >&2
  echo "./setup.sh --llama failed: the llama_server tests will say what is missing." >&2
fi
only=tests/integration/llm/test_llama_server.py  # collected alone unless the arguments name what to run
for arg in "$@"; do [[ $arg == -* ]] || only=""; done
status=0
.venv/bin/python -m pytest -m llama_server $only "$@" || status=$?
[ "$status" = 5 ] && status=0  # pytest's "no tests ran": the arguments chose none of them
exit "$status"
