"""Fixtures shared by the harness tests."""

import os

import pytest

from fake_runner import FakeRunner, stop_process

HERE = os.path.dirname(os.path.abspath(__file__))

#: The marker of tests that check the Swift runner's own logic (windows, timers and watermarks, sinks, a killed
#: worker's replay, planner errors, the runner's memory) through real workers whose Python paths other tests cover.
#: They run once, on the project's .venv (CPython 3.11); scripts/test-python-versions.sh leaves them out on 3.12 and
#: 3.13 (`-m "not runner_logic"`). Measured (`pytest --durations=0`, one run at load 7-10): besides the 10-million-row
#: test (323 s), the 92 others marked took 354 s and the 451 unmarked 475 s, so each rerun takes 43 % less.
#: (test_window_jobs and test_window_rest start their workers with .venv's python on every version anyway.)
RUNNER_LOGIC = "runner_logic"
#: The marker of tests whose Python paths other tests already run on every version (PyFlink's own tests written
#: again with its expected results, which repeat what the tests against plain Python cover): they run once too.
ONE_VERSION = "one_version"


def pytest_configure(config):
    """Registers the `runner_logic` and `one_version` markers (see RUNNER_LOGIC and ONE_VERSION)."""
    config.addinivalue_line("markers", RUNNER_LOGIC + ": checks the runner's logic; run on one CPython version only")
    config.addinivalue_line("markers", ONE_VERSION + ": its Python paths run on every version in other tests; "
                                                     "run on one CPython version only")


def connected_runner():
    """Starts an in-test runner and one real `python -m pyfn.worker` against it, yields the runner once the worker
    has connected, and stops both when resumed: the body of the `runner` and `fresh_runner` fixtures."""
    fake = FakeRunner(pipeline_options={"python.files": HERE})
    process = fake.start_worker()
    try:
        fake.wait_connected()
        yield fake
    finally:
        fake.stop()
        stop_process(process)


@pytest.fixture(scope="module")
def runner():
    """An in-test runner with one real `python -m pyfn.worker` connected, for the whole test module."""
    yield from connected_runner()


@pytest.fixture
def fresh_runner():
    """An in-test runner with a worker of its own for one test, so that no other test's functions have run (or
    imported a module) in it."""
    yield from connected_runner()


@pytest.fixture(params=["process", "embedded"])
def run_bundle(request):
    """Runs one bundle in a real `python -m pyfn.worker` (process) or in `pyfn.worker.embedded` (embedded):
    `run_bundle(descriptor_id, functions_message, batch, urn=SCALAR_URN)` returns (error, output columns as
    lists). Embedded mode refuses a bad descriptor when it is registered: its error comes back the same way."""
    from fake_runner import SCALAR_URN, ipc_bytes, make_descriptor

    if request.param == "process":
        runner = request.getfixturevalue("runner")

        def run_process(descriptor_id, message, batch, urn=SCALAR_URN):
            runner.register(descriptor_id, urn, message)
            result = runner.run(descriptor_id, ipc_bytes([batch]))
            return result.error, (None if result.error else [c.to_pylist() for c in result.table().columns])

        return run_process

    from pyfn.worker import embedded
    from pyfn.worker.errors import BundleError
    from test_embedded import run

    def run_embedded(descriptor_id, message, batch, urn=SCALAR_URN):
        worker = embedded.EmbeddedWorker("embedded-" + descriptor_id)
        try:
            try:
                worker.register(make_descriptor(descriptor_id, urn, message, "").SerializeToString())
            except BundleError as error:
                return str(error), None
            result = run(worker, descriptor_id, batch)
            return result.error, (None if result.error else [c.to_pylist() for c in result.batch.columns])
        finally:
            worker.close()

    return run_embedded
