"""Async scalar functions (`pyfn:transform:async_scalar_function:v1`): many rows in flight on an event loop.

Each call of a row is a coroutine on the operation's own event loop (in a thread of its own); at most `max_concurrent` of them run at
once (`table.exec.async-scalar.max-concurrent-operations`, per worker and operator). Results leave in input
order: a batch is written once it and every batch before it are complete. Batches are pipelined: the next input
batch is read as soon as every row read so far has started, so a bundle of many small batches keeps the loop
full. `timeout` bounds a row's call including its retries (as Flink's does); with FIXED_DELAY a failed call is
tried again after `retry_delay` until `max_attempts` attempts have failed. A call that fails for good, or times
out, cancels the others and fails the bundle, naming the function, the row and its arguments; the runner
replays the bundle on a new worker only when the worker is lost, so results stay exact.

The runner sends the settings, checked and in milliseconds, as job parameters `pyfn.async-scalar.*`.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections import deque
from dataclasses import dataclass
from typing import Deque, Dict, List, Optional

import pyarrow as pa

from pyfn.worker import execution_context
from pyfn.worker.data_channel import MAX_PIECE_BYTES
from pyfn.worker.errors import BundleError, FunctionError, format_traceback
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.scalar_operation import COLUMN, CONSTANT, BatchColumns, Call, compile_call, results_to_arrow

#: Job parameters the runner sets from `table.exec.async-scalar.*`.
PARAMETER_PREFIX = "pyfn.async-scalar."


@dataclass(frozen=True)
class AsyncOptions:
    """How async calls run; the defaults are Flink's."""

    max_concurrent: int = 10
    timeout_ms: int = 180_000
    retry_strategy: str = "FIXED_DELAY"
    retry_delay_ms: int = 100
    max_attempts: int = 3

    @classmethod
    def from_parameters(cls, parameters: Dict[str, str]) -> "AsyncOptions":
        """The options among the job parameters (`pyfn.async-scalar.NAME`); missing ones keep their default."""
        def number(name: str, default: int, least: int) -> int:
            text = parameters.get(PARAMETER_PREFIX + name)
            if text is None:
                return default
            try:
                value = int(text)
            except ValueError:
                value = least - 1
            if value < least:
                raise BundleError("job parameter %s%s must be a whole number of at least %d, not %r"
                                  % (PARAMETER_PREFIX, name, least, text))
            return value

        strategy = parameters.get(PARAMETER_PREFIX + "retry-strategy", cls.retry_strategy).upper()
        if strategy not in ("NO_RETRY", "FIXED_DELAY"):
            raise BundleError("job parameter %sretry-strategy must be NO_RETRY or FIXED_DELAY, not %r"
                              % (PARAMETER_PREFIX, strategy))
        return cls(max_concurrent=number("max-concurrent-operations", cls.max_concurrent, 1),
                   timeout_ms=number("timeout-ms", cls.timeout_ms, 1), retry_strategy=strategy,
                   retry_delay_ms=number("retry-delay-ms", cls.retry_delay_ms, 0),
                   max_attempts=number("max-attempts", cls.max_attempts, 1))

    @property
    def attempts(self) -> int:
        """How many times a call is tried before it fails for good."""
        return 1 if self.retry_strategy == "NO_RETRY" else self.max_attempts


class _Limiter:
    """At most `limit` calls at once, and an event that is set while no created call waits for its turn."""

    def __init__(self, limit: int):
        self._semaphore = asyncio.Semaphore(limit)
        self._waiting = 0
        self.all_started = asyncio.Event()
        self.all_started.set()

    def enqueue(self) -> None:
        self._waiting += 1
        self.all_started.clear()

    async def __aenter__(self):
        try:
            await self._semaphore.acquire()
        finally:
            self._waiting -= 1
            if self._waiting == 0:
                self.all_started.set()

    async def __aexit__(self, *exc_info):
        self._semaphore.release()


