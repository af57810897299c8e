"""SIGUSR1 makes the harness write every thread's Python stack to stderr and carry on (the runner asks a hung
worker for them before it kills it)."""

import os
import signal
import time

import pyarrow as pa

import udfs_pyflink_style as style
from descriptors import call_message as call, functions
from fake_runner import SCALAR_URN, FakeRunner, ipc_bytes, stop_process

HERE = os.path.dirname(os.path.abspath(__file__))


def test_sigusr1_dumps_the_stacks_and_the_harness_carries_on():
    fake = FakeRunner(pipeline_options={"python.files": HERE})
    process = fake.start_worker()
    try:
        fake.wait_connected()
        os.kill(process.pid, signal.SIGUSR1)
        time.sleep(0.5)
        fake.register("after-dump", SCALAR_URN, functions(call(style.add, 0, 1)))
        batch = pa.record_batch([pa.array([1, 2]), pa.array([3, 4])], names=["a", "b"])
        result = fake.run("after-dump", ipc_bytes([batch]))
        assert result.error == "" and result.table().column("f0").to_pylist() == [4, 6]
        fake.stop()
        assert process.wait(timeout=10) == 0
        stderr = process.stderr.read().decode(errors="replace")
        assert "(most recent call first):" in stderr
        assert 'control.py", line' in stderr  # the Control loop's thread, waiting for instructions
    finally:
        stop_process(process)
