#!/usr/bin/env bash
# Set up and run the whole test suite: lint, unit, integration (SQLite + PostgreSQL),
# AppTest UI tests and browser e2e tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh --dev

# Browser and speech tools for the e2e tests come from Debian packages.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Installing Chromium for the browser tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

export TEST_POSTGRES_URL=${TEST_POSTGRES_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/test}
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
