#!/usr/bin/env bash
# Prints (and makes) the folder where PyFn's scripts keep what they download and install once per machine rather
# than once per checkout: the PyFlink venv, the CPython 3.12/3.13 dependency venvs. It is outside every clone, so a
# clean clone (a CI run) finds them made. PYFN_CACHE_DIR overrides it; else $XDG_CACHE_HOME/pyfn or ~/.cache/pyfn.
# Delete it to make everything afresh (new dependency releases are then picked up).
set -euo pipefail
dir=${PYFN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pyfn}
mkdir -p "$dir"
echo "$dir"
