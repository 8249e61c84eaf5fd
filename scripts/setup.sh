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

# WeasyPrint's system libraries and a CJK font for the center's documents (trading/documents).
# Skipped when already present; CI runs as root on a clean machine.
DOC_PACKAGES="fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
missing=""
for package in $DOC_PACKAGES; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
  else
    echo "setup.sh: please install these Debian packages (as root):$missing" >&2
  fi
fi

# The browser of the end-to-end tests (tests/e2e): Debian's chromium, driven by the `playwright`
# package from the test extras. `playwright install` (a download from outside) is never run.
if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
  else
    echo "setup.sh: please install the Debian package chromium (as root) for tests/e2e" >&2
  fi
fi
