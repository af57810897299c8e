"""`AsyncDataStream` (PyFlink's async I/O): `unordered_wait` / `ordered_wait` run an AsyncFunction's
`async_invoke` for many records at once — up to `capacity` in flight — in an asyncio event loop of the worker, each
bounded by the timeout (then the function's `timeout(value)` answers). A bundle's records go out in their input
order once all of them are answered, which both modes allow. `*_with_retry` tries a call again as an
AsyncRetryStrategy says, holding its slot; all attempts of a record share its timeout, as in PyFlink."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Optional

from pyfn.datastream.async_retry_strategies import NO_RETRY_STRATEGY
from pyfn.datastream.functions import AsyncFunction, AsyncRetryStrategy, Function

__all__ = ["AsyncDataStream", "AsyncWait"]


class AsyncWait(Function):
    """The step function of an async wait operator: the user's AsyncFunction, its timeout (ms; 0: none), capacity
    and retry strategy."""

    def __init__(self, async_function: AsyncFunction, timeout_ms: int, capacity: int, ordered: bool,
                 retry_strategy: AsyncRetryStrategy = NO_RETRY_STRATEGY):
        self.async_function = async_function
        self.timeout_ms = timeout_ms
        self.capacity = capacity
        self.ordered = ordered
        self.retry_strategy = retry_strategy
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_loop"] = state["_thread"] = None  # a loop and its thread belong to one process
        return state

    def carried_functions(self) -> list:
        """The user's AsyncFunction (its module travels with the job)."""
        return [self.async_function]

    def open(self, runtime_context) -> None:
        self.async_function.open(runtime_context)

    def close(self) -> None:
        try:
            self.async_function.close()
        finally:
            self._stop_loop()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        """The operator's event loop, in a thread of its own (the worker's thread may run a loop already)."""
        if self._loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="pyfn-async-io", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
        return self._loop

    def _stop_loop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join()
            loop.close()

    def invoke_all(self, values: list) -> list:
        """Per record, the list of records `async_invoke` (or `timeout`) gave, or the exception it raised."""
        return asyncio.run_coroutine_threadsafe(self._invoke_all(values), self._running_loop()).result()

    async def _invoke_all(self, values: list) -> list:
        slots = asyncio.Semaphore(self.capacity)
        timeout = self.timeout_ms / 1000 if self.timeout_ms > 0 else None

        async def answer(value):
            async with slots:
                try:
                    try:
                        produced = await asyncio.wait_for(self._attempts(value), timeout)
                    except asyncio.TimeoutError:
                        produced = self.async_function.timeout(value)
                except Exception as error:  # noqa: BLE001 - reported with its record by the step
                    return error
                return produced

        return await asyncio.gather(*(answer(value) for value in values))

    async def _attempts(self, value):
        """`async_invoke(value)`, tried again while the retry strategy asks for it."""
        strategy = self.retry_strategy
        predicate = strategy.get_retry_predicate()
        on_result = predicate.result_predicate() or (lambda result: False)
        on_error = predicate.exception_predicate() or (lambda error: False)
        attempt = 1
        while True:
            try:
                produced, failure = await self.async_function.async_invoke(value), None
            except Exception as error:  # noqa: BLE001 - retried, or raised below
                produced, failure = None, error
            again = on_error(failure) if failure is not None else produced is not None and on_result(produced)
            if not (again and strategy.can_retry(attempt)):
                if failure is not None:
                    raise failure
                return produced
            await asyncio.sleep(strategy.get_backoff_time_millis(attempt) / 1000)
            attempt += 1


def _validate(async_function, timeout, capacity, retry_strategy) -> int:
    """The timeout in ms, after PyFlink's checks of the function (an `async def async_invoke`), the retry strategy
    and the capacity."""
    if not isinstance(async_function, AsyncFunction):
        raise TypeError("AsyncDataStream takes an AsyncFunction, got %r" % (async_function,))
    if not inspect.iscoroutinefunction(async_function.async_invoke):
        raise Exception("Method 'async_invoke' of class '%s' should be declared as 'async def'."
                        % type(async_function))
    timeout_ms = int(timeout if isinstance(timeout, int) else timeout.to_milliseconds())
    if retry_strategy is None:
        raise Exception("Async retry strategy should not be None.")
    if retry_strategy is not NO_RETRY_STRATEGY and timeout_ms <= 0:
        raise Exception("Timeout should be configured when do async with retry.")
    if retry_strategy.get_retry_predicate() is None:
        raise Exception("Retry predicate of the async retry strategy '%s' is None." % type(retry_strategy))
    if int(capacity) < 1:
        raise ValueError("The capacity of an async wait operator must be positive, got %r" % (capacity,))
    return timeout_ms


def _async_wait(data_stream, async_function, timeout, capacity: int, output_type, ordered: bool,
                retry_strategy=NO_RETRY_STRATEGY):
    from pyfn.datastream.data_stream import DataStream, KeyedStream

    timeout_ms = _validate(async_function, timeout, capacity, retry_strategy)
    function = AsyncWait(async_function, timeout_ms, int(capacity), ordered, retry_strategy)
    keyed = isinstance(data_stream, KeyedStream)
    transformation = data_stream._python("async_wait", function, "async wait operator", output_type,
                                         keyed_input=keyed)
    return DataStream(data_stream._env, transformation)


class AsyncDataStream:
    """Applies an AsyncFunction to a stream."""

    @staticmethod
    def unordered_wait(data_stream, async_function: AsyncFunction, timeout, capacity: int = 100,
                       output_type=None):
        """The records `async_function.async_invoke` gives for each record of `data_stream`, up to `capacity`
        calls at once, each bounded by `timeout` (a Time or Duration)."""
        return _async_wait(data_stream, async_function, timeout, capacity, output_type, ordered=False)

    @staticmethod
    def ordered_wait(data_stream, async_function: AsyncFunction, timeout, capacity: int = 100, output_type=None):
        """As `unordered_wait`, the output in the order of the input records."""
        return _async_wait(data_stream, async_function, timeout, capacity, output_type, ordered=True)

    @staticmethod
    def unordered_wait_with_retry(data_stream, async_function: AsyncFunction, timeout,
                                  async_retry_strategy: AsyncRetryStrategy, capacity: int = 100, output_type=None):
        """As `unordered_wait`, a call tried again as `async_retry_strategy` says (within the timeout)."""
        return _async_wait(data_stream, async_function, timeout, capacity, output_type, False, async_retry_strategy)

    @staticmethod
    def ordered_wait_with_retry(data_stream, async_function: AsyncFunction, timeout,
                                async_retry_strategy: AsyncRetryStrategy, capacity: int = 100, output_type=None):
        """As `ordered_wait`, a call tried again as `async_retry_strategy` says (within the timeout)."""
        return _async_wait(data_stream, async_function, timeout, capacity, output_type, True, async_retry_strategy)
