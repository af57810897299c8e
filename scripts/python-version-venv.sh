#!/usr/bin/env bash
# scripts/python-version-venv.sh 3.12 — makes (once) a venv of that CPython version with the worker package and its
# test dependencies, `.venv-py3.12/` at the repository root (git-ignored), and prints its python. The interpreter is
# pyenv's newest 3.12.x ($(pyenv root)/versions), else `python3.12` on PATH; PYFN_PYTHON_3_12 (dots as underscores)
# names one outright. The venv is remade when worker/pyproject.toml changes. scripts/test-python-versions.sh uses it.
set -euo pipefail
version=${1:?usage: scripts/python-version-venv.sh 3.12}
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.venv-py$version
override_name=PYFN_PYTHON_${version//./_}
base=${!override_name:-}
if [ -z "$base" ]; then
  pyenv_root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
  newest=$(ls -d "$pyenv_root/versions/$version".* 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$newest" ] && [ -x "$newest/bin/python$version" ]; then
    base=$newest/bin/python$version
  elif command -v "python$version" >/dev/null 2>&1; then
    base=$(command -v "python$version")
  else
    echo "python-version-venv: no CPython $version (not in pyenv, not python$version on PATH; set $override_name)" >&2
    exit 1
  fi
fi
stamp=$venv/.pyfn-worker-$(sha1sum "$root/worker/pyproject.toml" | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "python-version-venv: creating $venv with $("$base" --version 2>&1)" >&2
  rm -rf "$venv"
  "$base" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip >&2
  "$venv/bin/pip" install --quiet -e "$root/worker[pandas,test]" >&2
  "$venv/bin/python" -c 'import pyfn.worker, pyarrow, grpc, pandas' >&2
  touch "$stamp"
fi
echo "$venv/bin/python"
