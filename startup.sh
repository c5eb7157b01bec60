#!/usr/bin/env bash
# Set up and start the workspace on its embedded defaults (SQLite + local files, no keys).
# Override anything in config.yaml with IW_* variables, e.g. DATABASE_URL=postgresql://… ./startup.sh
# It listens on this machine only; ADDRESS=0.0.0.0 ./startup.sh serves the network (everyone signs in).
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
.venv/bin/python -m core db upgrade
PORT=${PORT:-8501}
# One job worker beside the web server (webhooks, the daily cleanup, accurate transcripts); they stop together.
.venv/bin/python -m core worker &
WORKER=$!
.venv/bin/streamlit run server.py --server.port "$PORT" --server.address "${ADDRESS:-127.0.0.1}" "$@" &
SERVER=$!
trap 'kill "$SERVER" "$WORKER" 2>/dev/null || true' INT TERM EXIT
echo "Interview Workspace: http://localhost:${PORT}"
wait "$SERVER"
