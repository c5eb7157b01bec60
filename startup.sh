#!/usr/bin/env bash
# Set up and start the workspace on its embedded defaults (SQLite + local files, no keys).
# Override anything in config.yaml with IW_* variables, e.g. DATABASE_URL=postgresql://… ./startup.sh
# It listens on this machine only; ADDRESS=0.0.0.0 ./startup.sh serves the network (everyone signs in).
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
.venv/bin/python -m core db upgrade
PORT=${PORT:-8501}
# One worker beside the web server runs background jobs (webhooks, the daily cleanup); it stops with it.
.venv/bin/python -m core worker &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true' EXIT
echo "Interview Workspace: http://localhost:${PORT}"
.venv/bin/streamlit run server.py --server.port "$PORT" --server.address "${ADDRESS:-127.0.0.1}" "$@"
