#!/usr/bin/env bash
# Create .venv and install the platform with its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
# tests/security/test_redis_outage.py starts and stops a Redis of its own (never the shared one).
if ! command -v redis-server >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  apt-get update && apt-get install -y --no-install-recommends redis-server
fi
