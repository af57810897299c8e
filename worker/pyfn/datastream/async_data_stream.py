"""`AsyncDataStream` (PyFlink's async I/O): `unordered_wait` / `ordered_wait` run an AsyncFunction's
`async_invoke` for many records at once — up to `capacity` in flight — in an asyncio event loop of the worker, each
bounded by the timeout (then the function's `timeout(value)` answers). A bundle's records go out in their input
order once all of them are answered, which both modes allow. Retries (`*_with_retry`) are refused."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Optional

from pyfn.datastream.functions import AsyncFunction, Function
from pyfn.datastream.unsupported import NO_RETRY, unsupported

__all__ = ["AsyncDataStream", "AsyncWait"]


class AsyncWait(Function):
    """The step function of an async wait operator: the user's AsyncFunction, its timeout (ms; 0: none) and
    capacity."""

    def __init__(self, async_function: AsyncFunction, timeout_ms: int, capacity: int, ordered: bool):
        self.async_function = async_function
        self.timeout_ms = timeout_ms
        self.capacity = capacity
        self.ordered = ordered
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
                        produced = await asyncio.wait_for(self.async_function.async_invoke(value), timeout)
                    except asyncio.TimeoutError:
                        produced = self.async_function.timeout(value)
                except Exception as error:  # noqa: BLE001 - reported with its record by the step
                    return error
                return produced

        return await asyncio.gather(*(answer(value) for value in values))


def _validate(async_function, timeout, capacity) -> int:
    """The timeout in ms, after PyFlink's checks of the function (an `async def async_invoke`) and capacity."""
    if not isinstance(async_function, AsyncFunction):
        raise TypeError("AsyncDataStream takes an AsyncFunction, got %r" % (async_function,))
    if not inspect.iscoroutinefunction(async_function.async_invoke):
        raise Exception("Method 'async_invoke' of class '%s' should be declared as 'async def'."
                        % type(async_function))
    if int(capacity) < 1:
        raise ValueError("The capacity of an async wait operator must be positive, got %r" % (capacity,))
    return int(timeout if isinstance(timeout, int) else timeout.to_milliseconds())


def _async_wait(data_stream, async_function, timeout, capacity: int, output_type, ordered: bool):
    from pyfn.datastream.data_stream import DataStream, KeyedStream

    function = AsyncWait(async_function, _validate(async_function, timeout, capacity), int(capacity), ordered)
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

    unordered_wait_with_retry = staticmethod(unsupported("AsyncDataStream.unordered_wait_with_retry", NO_RETRY))
    ordered_wait_with_retry = staticmethod(unsupported("AsyncDataStream.ordered_wait_with_retry", NO_RETRY))
