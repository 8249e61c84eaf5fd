#!/usr/bin/env bash
# Run the whole test suite: on SQLite always, and on PostgreSQL + Redis (127.0.0.1) when they
# answer. With CI=true a missing PostgreSQL or Redis fails the run instead of skipping.
#
# The tests run on TEST_WORKERS pytest-xdist worker processes (default 4, measured on 2 cores:
# much of the suite waits on the databases, subprocesses and the browser; docs/running.md).
# TEST_WORKERS=0 runs them in this process. With `--dist loadgroup` tests/conftest.py hands the
# tests out one by one, except the e2e package, which stays together on one worker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-4}" --dist loadgroup "$@"
