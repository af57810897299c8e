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
