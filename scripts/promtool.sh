#!/usr/bin/env bash
# Prints the path of Prometheus's `promtool`, installing Debian's `prometheus` package first when it is missing.
# Idempotent. Exit status: 0 and the path on stdout; 3 when the package cannot be installed because apt's
# repositories are unreachable; another non-zero status for any other failure.
set -u
found() { command -v promtool 2>/dev/null || { [ -x /usr/bin/promtool ] && echo /usr/bin/promtool; }; }
if path=$(found) && [ -n "$path" ]; then echo "$path"; exit 0; fi
sudo=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else echo "promtool.sh: not root and no sudo" >&2; exit 1; fi
fi
if ! $sudo apt-get update -qq >/dev/null 2>&1; then
    echo "promtool.sh: apt-get update failed (package repositories unreachable?)" >&2
    exit 3
fi
if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; then
    if ! apt-cache policy prometheus 2>/dev/null | grep -q Candidate; then
        echo "promtool.sh: the prometheus package is not available from apt" >&2
        exit 3
    fi
    echo "promtool.sh: apt-get install prometheus failed" >&2
    exit 1
fi
path=$(found) || { echo "promtool.sh: prometheus installed but promtool not found" >&2; exit 1; }
echo "$path"
