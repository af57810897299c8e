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
# editable_mode=compat: a plain path in a .pth file. setuptools' default editable finder is imported by `site` at
# every interpreter start (about 25 ms of CPU each; a job starts two or three), the .pth line costs nothing.
stamp=.venv/.pyfn-worker-installed-compat
if [ ! -f "$stamp" ] || [ worker/pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing the worker package and its dependencies into .venv"
  .venv/bin/pip install --quiet --upgrade pip
  PYTHONWARNINGS=ignore .venv/bin/pip install --quiet -e "worker[pandas,test]" --config-settings editable_mode=compat \
    || .venv/bin/pip install --quiet -e "worker[pandas,test]"  # a setuptools without the compat mode
  touch "$stamp"
fi

# .venv/bin/pyfn: a launcher, so `pyfn` works from any folder once the venv is active and a Python program
# (pyfn.table) finds its runner beside its interpreter. It runs the release build when that is built and newer
# than the debug one, else the debug build, and tells the runner to start workers with this venv's python.
cat > .venv/bin/pyfn.tmp <<LAUNCHER
#!/bin/sh
# Written by scripts/setup.sh: runs the PyFn runner of $root with this venv's Python for its workers.
bin=\$(cd "\$(dirname "\$0")" && pwd)
release="$root/.build/release/pyfn"
debug="$root/.build/debug/pyfn"
runner=\$debug
if [ -x "\$release" ] && { [ ! -x "\$debug" ] || [ "\$release" -nt "\$debug" ]; }; then runner=\$release; fi
if [ ! -x "\$runner" ]; then
  echo "pyfn: the runner is not built; run $root/scripts/setup.sh (or swift build) in $root" >&2
  exit 127
fi
PYFN_PYTHON="\${PYFN_PYTHON:-\$bin/python}" exec "\$runner" "\$@"
LAUNCHER
chmod +x .venv/bin/pyfn.tmp && mv .venv/bin/pyfn.tmp .venv/bin/pyfn

if [ "${PYFN_SKIP_SWIFT_BUILD:-0}" != 1 ]; then
  echo "setup: building the Swift package (${PYFN_BUILD_CONFIGURATION:-debug})"
  swift build -c "${PYFN_BUILD_CONFIGURATION:-debug}" --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
  test "${PIPESTATUS[0]}" -eq 0
fi
