#!/usr/bin/env bash
# Set up and run the whole test suite: lint, import contracts, types, unit, integration (SQLite + PostgreSQL),
# AppTest UI tests and browser e2e tests. Extra arguments go to pytest.
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
export TEST_POSTGRES_URL=${TEST_POSTGRES_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/test}
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
.venv/bin/ruff check .
.venv/bin/ruff format --check .
PYTHONPATH=. .venv/bin/lint-imports   # layer rules and no import cycles (contracts in pyproject.toml)
.venv/bin/mypy           # types of core/, storage/ and the entry code (settings in pyproject.toml)
# Two workers: the browser tests (one shared server) on one, the rest shared between both (pytest-xdist).
.venv/bin/python -m pytest -n 2 --dist loadgroup --durations=20 "$@"
