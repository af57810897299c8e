"""Finds the `pyfn` runner binary the way docs/job-submission.md says: `$PYFN_RUNNER`, the interpreter's folder,
then `PATH`."""

from __future__ import annotations

import os
import shutil
import sys

from pyfn.util.exceptions import RunnerNotFoundException

__all__ = ["find_runner"]


def find_runner() -> str:
    """The path of the `pyfn` binary to start; raises RunnerNotFoundException naming the places tried."""
    tried = []
    override = os.environ.get("PYFN_RUNNER")
    if override:
        if os.path.isfile(override) and os.access(override, os.X_OK):
            return override
        raise RunnerNotFoundException("PYFN_RUNNER is set to %r, which is not an executable file" % override)
    tried.append("$PYFN_RUNNER (not set)")
    beside = os.path.join(os.path.dirname(sys.executable), "pyfn")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    tried.append(beside)
    on_path = shutil.which("pyfn")
    if on_path:
        return on_path
    tried.append("pyfn on PATH")
    raise RunnerNotFoundException(
        "cannot find the pyfn runner; tried %s. Run scripts/setup.sh in the PyFn repository (it puts pyfn into the "
        "venv's bin/ folder) and use that venv's python, or set PYFN_RUNNER to the pyfn binary"
        % ", ".join(tried))
