"""Fixtures shared by the harness tests."""

import os

import pytest

from fake_runner import FakeRunner, stop_process

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def runner():
    """An in-test runner with one real `python -m pyfn.worker` connected, for the whole test module."""
    fake = FakeRunner(pipeline_options={"python.files": HERE})
    process = fake.start_worker()
    try:
        fake.wait_connected()
        yield fake
    finally:
        fake.stop()
        stop_process(process)


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
