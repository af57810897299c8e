#!/usr/bin/env bash
# Runs every test, Swift and Python, after setting up what they need. Fails if either side runs no test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/ci-step.sh
ci_step "Setup: .venv and the debug build (scripts/setup.sh)"
scripts/setup.sh
# The real peers (PyFlink 2.3's worker, Beam 2.61's SDK harness) live in their own venv, made once and cached.
ci_step "PyFlink 2.3 venv (scripts/pyflink-venv.sh)"
PYFN_PYFLINK_PYTHON=$(scripts/pyflink-venv.sh)
export PYFN_PYFLINK_PYTHON

ci_step "Python tests (pytest worker/tests)"
set +e
.venv/bin/python -m pytest -q worker/tests
status=$?
set -e
if [ "$status" -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi
if [ "$status" -ne 0 ]; then exit "$status"; fi

ci_step "Swift tests (swift test)"
log=$(mktemp)
set +e
# --skip-build: setup.sh built the tests. A plain `swift test` compiles SwiftProtobuf's 94 files again with other
# settings than `swift build --build-tests` (54 s in the last CI run; the next `swift build` compiles them back).
swift test --skip-build --no-parallel 2>&1 | tee "$log" | grep -vE '^\[[0-9]+/[0-9]+\]|^(Test Case|Test Suite).*(started|passed)'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then exit "$status"; fi
if ! grep -qE 'Test run with [1-9][0-9]* tests? .*passed' "$log"; then echo "swift test ran no test"; exit 1; fi

ci_step "PyFlink conformance table, PyFn half (scripts/conformance.py --pyfn-only)"
.venv/bin/python scripts/conformance.py --pyfn-only

# The Python tests and the example jobs again on CPython 3.12 and 3.13 (venvs made once and cached).
scripts/test-python-versions.sh
ci_step "All tests passed"
