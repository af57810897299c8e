"""Embedded mode: the runner hosts CPython in its own process and calls this module directly, without gRPC.

The Swift runner loads libpython, and from one dedicated thread holding the GIL calls:

- `start(options_json)` before it creates a worker (once per worker, so maybe several times per process): the
  job's flat `python.*` options as a JSON object. The first call installs one LogForwardingHandler on the root
  logger and routes what UDFs print through it; every call applies `python.files` and `python.log.level` as
  process mode does with its ProvisionInfo (`python.metric.enabled` and `python.profile.enabled` act through the
  descriptor's `UserDefinedFunctions`, as in process mode).
- `EmbeddedWorker(worker_id)`, then `register(descriptor)` with each serialized ProcessBundleDescriptor (what
  process mode fetches with GetProcessBundleDescriptor; aggregate functions keep their accumulators in this
  interpreter, see embedded_state, committed when a bundle succeeds) and `process(...)` per bundle: the input is one record
  batch exported through the Arrow C Data Interface as a struct array, imported without a copy; the output, every
  batch of the bundle combined into one batch of the operation's output schema, is exported the same way into the
  caller's structs. `process` returns a serialized InstructionResponse with process mode's contents: metrics on
  success, on failure the same `error` text (and then the output structs are left untouched).
- `drain_logs()` whenever it likes: the queued log records (and UDF prints) as a serialized LogEntry.List.
- `EmbeddedWorker.close()` at the end: closes the functions, returns their close() failures.

Ownership: `process` moves the input structs into pyarrow (which calls their release callback when the batch is
no longer referenced, or at once when they cannot be imported), so the caller must not release them after the
call (unless it raised ValueError for a null address, before touching them). On success the caller owns the
output structs and calls their release callback; the output's buffers may be backed by Python objects (a numpy
array a pandas UDF returned), so that release takes the GIL.

This is not the "embedded elements" of process mode (small bundles carried inside ProcessBundleRequest and
answered with `data_channel.EmbeddedOutput`): that is still gRPC and Arrow IPC. Nothing here imports gRPC.
"""

from __future__ import annotations

import json
import logging
from typing import Dict, List, Optional

from pyfn.worker.thread_limits import limit_library_threads

limit_library_threads()  # before pyarrow imports numpy

from pyfn.worker.numpy_deferral import defer_numpy  # noqa: E402

defer_numpy()  # pyarrow without numpy, until something imports numpy

import pyarrow as pa  # noqa: E402

from pyfn.proto.beam import beam_fn_api_pb2
from pyfn.worker import execution_context
from pyfn.worker.boot import apply_options, flatten_options
from pyfn.worker.bundle_processor import BundlePlan, failure_message, plan_profiles
from pyfn.worker.embedded_state import EmbeddedBundleState
from pyfn.worker.errors import BundleError
from pyfn.worker.log_forwarding import LogForwardingHandler, capture_function_output
from pyfn.worker.pandas_deferral import defer_pandas

#: What a bundle's input is, in error messages about it.
INPUT_KIND = "Arrow record batch (C Data Interface struct array)"

#: The process's one handler; records wait in it for `drain_logs()`.
_handler: Optional[LogForwardingHandler] = None


def start(options_json: str) -> None:
    """Prepares the interpreter for workers; called before each worker is created, and idempotent.

    `options_json` is a JSON object of the job's `python.*` options (flat string values; nested maps are
    flattened like process mode's pipeline options). The first call installs the module's LogForwardingHandler
    on the root logger (root level INFO) and routes UDF output on sys.stdout and sys.stderr through it; every call
    applies `python.files` (front of sys.path) and `python.log.level` (root logger level), and makes sure UDF
    output is still routed (a no-op unless something replaced sys.stdout or sys.stderr since)."""
    global _handler
    text = (options_json or "").strip()
    try:
        options = json.loads(text) if text else {}
    except ValueError as error:
        raise ValueError("start(): options_json is not valid JSON (%s): %r" % (error, text[:200])) from None
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValueError("start(): options_json must be a JSON object of options, got %s" % type(options).__name__)
    if _handler is None:
        defer_pandas()
        handler = LogForwardingHandler()
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        _handler = handler
    capture_function_output(_handler)
    apply_options(flatten_options(options))


