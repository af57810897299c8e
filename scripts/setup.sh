#!/usr/bin/env bash
# Makes this checkout ready to build, test and run on a fresh machine: the Python venv with the worker package
# installed, then the Swift build. Safe to run again; it skips what is already done.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# System libraries the Swift build links (GRDB needs SQLite's headers); the machine image usually has them.
if [ ! -f /usr/include/sqlite3.h ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing libsqlite3-dev"
  apt-get update -qq && apt-get install -y -qq libsqlite3-dev >/dev/null
fi

python=${PYFN_BASE_PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
stamp=.venv/.pyfn-worker-installed
if [ ! -f "$stamp" ] || [ worker/pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing the worker package and its dependencies into .venv"
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e "worker[pandas,test]"
  touch "$stamp"
fi

if [ "${PYFN_SKIP_SWIFT_BUILD:-0}" != 1 ]; then
  echo "setup: building the Swift package (${PYFN_BUILD_CONFIGURATION:-debug})"
  swift build -c "${PYFN_BUILD_CONFIGURATION:-debug}" --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
  test "${PIPESTATUS[0]}" -eq 0
fi
