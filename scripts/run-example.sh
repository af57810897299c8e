#!/usr/bin/env bash
# Runs the main example end to end on a fresh machine: sets up the venv and a release build of `pyfn`, generates
# a realistic CDN access log of 1,000,000 lines (once), and runs the CDN log analysis job, which resolves each
# client IP to a province with a Python UDF and writes per-province statistics to SQLite, then shows them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PYFN_SKIP_SWIFT_BUILD=1 scripts/setup.sh
echo "example: building pyfn (release)"
swift build -c release --product pyfn 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
test -x .build/release/pyfn
log=examples/cdn/data/access_log.csv
if [ ! -s "$log" ]; then
  echo "example: generating $log (1,000,000 lines)"
  .venv/bin/python examples/cdn/generate_access_log.py --rows 1000000 "$log"
fi
rm -rf examples/cdn/output
PYFN_PYTHON="$root/.venv/bin/python" exec .build/release/pyfn run examples/cdn/cdn_log_analysis.sql "$@"
