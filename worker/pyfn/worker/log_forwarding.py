"""The Logging stream: a `logging.Handler` that forwards Python log records to the runner.

Each record becomes a `LogEntry` (severity, timestamp, message, traceback in `trace`, `log_location` = the
UDF's name when a UDF logged, else `module.function`, instruction id, thread). `emit` never blocks user code:
records queue up (the newest are dropped past a limit) and a gRPC request iterator sends them in batches (in
embedded mode, `drain()` hands them over instead; gRPC is then never imported).

`FunctionOutputStream` stands in for sys.stdout and sys.stderr: what a UDF prints while it runs (in `open`,
`eval` or a pandas call) becomes a LogEntry naming the UDF (INFO for stdout, WARN for stderr), one per line, and
does not reach the process's own output, which the runner also reads (so no line shows twice). Anything
printed outside a UDF goes to the original stream.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
import time
import traceback
from typing import TYPE_CHECKING, Optional

from pyfn.proto.beam import beam_fn_api_pb2
from pyfn.worker import execution_context

if TYPE_CHECKING:
    import grpc

_Severity = beam_fn_api_pb2.LogEntry.Severity

#: Records waiting to be sent at most; past this, new records are dropped (and counted).
_QUEUE_LIMIT = 10000
#: Records per LogEntry.List at most.
_BATCH = 200

_STOP = object()


def severity_of(levelno: int) -> int:
    """Beam's severity for a Python logging level."""
    if levelno >= logging.CRITICAL:
        return _Severity.CRITICAL
    if levelno >= logging.ERROR:
        return _Severity.ERROR
    if levelno >= logging.WARNING:
        return _Severity.WARN
    if levelno >= logging.INFO:
        return _Severity.INFO
    if levelno >= logging.DEBUG:
        return _Severity.DEBUG
    return _Severity.TRACE


def to_log_entry(record: logging.LogRecord, location: Optional[str] = None,
                 instruction_id: Optional[str] = None):
    """The LogEntry for one record."""
    entry = beam_fn_api_pb2.LogEntry()
    entry.severity = severity_of(record.levelno)
    seconds = int(record.created)
    entry.timestamp.seconds = seconds
    entry.timestamp.nanos = int((record.created - seconds) * 1e9)
    try:
        entry.message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string must not lose the record
        entry.message = "%s %r" % (record.msg, record.args)
    trace = ""
    if record.exc_info and record.exc_info[0] is not None:
        trace = "".join(traceback.format_exception(*record.exc_info))
    elif record.exc_text:
        trace = record.exc_text
    if record.stack_info:
        trace = (trace + "\n" if trace else "") + record.stack_info
    entry.trace = trace
    entry.log_location = location or "%s.%s" % (record.module, record.funcName)
    entry.instruction_id = instruction_id or ""
    entry.thread = record.threadName or ""
    return entry


class LogForwardingHandler(logging.Handler):
    """Queues records for the Logging stream, tagged with the running UDF and instruction."""

    def __init__(self, level=logging.NOTSET):
        super().__init__(level)
        self._queue: "queue.Queue" = queue.Queue(maxsize=_QUEUE_LIMIT)
        self.dropped = 0
        self._sender_threads = set()

    def emit(self, record: logging.LogRecord) -> None:
        if threading.get_ident() in self._sender_threads:
            return  # never log about sending logs
        try:
            function = execution_context.current_function()
            entry = to_log_entry(record, function or None, execution_context.current_instruction())
            self._queue.put_nowait(entry)
        except queue.Full:
            self.dropped += 1
        except Exception:  # noqa: BLE001 - logging must not raise into user code
            self.handleError(record)

    def entries(self, stop: threading.Event):
        """LogEntry.List batches until `stop` is set and the queue is drained, or _STOP is queued."""
        self._sender_threads.add(threading.get_ident())
        while True:
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                if stop.is_set():
                    return
                continue
            if first is _STOP:
                return
            batch = beam_fn_api_pb2.LogEntry.List()
            batch.log_entries.append(first)
            stopping = False
            while len(batch.log_entries) < _BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.log_entries.append(item)
            yield batch
            if stopping:
                return

    def enqueue(self, entry) -> None:
        """Queues a ready LogEntry (a UDF's printed line)."""
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self.dropped += 1

    def drain(self) -> list:
        """Takes every LogEntry queued now, oldest first, without waiting (embedded mode reads the records this
        way instead of through a Logging stream)."""
        taken = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return taken
            if item is not _STOP:
                taken.append(item)

    def pending(self) -> int:
        return self._queue.qsize()

    def stop(self) -> None:
        try:
            self._queue.put_nowait(_STOP)
        except queue.Full:
            pass


