"""Finds the `pyfn` runner for the DataStream end-to-end tests (as the client does: $PYFN_RUNNER, beside the
interpreter, PATH; else the repository's debug build) and skips a test module when none can run `submit`."""

import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def require_runner() -> str:
    """The runner's path, exported as PYFN_RUNNER; skips when there is none with a `submit` command."""
    from pyfn.client.runner_binary import find_runner
    from pyfn.util.exceptions import RunnerNotFoundException

    try:
        runner = find_runner()
    except RunnerNotFoundException:
        runner = os.path.join(ROOT, ".build", "debug", "pyfn")
    if not os.access(runner, os.X_OK):
        pytest.skip("no pyfn runner binary (build it: swift build; or set PYFN_RUNNER)")
    help_text = subprocess.run([runner, "--help"], capture_output=True, text=True).stdout
    if "submit" not in help_text:
        pytest.skip("the pyfn runner at %s has no 'submit' command yet" % runner)
    os.environ["PYFN_RUNNER"] = runner
    return runner


def collect(stream) -> list:
    """Every record of `stream`, running its job (`execute_and_collect`, closed at the end)."""
    with stream.execute_and_collect() as results:
        return list(results)
