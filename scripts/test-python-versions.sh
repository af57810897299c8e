#!/usr/bin/env bash
# Runs the Python tests and the example jobs again on the other CPython versions PyFn supports (3.12, 3.13; the
# project's .venv, which scripts/test.sh uses first, is 3.11): each version's venv comes from
# scripts/python-version-venv.sh (made once, cached), its python runs pytest, and the Swift example-job tests run
# with PYFN_PYTHON set to it, so their workers (process mode) and the embedded interpreter (its libpython) are that
# version. PYFN_PYTHON_VERSIONS overrides the list. Expects the Swift tests built (scripts/test.sh builds them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/ci-step.sh
for version in ${PYFN_PYTHON_VERSIONS:-3.12 3.13}; do
  ci_step "CPython $version venv (scripts/python-version-venv.sh $version)"
  python=$(scripts/python-version-venv.sh "$version")
  ci_step "Python tests on $("$python" --version)"
  set +e
  # Tests marked runner_logic check the runner's own logic (windows, timers' partitioning and replay, sinks, the
  # 10-million-row collect's memory) with workers whose Python other tests cover, and tests marked one_version
  # repeat Python paths other tests run here (PyFlink's own tests written again): scripts/test.sh ran them on 3.11.
  "$python" -m pytest -q -p no:cacheprovider worker/tests -m "not runner_logic and not one_version"
  status=$?
  set -e
  if [ "$status" -ne 0 ]; then echo "Python tests failed on $version"; exit "$status"; fi
  ci_step "Example jobs and function kinds on $("$python" --version) (process and embedded workers)"
  # The suites by their whole names: a bare 'ExampleJobTests' also matched PyFlinkExampleJobTests, whose PyFlink
  # half runs PyFlink's own venv (3.11) and whose PyFn half is ExampleJobTests' jobs again (20 s a version).
  log=$(mktemp)
  set +e
  PYFN_PYTHON=$python swift test --skip-build --no-parallel \
      --filter '\.(ExampleJobTests|EmbeddedEnvironmentTests|AsyncScalarFunctionTests|ArrowFunctionTests)/' 2>&1 \
    | tee "$log" | grep -vE '^(Test Case|Test Suite).*(started|passed)|^􀟈 |^􁁛 '
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then echo "Swift tests failed with workers on $version"; exit "$status"; fi
  if ! grep -qE 'Test run with [1-9][0-9]* tests? .*passed' "$log"; then echo "no Swift test ran on $version"; exit 1; fi
done
