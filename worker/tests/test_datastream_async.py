"""Async I/O end to end (`AsyncDataStream.unordered_wait` / `ordered_wait`): the records an AsyncFunction gives,
checked against plain Python, with calls really in flight together up to the capacity; a call past the timeout
answered by `timeout(value)` or failing the job with PyFlink's message naming the record; a failing call naming its
record; retries (fixed delay, exponential backoff; on exceptions and on results) until the strategy gives up;
PyFlink's refusals (a non-async `async_invoke`, retries without a timeout); process and embedded mode."""

import pytest

from datastream_async_functions import (DoublesSlowly, FailsOnFive, FlakyTwice, HangsOnThree, NotAsync,
                                        is_connection_error, is_empty)
from datastream_runner import collect, require_runner
from pyfn.common import Time, Types
from pyfn.datastream import AsyncDataStream, AsyncRetryStrategy, StreamExecutionEnvironment
from pyfn.util.exceptions import JobExecutionException

runner_logic = pytest.mark.runner_logic


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def numbers(count=40, execution="process"):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(1)
    env.get_configuration().set_string("python.execution-mode", execution)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "10")
    return env.from_collection(list(range(count)), Types.INT())


@pytest.mark.parametrize("execution", ["process", pytest.param("thread", marks=runner_logic)])
def test_calls_run_together_up_to_the_capacity_and_keep_the_input_order(execution):
    out = collect(AsyncDataStream.ordered_wait(numbers(execution=execution), DoublesSlowly(), Time.seconds(10),
                                               capacity=4))
    assert [doubled for doubled, _ in out] == [n * 2 for n in range(40)]
    in_flight = [started_with for _, started_with in out]
    assert max(in_flight) == 4, "four calls were in flight at once (the capacity), never more"


def test_unordered_wait_gives_every_record():
    out = collect(AsyncDataStream.unordered_wait(numbers(25), DoublesSlowly(), Time.seconds(10),
                                                 output_type=Types.TUPLE([Types.INT(), Types.INT()])))
    assert sorted(doubled for doubled, _ in out) == [n * 2 for n in range(25)]


@runner_logic
def test_a_call_past_the_timeout_is_answered_by_timeout():
    out = collect(AsyncDataStream.unordered_wait(numbers(8), HangsOnThree(True), Time.milliseconds(200)))
    assert sorted(map(str, out)) == sorted([str(n) for n in range(8) if n != 3] + ["late 3"])


def test_a_call_past_the_timeout_fails_the_job_by_default():
    with pytest.raises(JobExecutionException, match=r"Async function call has timed out for input: 3"):
        collect(AsyncDataStream.ordered_wait(numbers(8), HangsOnThree(False), Time.milliseconds(200)))


def test_a_failing_call_names_its_record():
    with pytest.raises(JobExecutionException) as failure:
        collect(AsyncDataStream.unordered_wait(numbers(8), FailsOnFive(), Time.seconds(5)))
    message = str(failure.value)
    assert "the service refused 5" in message and "on record 5" in message and "test_datastream_async.py" in message


@pytest.mark.parametrize("strategy", [AsyncRetryStrategy.fixed_delay(3, 10, None, is_connection_error),
                                      AsyncRetryStrategy.exponential_backoff(2, 5, 20, 2.0, None, is_connection_error)])
def test_a_failing_call_is_tried_again_as_the_strategy_says(strategy):
    out = collect(AsyncDataStream.ordered_wait_with_retry(numbers(12), FlakyTwice(), Time.seconds(10), strategy))
    assert out == [(n, 3) for n in range(12)]


@runner_logic
def test_a_result_can_ask_for_another_attempt_and_the_strategy_gives_up_after_its_attempts():
    retry_empty = AsyncRetryStrategy.fixed_delay(1, 10, is_empty, None)
    out = collect(AsyncDataStream.unordered_wait_with_retry(numbers(6), FlakyTwice(empty_first=True),
                                                            Time.seconds(10), retry_empty))
    assert sorted(out) == [(n, 2) for n in range(6)]
    once_more = AsyncRetryStrategy.fixed_delay(1, 10, None, is_connection_error)
    with pytest.raises(JobExecutionException, match=r"attempt 2 for 0 refused.* on record 0"):
        collect(AsyncDataStream.ordered_wait_with_retry(numbers(3), FlakyTwice(), Time.seconds(10), once_more))


def test_refusals_as_pyflink():
    with pytest.raises(Exception, match=r"Method 'async_invoke' of class '<class '.*NotAsync'>' should be declared as "
                                        r"'async def'"):
        AsyncDataStream.unordered_wait(numbers(1), NotAsync(), Time.seconds(1))
    with pytest.raises(Exception, match=r"^Timeout should be configured when do async with retry\.$"):
        AsyncDataStream.ordered_wait_with_retry(numbers(1), DoublesSlowly(), Time.seconds(0),
                                                AsyncRetryStrategy.fixed_delay(2, 10, None, is_connection_error))