class _PendingBatch:
    """One input batch whose calls are in flight: one task per call and row."""

    def __init__(self, batch: pa.RecordBatch, row_offset: int, columns: BatchColumns, tasks: List[List]):
        self.batch = batch
        self.row_offset = row_offset
        self.columns = columns
        self.tasks = tasks

    def all_tasks(self) -> list:
        return [task for per_call in self.tasks for task in per_call]

    def done(self) -> bool:
        return all(task.done() for task in self.all_tasks())


class AsyncScalarOperation:
    """Runs the async scalar calls of one operator over the batches of a bundle; output columns f0, f1, ..."""

    #: As for scalar functions: the output is sent in as few Data messages as the piece limit allows.
    output_flush_bytes = MAX_PIECE_BYTES

    def __init__(self, functions_message, lifecycle: FunctionLifecycle):
        if not functions_message.udfs:
            raise BundleError("an async scalar operator needs at least one function")
        self.calls = [compile_call(m, lifecycle) for m in functions_message.udfs]
        self.options = AsyncOptions.from_parameters(dict(functions_message.job_parameters))
        self.schema = pa.schema([pa.field("f%d" % i, c.result_type.to_arrow(), c.result_type.is_nullable)
                                 for i, c in enumerate(self.calls)])
        names = {name for call in self.calls for name in (f.name for f in call.functions())}
        #: Prints and logs name the function when the operator runs only one.
        self._function_label = names.pop() if len(names) == 1 else ""
        self.loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(target=self.loop.run_forever, name="pyfn-async-functions", daemon=True)
        self._loop_thread.start()
        lifecycle.track_closer("async event loop", self._close_loop)
        self._limiter: Optional[_Limiter] = None
        self._failure: Optional[asyncio.Future] = None

    # -- one row -------------------------------------------------------------------------------------------
    async def _attempt(self, call: Call, args: list, row: int):
        """`call` on one row's arguments, tried again after `retry_delay_ms` until it succeeds or gives up."""
        attempts = self.options.attempts
        attempt = 1
        while True:
            try:
                result = call.fn(*args)
                if inspect.isawaitable(result):
                    result = await result
                return result
            except Exception as error:  # noqa: BLE001 - the user's failure, retried or reported
                if attempt >= attempts:
                    tried = "" if attempts == 1 else " (all %d attempts, table.exec.async-scalar.max-attempts)" \
                        % attempts
                    raise FunctionError(call.name, "raised %s: %s%s" % (type(error).__name__, error, tried),
                                        row=row, arguments=args, trace=format_traceback(error, 1)) from None
                attempt += 1
                await asyncio.sleep(self.options.retry_delay_ms / 1000)

    async def _value(self, call: Call, columns: BatchColumns, index: int, row: int):
        args = []
        for kind, spec in call.args:
            if kind == COLUMN:
                args.append(columns.get(spec)[index])
            elif kind == CONSTANT:
                args.append(spec)
            else:
                args.append(await self._value(spec, columns, index, row))
        return await self._attempt(call, args, row)

    async def _row(self, call: Call, columns: BatchColumns, index: int, row: int):
        async with self._limiter:
            # A timer that cancels this task, not asyncio.wait_for: wait_for wraps each call in a task of its own,
            # which measured twice the loop's time per row (10,000 calls of a 10 ms sleep, 500 at once).
            task = asyncio.current_task()
            expired = []

            def expire():
                expired.append(True)
                task.cancel()

            timer = self.loop.call_later(self.options.timeout_ms / 1000, expire)
            try:
                return await self._value(call, columns, index, row)
            except FunctionError as error:
                self._fail(error)
                raise
            except asyncio.CancelledError:
                if not expired:
                    raise
                error = FunctionError(call.name, "timed out after %d ms (table.exec.async-scalar.timeout)"
                                      % self.options.timeout_ms, row=row,
                                      arguments=call.arguments_at(self._argument_lists(call, columns), index))
                self._fail(error)
                raise error from None
            finally:
                timer.cancel()

    def _fail(self, error: FunctionError) -> None:
        if not self._failure.done():
            self._failure.set_result(error)

    @staticmethod
    def _argument_lists(call: Call, columns: BatchColumns) -> list:
        """Per argument, the batch's values (constants as themselves, nested calls unknown) for error messages."""
        return [columns.get(spec) if kind == COLUMN else ([] if kind != CONSTANT else spec)
                for kind, spec in call.args]

    # -- a bundle ------------------------------------------------------------------------------------------
    def _in_loop(self, coroutine):
        """Runs `coroutine` on the operation's loop thread and returns its result (or raises its error)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def _begin(self) -> None:
        self._limiter = _Limiter(self.options.max_concurrent)
        self._failure = self.loop.create_future()

    async def _until(self, awaitable) -> None:
        """Waits for `awaitable` or for a call to fail for good (then raises its error)."""
        target = asyncio.ensure_future(awaitable)
        await asyncio.wait({target, self._failure}, return_when=asyncio.FIRST_COMPLETED)
        if not target.done():
            target.cancel()
        if self._failure.done():
            raise self._failure.result()

    async def _start(self, batch: pa.RecordBatch, row_offset: int) -> _PendingBatch:
        """Starts the calls of every row of `batch` (each waits for its turn)."""
        columns = BatchColumns(batch)
        tasks = []
        for call in self.calls:
            per_call = []
            for index in range(batch.num_rows):
                self._limiter.enqueue()
                per_call.append(asyncio.ensure_future(self._row(call, columns, index, row_offset + index)))
            tasks.append(per_call)
        return _PendingBatch(batch, row_offset, columns, tasks)

    async def _complete(self, pending: _PendingBatch) -> None:
        tasks = pending.all_tasks()
        if tasks:
            await self._until(asyncio.wait(tasks))

    def _finish(self, pending: _PendingBatch) -> pa.RecordBatch:
        arrays = []
        for call, tasks in zip(self.calls, pending.tasks):
            results = [task.result() for task in tasks]
            arrays.append(results_to_arrow(call, results, self._argument_lists(call, pending.columns),
                                           pending.row_offset))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def process(self, batches, writer) -> None:
        """Runs every input row's calls, at most `max_concurrent` at once, and writes the results in order.

        The calls run on the operation's own loop thread: a bundle may be processed on a thread whose own event
        loop is running (the harness runs small bundles on its Control loop), where no other loop can run."""
        self._in_loop(self._begin())
        pending: Deque[_PendingBatch] = deque()
        execution_context.set_function(self._function_label)
        try:
            row_offset = 0
            for batch in batches:
                pending.append(self._in_loop(self._start(batch, row_offset)))
                row_offset += batch.num_rows
                # The next batch is read once every call so far has its turn: the loop stays full.
                self._in_loop(self._until(self._limiter.all_started.wait()))
                while pending and pending[0].done():
                    writer.write_batch(self._finish(pending.popleft()))
            while pending:
                self._in_loop(self._complete(pending[0]))
                writer.write_batch(self._finish(pending.popleft()))
        finally:
            execution_context.set_function("")
            self._in_loop(self._cancel([task for batch in pending for task in batch.all_tasks()]))

    @staticmethod
    async def _cancel(tasks: list) -> None:
        """Cancels the calls still running (after a failure) and lets them unwind."""
        running = [task for task in tasks if not task.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        for task in tasks:  # retrieve every failure, so that asyncio logs none as never retrieved
            if task.done() and not task.cancelled():
                task.exception()

    def _close_loop(self) -> Optional[str]:
        try:
            self._in_loop(self.loop.shutdown_asyncgens())
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._loop_thread.join(5)
            self.loop.close()
        except Exception as error:  # noqa: BLE001 - reported with the other close() failures
            return "closing the async functions' event loop failed: %s" % error
        return None
