#!/usr/bin/env bash
# scripts/python-version-venv.sh 3.12 — makes a venv of that CPython version with the worker package (editable) and
# its test dependencies, `.venv-py3.12/` at the repository root (git-ignored), and prints its python. The interpreter
# is pyenv's newest 3.12.x ($(pyenv root)/versions), else `python3.12` on PATH; PYFN_PYTHON_3_12 (dots as
# underscores) names one outright. scripts/test-python-versions.sh uses it.
# The dependencies (pyarrow, numpy, pandas, grpcio, protobuf, cloudpickle, pytest; setuptools to install the
# worker) are installed once per machine into a venv in the machine's cache (scripts/cache-dir.sh:
# ~/.cache/pyfn/worker-deps-py3.12.1-<hash of worker/pyproject.toml>), made again when worker/pyproject.toml
# changes. `.venv-py3.12` itself is a venv without packages of its own but the worker: a .pth file adds the cached
# venv's site-packages to its path (process workers and the embedded interpreter read it the same way), so a clean
# clone makes it in seconds. Installing the dependencies took 62 s per version at load 0.2, mostly pip compiling
# their .py files (a wheelhouse of the downloads took as long: 74 s), and a CI run made two of them.
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
full_version=$("$base" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
key=$(sha1sum "$root/worker/pyproject.toml" | cut -c1-12)
deps=$("$root/scripts/cache-dir.sh")/worker-deps-py$full_version-$key
deps_stamp=$deps/.dependencies-installed
site_packages=lib/python$version/site-packages

if [ ! -f "$deps_stamp" ]; then
  # One maker at a time: two CI runs starting together wait for each other instead of both filling one folder.
  exec 9>"$deps.lock"
  flock 9
  if [ ! -f "$deps_stamp" ]; then
    echo "python-version-venv: installing the worker's dependencies for $("$base" --version 2>&1) into $deps" >&2
    rm -rf "$deps"
    "$base" -m venv "$deps"
    "$deps/bin/pip" install --quiet --upgrade pip setuptools >&2
    # The worker's own dependency list, then the worker itself out again: each checkout installs its own. (Editable,
    # because a regular install builds in worker/build, inside the checkout.)
    PYTHONWARNINGS=ignore "$deps/bin/pip" install --quiet --config-settings editable_mode=compat \
        -e "$root/worker[pandas,test]" >&2
    "$deps/bin/pip" uninstall --quiet --yes pyfn >&2
    "$deps/bin/python" -c 'import pyarrow, grpc, pandas, numpy, cloudpickle, pytest, setuptools' >&2
    touch "$deps_stamp"
  fi
  exec 9>&-
fi

stamp=$venv/.pyfn-worker-dependencies  # holds the dependency venv's path
if [ "$(cat "$stamp" 2>/dev/null)" != "$deps" ]; then
  echo "python-version-venv: creating $venv with $("$base" --version 2>&1), its dependencies from $deps" >&2
  rm -rf "$venv"
  "$base" -m venv --without-pip "$venv"
  echo "import site; site.addsitedir('$deps/$site_packages')" > "$venv/$site_packages/pyfn-cached-dependencies.pth"
  # pip and setuptools come from the cached venv; the worker goes into this venv, as a path in a .pth file.
  PYTHONWARNINGS=ignore "$venv/bin/python" -m pip install --quiet --no-deps --no-index --no-build-isolation \
      --config-settings editable_mode=compat -e "$root/worker" >&2
  "$venv/bin/python" -c 'import pyfn.worker, pyarrow, grpc, pandas' >&2
  echo "$deps" > "$stamp"
fi
echo "$venv/bin/python"
