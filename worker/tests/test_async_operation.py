"""Async scalar functions in-process: the API, concurrency, input order, timeout, retries, nested calls."""

import asyncio
import time

import pyarrow as pa
import pytest

from pyfn import AsyncScalarFunction, DataTypes, udf
from pyfn.describe import describe_to_json
from pyfn.metrics import MetricGroup
from pyfn.worker.async_operation import AsyncOptions, AsyncScalarOperation
from pyfn.worker.errors import BundleError, FunctionError
from pyfn.worker.function_loader import FunctionLifecycle

import descriptors
from descriptors import functions


class Collect:
    def __init__(self):
        self.batches = []

    def write_batch(self, batch):
        self.batches.append(batch)


def run(*calls, batches, **options):
    parameters = {"pyfn.async-scalar." + key.replace("_", "-"): str(value) for key, value in options.items()}
    lifecycle = FunctionLifecycle(parameters, MetricGroup())
    operation = AsyncScalarOperation(functions(*[descriptors.call_message(c[0], *c[1:]) for c in calls],
                                               job_parameters=parameters), lifecycle)
    sink = Collect()
    try:
        operation.process(batches, sink)
    finally:
        assert lifecycle.close() == []
    return pa.Table.from_batches(sink.batches, schema=operation.schema)


class Tracked(AsyncScalarFunction):
    """Sleeps a key-dependent time and remembers how many calls ran at once."""

    peak = 0
    running = 0

    async def eval(self, x):
        Tracked.running += 1
        Tracked.peak = max(Tracked.peak, Tracked.running)
        await asyncio.sleep(0.001 * (x % 7))
        Tracked.running -= 1
        return x * 2


def test_udf_declares_async_kinds_and_refuses_other_func_types():
    tracked = udf(Tracked(), result_type=DataTypes.BIGINT())
    assert tracked.kind == "async_scalar"

    @udf(result_type="STRING")
    async def plain(s):
        return s

    assert plain.kind == "async_scalar"
    assert describe_to_json("plain", plain, __name__)["kind"] == "ASYNC_SCALAR"
    with pytest.raises(TypeError, match="udf 'plain2' is async .* needs func_type 'general', not 'pandas'"):
        udf(Tracked(), result_type="BIGINT", func_type="pandas", name="plain2")
    with pytest.raises(ValueError, match="The func_type must be one of 'general, pandas', got vector. PyFn also takes 'arrow'."):
        udf(lambda x: x, result_type="BIGINT", func_type="vector")


def test_rows_come_out_in_input_order_with_at_most_the_limit_in_flight():
    Tracked.peak = 0
    tracked = udf(Tracked(), result_type=DataTypes.BIGINT())
    batches = [pa.record_batch([pa.array(range(start, start + 100))], names=["x"]) for start in range(0, 1000, 100)]
    table = run((tracked, 0), batches=batches, max_concurrent_operations=25)
    assert table.column(0).to_pylist() == [x * 2 for x in range(1000)]
    assert Tracked.peak == 25


def test_batches_are_pipelined_so_small_batches_keep_the_loop_full():
    @udf(result_type="BIGINT")
    async def sleepy(x):
        await asyncio.sleep(0.1)
        return x

    batches = [pa.record_batch([pa.array([i])], names=["x"]) for i in range(100)]
    start = time.monotonic()
    table = run((sleepy, 0), batches=batches, max_concurrent_operations=100)
    assert time.monotonic() - start < 2  # 10 s if each one-row batch waited for its call
    assert table.column(0).to_pylist() == list(range(100))


def test_runs_on_a_thread_whose_own_event_loop_is_running():
    # The harness runs small bundles on its Control loop's thread.
    tracked = udf(Tracked(), result_type=DataTypes.BIGINT())

    async def inside_a_loop():
        return run((tracked, 0), batches=[pa.record_batch([pa.array([1, 2, 3])], names=["x"])])

    assert asyncio.run(inside_a_loop()).column(0).to_pylist() == [2, 4, 6]


def test_nested_calls_constants_and_nulls():
    @udf(result_type="BIGINT")
    async def plus(a, b):
        await asyncio.sleep(0)
        return None if a is None else a + b

    inner = descriptors.call_message(plus, 0, (DataTypes.BIGINT(), "int_value", 10))
    table = run((plus, inner, 0), batches=[pa.record_batch([pa.array([1, None, 3])], names=["x"])])
    assert table.column(0).to_pylist() == [12, None, 16]


def test_a_timeout_fails_naming_function_row_and_arguments():
    @udf(result_type="BIGINT")
    async def stuck(x):
        await asyncio.sleep(10)

    start = time.monotonic()
    with pytest.raises(FunctionError) as error:
        run((stuck, 0), batches=[pa.record_batch([pa.array([5, 6])], names=["x"])], timeout_ms=100)
    assert time.monotonic() - start < 2
    assert str(error.value).startswith("function 'stuck' timed out after 100 ms (table.exec.async-scalar.timeout) "
                                       "at row 0 of the bundle with arguments (5)")


def test_retries_until_success_and_give_up_after_max_attempts():
    attempts = {}

    @udf(result_type="BIGINT")
    async def flaky(x):
        attempts[x] = attempts.get(x, 0) + 1
        if attempts[x] < 3:
            raise ConnectionError("busy")
        return attempts[x]

    table = run((flaky, 0), batches=[pa.record_batch([pa.array([1, 2])], names=["x"])], retry_delay_ms=1,
                max_attempts=3)
    assert table.column(0).to_pylist() == [3, 3]
    attempts.clear()
    with pytest.raises(FunctionError, match=r"'flaky' raised ConnectionError: busy \(all 2 attempts, "
                                            r"table.exec.async-scalar.max-attempts\) at row 0 of the bundle"):
        run((flaky, 0), batches=[pa.record_batch([pa.array([1])], names=["x"])], retry_delay_ms=1, max_attempts=2)
    with pytest.raises(FunctionError, match=r"'flaky' raised ConnectionError: busy at row 0"):
        run((flaky, 0), batches=[pa.record_batch([pa.array([1])], names=["x"])], retry_strategy="NO_RETRY")


CANCELLED = []


@udf(result_type="BIGINT")
async def one_fails(x):
    """Fails at once for key 0; the others sleep until cancelled (noted in CANCELLED)."""
    try:
        await asyncio.sleep(0 if x == 0 else 5)
    except asyncio.CancelledError:
        CANCELLED.append(x)
        raise
    raise ValueError("bad key %d" % x)


def test_a_failure_cancels_the_calls_still_running():
    CANCELLED.clear()
    start = time.monotonic()
    with pytest.raises(FunctionError, match="'one_fails' raised ValueError: bad key 0"):
        run((one_fails, 0), batches=[pa.record_batch([pa.array([0, 1, 2])], names=["x"])], retry_strategy="NO_RETRY")
    assert time.monotonic() - start < 2
    assert sorted(CANCELLED) == [1, 2]


def test_options_defaults_are_flinks_and_bad_values_are_named():
    assert AsyncOptions.from_parameters({}) == AsyncOptions(10, 180_000, "FIXED_DELAY", 100, 3)
    with pytest.raises(BundleError, match="pyfn.async-scalar.max-concurrent-operations must be a whole number"):
        AsyncOptions.from_parameters({"pyfn.async-scalar.max-concurrent-operations": "0"})
    with pytest.raises(BundleError, match="retry-strategy must be NO_RETRY or FIXED_DELAY"):
        AsyncOptions.from_parameters({"pyfn.async-scalar.retry-strategy": "SOMETIMES"})