def drain_logs() -> bytes:
    """A serialized LogEntry.List of every record (and UDF print line) queued since the last drain, oldest first;
    an empty list when there is none or `start` was never called. Never waits."""
    entries = beam_fn_api_pb2.LogEntry.List()
    if _handler is not None:
        entries.log_entries.extend(_handler.drain())
    return entries.SerializeToString()


class _BatchCollector:
    """The writer an operation writes a bundle's output batches to, handing them back as one batch."""

    def __init__(self, schema: pa.Schema):
        self.schema = schema
        self.batches: List[pa.RecordBatch] = []

    def write_batch(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)

    def close(self) -> None:
        pass

    def combined(self) -> pa.RecordBatch:
        """All the batches as one (the only one as it is; none: an empty batch of the schema)."""
        batches = [b for b in self.batches if b.num_rows] or self.batches[:1]
        if len(batches) == 1:
            return batches[0]
        if not batches:
            return pa.RecordBatch.from_arrays([pa.array([], type=field.type) for field in self.schema],
                                              schema=self.schema)
        if hasattr(pa, "concat_batches"):  # pyarrow >= 19
            return pa.concat_batches(batches)
        return pa.Table.from_batches(batches, schema=self.schema).combine_chunks().to_batches()[0]


class EmbeddedWorker:
    """One worker of embedded mode: the plans of its registered descriptors, run one bundle at a time."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self._plans: Dict[str, BundlePlan] = {}
        self._descriptors: Dict[str, bytes] = {}
        # close() failures of plans replaced by a new descriptor under the same id, reported by close().
        self._close_failures: List[str] = []
        self._closed = False

    def register(self, descriptor: bytes) -> None:
        """Builds the plan of a serialized ProcessBundleDescriptor, as process mode does with the descriptor it
        fetches; its functions are loaded and opened now, as the operator opens (a failure is reported by its
        first bundle, as in process mode). Registering the same bytes again does nothing; other bytes under a
        registered id replace its plan (whose functions are closed). A descriptor that cannot be planned raises
        BundleError, whose message says why."""
        if self._closed:
            raise BundleError("embedded worker %r is closed" % self.worker_id)
        data = bytes(descriptor)
        try:
            message = beam_fn_api_pb2.ProcessBundleDescriptor.FromString(data)
        except Exception as error:
            raise BundleError("embedded worker %r: the descriptor is not a serialized ProcessBundleDescriptor (%s)"
                              % (self.worker_id, error)) from None
        if not message.id:
            raise BundleError("embedded worker %r: the descriptor has no id" % self.worker_id)
        if self._descriptors.get(message.id) == data:
            return
        try:
            plan = BundlePlan(message)
        except BundleError:
            raise
        except Exception as error:  # noqa: BLE001 - say which descriptor, whatever went wrong
            raise BundleError("descriptor %r cannot be run: %s: %s"
                              % (message.id, type(error).__name__, error)) from error
        previous = self._plans.get(message.id)
        if previous is not None:
            self._close_failures.extend(previous.close())
        self._plans[message.id] = plan
        self._descriptors[message.id] = data
        plan.prepare()

    def process(self, instruction_id: str, descriptor_id: str, schema_address: int, array_address: int,
                out_schema_address: int, out_array_address: int) -> bytes:
        """Runs one bundle of `descriptor_id` over the record batch at (`schema_address`, `array_address`) and
        returns the serialized InstructionResponse; on success the output batch is exported to
        (`out_schema_address`, `out_array_address`). A failing bundle (a UDF that raises, a result of the wrong
        type, an input that cannot be imported, an unknown descriptor) gets process mode's error message in the
        response, and the output structs are not touched. Raises only ValueError, for a null address."""
        addresses = (schema_address, array_address, out_schema_address, out_array_address)
        if not all(addresses):
            raise ValueError("process(): null C Data Interface address (schema, array, out schema, out array = "
                             "%s)" % ", ".join(hex(a or 0) for a in addresses))
        response = beam_fn_api_pb2.InstructionResponse(instruction_id=instruction_id)
        execution_context.set_instruction(instruction_id)
        try:
            # First, so that the input is consumed whatever happens next.
            try:
                batch = pa.RecordBatch._import_from_c(array_address, schema_address)
            except Exception as error:  # noqa: BLE001 - whatever pyarrow refuses fails the bundle
                raise BundleError("bundle %s: the input is not a valid %s: %s: %s"
                                  % (instruction_id, INPUT_KIND, type(error).__name__, error)) from None
            if self._closed:
                raise BundleError("bundle %s: embedded worker %r is closed" % (instruction_id, self.worker_id))
            plan = self._plans.get(descriptor_id)
            if plan is None:
                raise BundleError("bundle %s: descriptor %r is not registered with embedded worker %r"
                                  % (instruction_id, descriptor_id, self.worker_id))
            collector: Optional[_BatchCollector] = None

            def writer_for(operation) -> _BatchCollector:
                nonlocal collector
                collector = _BatchCollector(operation.schema)
                return collector

            # A batch without rows is a bundle without input, as an IPC stream without batches is in process
            # mode: nothing is called (a pandas UDF would get empty Series).
            # Operations that keep state (aggregate functions) get this interpreter's State path; their writes
            # are committed below, only once the bundle has succeeded.
            state = EmbeddedBundleState(descriptor_id) if plan.needs_state else None
            plan.evaluate([batch] if batch.num_rows else [], writer_for, state)
            try:
                output = collector.combined()
            except Exception as error:  # noqa: BLE001 - e.g. more than 2 GiB of strings in one column
                raise BundleError("bundle %s: the output (%d rows in %d batches) does not fit in one record "
                                  "batch: %s: %s" % (instruction_id, sum(b.num_rows for b in collector.batches),
                                                     len(collector.batches), type(error).__name__, error)) from None
            plan.succeeded(response)
            try:
                output._export_to_c(out_array_address, out_schema_address)
            except Exception as error:  # noqa: BLE001 - nothing was exported; say so rather than raise
                raise BundleError("bundle %s: the output could not be exported through the C Data Interface: "
                                  "%s: %s" % (instruction_id, type(error).__name__, error)) from None
            if state is not None:
                state.commit()
        except Exception as error:  # noqa: BLE001 - a failure fails the bundle, not the worker
            response.ClearField("process_bundle")
            response.error = failure_message(instruction_id, error, INPUT_KIND)
        finally:
            execution_context.set_instruction("")
        return response.SerializeToString()

    def profiles(self) -> Dict[str, bytes]:
        """{`pyfn:profile:<descriptor id>`: JSON statistics} of every plan that profiles (process mode answers
        a harness_monitoring_infos instruction with this)."""
        return plan_profiles(self._plans.values())

    def profiles_response(self) -> bytes:
        """`profiles()` as the serialized HarnessMonitoringInfosResponse process mode would answer with."""
        response = beam_fn_api_pb2.HarnessMonitoringInfosResponse()
        for key, data in self.profiles().items():
            response.monitoring_data[key] = data
        return response.SerializeToString()

    def close(self) -> str:
        """Closes the functions of every plan (their close()); returns the failures, one per line ("" when none).
        The worker runs no bundles afterwards."""
        failures, self._close_failures = self._close_failures, []
        for plan in self._plans.values():
            failures.extend(plan.close())
        self._closed = True
        return "\n".join(failures)
