#!/usr/bin/env bash
# Start the platform on the embedded default (a SQLite file in ./var, in-process stores) with
# demo data, at http://127.0.0.1:8000 (override with HOST / PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/trading demo --if-empty
exec .venv/bin/trading run --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
