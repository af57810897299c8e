"""Helpers of the Table API end-to-end tests: finding the real `pyfn` runner, running example programs as the
user runs them, and finding runner processes a test left behind (each test tags its runners' environment)."""

import os
import subprocess
import sys
import uuid

import pytest

from pyfn.client import find_runner
from pyfn.util.exceptions import RunnerNotFoundException

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(REPO, "examples")
TAG_VARIABLE = "PYFN_TABLE_TEST_TAG"


def locate_runner() -> str:
    """The runner the tests use: the one a program finds (PYFN_RUNNER, the venv's bin/, PATH), else the
    repository's newest build; skips the test (saying where it looked) when there is none."""
    try:
        return find_runner()
    except RunnerNotFoundException as error:
        builds = [os.path.join(REPO, ".build", kind, "pyfn") for kind in ("release", "debug")]
        built = [path for path in builds if os.access(path, os.X_OK)]
        if built:
            return max(built, key=os.path.getmtime)
        pytest.skip("the pyfn runner binary cannot be found (%s; nor %s): build it with swift build"
                    % (error.message, " or ".join(builds)))


@pytest.fixture
def runner(monkeypatch) -> str:
    """The runner's path, set as PYFN_RUNNER; runners started during the test carry a fresh tag."""
    path = locate_runner()
    monkeypatch.setenv("PYFN_RUNNER", path)
    monkeypatch.setenv(TAG_VARIABLE, uuid.uuid4().hex)
    return path


def tagged_processes() -> list:
    """Pids of live processes (not this one) whose environment carries this test's tag."""
    tag = ("%s=%s" % (TAG_VARIABLE, os.environ.get(TAG_VARIABLE, "-"))).encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % entry, "rb") as handle:
                if tag in handle.read().split(b"\0"):
                    with open("/proc/%s/stat" % entry) as stat:
                        if stat.read().split(")")[-1].split()[0] != "Z":
                            found.append(int(entry))
        except OSError:
            continue
    return found


def run_program(path: str, *arguments: str, env=None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Runs a Python program as `python PATH ARGS` from its folder, as a user would."""
    environment = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, path, *arguments], cwd=os.path.dirname(path), env=environment,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)


def reference_csv(script: str, *arguments: str) -> list:
    """The rows (header dropped) a reference.py prints."""
    finished = subprocess.run([sys.executable, script, *arguments], stdout=subprocess.PIPE, text=True, check=True)
    return [line.split(",") for line in finished.stdout.strip().splitlines()[1:]]
