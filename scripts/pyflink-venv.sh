#!/usr/bin/env bash
# Makes (once) the venv with PyFlink 2.3.0 that the real-peer tests and the PyFlink comparisons use:
# `.venv-pyflink/` at the repository root (git-ignored), kept apart from `.venv` because PyFlink pins its own
# grpcio and protobuf. It also holds apache-beam 2.61 (PyFlink's dependency), whose SDK harness the Beam-peer tests
# boot. Downloads go through pip's cache (~/.cache/pip), so a second machine run is quick. Prints the venv's python.
# PYFN_PYFLINK_VENV overrides the folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${PYFN_PYFLINK_VENV:-$root/.venv-pyflink}
stamp=$venv/.pyflink-2.3.0-installed
if [ ! -f "$stamp" ]; then
  python=${PYFN_BASE_PYTHON:-python3}
  echo "pyflink-venv: creating $venv with apache-flink==2.3.0 (a few minutes the first time)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip >&2
  "$venv/bin/pip" install --quiet "apache-flink==2.3.0" >&2
  "$venv/bin/python" -c 'import pyflink, apache_beam' >&2
  touch "$stamp"
fi
echo "$venv/bin/python"
