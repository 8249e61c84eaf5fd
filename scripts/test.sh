#!/usr/bin/env bash
# Run the whole test suite: on SQLite always, and on PostgreSQL + Redis (127.0.0.1) when they
# answer. With CI=true a missing PostgreSQL or Redis fails the run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