class FunctionOutputStream(io.TextIOBase):
    """sys.stdout or sys.stderr of the harness: a UDF's lines go to the runner's log, the rest to `original`."""

    def __init__(self, original, handler: LogForwardingHandler, severity: int):
        super().__init__()
        self._original = original
        self._handler = handler
        self._severity = severity
        self._partial = threading.local()

    @property
    def original(self):
        return self._original

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        function = execution_context.current_function()
        state = self._partial
        pending = getattr(state, "text", "")
        if pending and getattr(state, "function", "") != function:
            self._forward(pending, state.function)  # a line left unfinished by another function
            pending = state.text = ""
        if not function:
            return self._original.write(text)
        text = str(text)
        lines = (pending + text).split("\n")
        state.text, state.function = lines.pop(), function
        for line in lines:
            self._forward(line, function)
        return len(text)

    def flush(self) -> None:
        state = self._partial
        if getattr(state, "text", ""):
            self._forward(state.text, state.function)
            state.text = ""
        try:
            self._original.flush()
        except Exception:  # noqa: BLE001 - a closed original stream must not fail user code
            pass

    def _forward(self, line: str, function: str) -> None:
        entry = beam_fn_api_pb2.LogEntry()
        entry.severity = self._severity
        now = time.time()
        entry.timestamp.seconds = int(now)
        entry.timestamp.nanos = int((now - int(now)) * 1e9)
        entry.message = line
        entry.log_location = function
        entry.instruction_id = execution_context.current_instruction()
        entry.thread = threading.current_thread().name
        self._handler.enqueue(entry)

    def fileno(self) -> int:
        return self._original.fileno()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self):
        return getattr(self._original, "encoding", "utf-8")


def capture_function_output(handler: LogForwardingHandler) -> None:
    """Routes what UDFs print on sys.stdout and sys.stderr to the runner's log through `handler`."""
    import sys

    if not isinstance(sys.stdout, FunctionOutputStream):
        sys.stdout = FunctionOutputStream(sys.stdout, handler, _Severity.INFO)
    if not isinstance(sys.stderr, FunctionOutputStream):
        sys.stderr = FunctionOutputStream(sys.stderr, handler, _Severity.WARN)


class LoggingClient:
    """Streams the handler's records to `BeamFnLogging.Logging` until closed."""

    def __init__(self, channel: grpc.Channel, handler: LogForwardingHandler):
        self._handler = handler
        self._stop = threading.Event()
        self._done = threading.Event()
        # Imported here, not at the top: embedded mode uses the handler without loading gRPC.
        from pyfn.proto.beam import beam_fn_api_pb2_grpc

        stub = beam_fn_api_pb2_grpc.BeamFnLoggingStub(channel)
        self._call = stub.Logging(self._handler.entries(self._stop))
        self._thread = threading.Thread(target=self._drain_controls, name="pyfn-logging", daemon=True)
        self._thread.start()

    def _drain_controls(self) -> None:
        import grpc

        try:
            for _ in self._call:
                pass
        except grpc.RpcError:
            pass
        finally:
            self._done.set()

    def close(self, timeout: float = 2.0) -> None:
        """Sends what is queued (waiting at most `timeout` seconds), then ends the stream."""
        deadline = time.monotonic() + timeout
        while self._handler.pending() and time.monotonic() < deadline and not self._done.is_set():
            time.sleep(0.02)
        self._handler.stop()
        self._stop.set()
        if not self._done.wait(max(0.0, deadline - time.monotonic())):
            self._call.cancel()
