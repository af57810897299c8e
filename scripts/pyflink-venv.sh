#!/usr/bin/env bash
# Makes (once per machine) the venv with PyFlink 2.3.0 that the real-peer tests and the PyFlink comparisons use, and
# prints its python. It also holds apache-beam 2.61 (PyFlink's dependency), whose SDK harness the Beam-peer tests
# boot; it is kept apart from `.venv` because PyFlink pins its own grpcio and protobuf.
# Nothing in it depends on the checkout, so it lives in the machine's cache (scripts/cache-dir.sh:
# ~/.cache/pyfn/pyflink-2.3.0-py3.11), made once and shared by every clone and CI run; `.venv-pyflink` at the
# repository root (git-ignored) is a link to it, for the tests and tools that look there. Making it took 62 s at
# load 0.2 (pip's HTTP cache stays empty on this machine, so every clean clone paid that again, and more under
# load). A `.venv-pyflink` that is made already (a folder of the older layout, or a link) is used as it is.
# PYFN_PYFLINK_VENV names another folder; PYFN_BASE_PYTHON another interpreter.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYFN_BASE_PYTHON:-python3}
stamp_name=.pyflink-2.3.0-installed
link=$root/.venv-pyflink
make_link=0
if [ -n "${PYFN_PYFLINK_VENV:-}" ]; then
  venv=$PYFN_PYFLINK_VENV
elif [ -f "$link/$stamp_name" ]; then  # made by an older version of this script, or a link to a made one
  venv=$link
else
  cache=$("$root/scripts/cache-dir.sh")
  venv=$cache/pyflink-2.3.0-py$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  # The link is made only where no folder of the older layout stands.
  if [ -L "$link" ] || [ ! -e "$link" ]; then make_link=1; fi
fi
if [ ! -f "$venv/$stamp_name" ]; then
  mkdir -p "$(dirname "$venv")"
  # One maker at a time: two CI runs starting together wait for each other instead of both filling one folder.
  exec 9>"$venv.lock"
  flock 9
  if [ ! -f "$venv/$stamp_name" ]; then
    echo "pyflink-venv: creating $venv with apache-flink==2.3.0 (a few minutes the first time)" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip >&2
    "$venv/bin/pip" install --quiet "apache-flink==2.3.0" >&2
    "$venv/bin/python" -c 'import pyflink, apache_beam' >&2
    touch "$venv/$stamp_name"
  fi
  exec 9>&-
fi
if [ "$make_link" = 1 ]; then ln -sfn "$venv" "$link"; fi
echo "$venv/bin/python"
