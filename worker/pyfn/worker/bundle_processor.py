"""Runs bundles: takes or fetches descriptors and caches them, builds an operation per descriptor, moves the data.

Descriptors come in a RegisterRequest (whose functions are loaded and opened then, ahead of the first bundle) or
are fetched by the first bundle that names one. A descriptor has a `beam:runner:source:v1` transform (input over
Data, or embedded in the request), one `pyfn:transform:*` transform (its payload the
`pyfn.v1.UserDefinedFunctions`; `operations` maps its URN to the operation that runs it) and a
`beam:runner:sink:v1` transform (output). Input and output are Arrow IPC streams. The output stream is handed to
gRPC before the InstructionResponse is sent (without the bundle thread waiting for that). A failing bundle gets an
error response; the harness goes on.

Aggregate functions keep their accumulators in the runner's state: their bundles get a `BundleState` over the
descriptor's State endpoint (the control endpoint when it names none), whose stream is opened on first use and
shared by the harness's bundles.

Metrics: with `metric_enabled` the response carries the bundle's user metrics, and `progress(instruction_id)`
(from the Control thread) gives the running bundle's metrics so far. With `profile_enabled` each bundle's
evaluation runs under the plan's profiler; `profiles()` hands back the statistics.

`BundlePlan` (a descriptor's transforms and operation, `evaluate` for one bundle) and `failure_message` (a
failure's InstructionResponse.error) are shared with embedded mode (`embedded`), which runs bundles without gRPC.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Dict, List, Optional

import pyarrow as pa

from pyfn.metrics import MetricGroup, MetricRegistry
from pyfn.proto.beam import beam_fn_api_pb2
from pyfn.proto.pyfn import udf_pb2
from pyfn.worker import execution_context, local_zoned
from pyfn.worker.arrow_stream import FLUSH_BYTES, ArrowStreamWriter, InputClosedError, PieceReader
from pyfn.worker.data_channel import DataChannel, DataChannelClosed, EmbeddedOutput
from pyfn.worker.errors import BundleError, format_traceback
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.metrics_reporting import MetricsReporter
from pyfn.worker.operations import operation_class
from pyfn.worker.profiling import PROFILE_KEY_PREFIX, BundleProfiler
from pyfn.worker.state_channel import BundleState, StateChannel
from pyfn.worker.task_info import task_info

_log = logging.getLogger(__name__)

SOURCE_URN = "beam:runner:source:v1"
SINK_URN = "beam:runner:sink:v1"
ARROW_CODER_URN = "pyfn:coder:arrow:v1"


class BundlePlan:
    """What one descriptor asks for, and its operation once built."""

    def __init__(self, descriptor):
        self.descriptor_id = descriptor.id
        source = sink = function = None
        for transform_id, transform in descriptor.transforms.items():
            urn = transform.spec.urn
            if urn == SOURCE_URN:
                source = (transform_id, transform)
            elif urn == SINK_URN:
                sink = (transform_id, transform)
            elif urn.startswith("pyfn:transform:"):
                function = (transform_id, transform)
        missing = [name for name, found in (("source", source), ("function", function), ("sink", sink))
                   if found is None]
        if missing:
            raise BundleError("descriptor %r has no %s transform" % (descriptor.id, " or ".join(missing)))
        self.source_id, self.sink_id = source[0], sink[0]
        self.function_id = function[0]
        self.urn = function[1].spec.urn
        self.input_url = self._data_url(source[1])
        self.output_url = self._data_url(sink[1]) or self.input_url
        #: Where the State service is ("": the control endpoint); used by operations that keep state.
        self.state_url = descriptor.state_api_service_descriptor.url
        try:
            self.functions = udf_pb2.UserDefinedFunctions.FromString(function[1].spec.payload)
        except Exception as error:
            raise BundleError("descriptor %r: the payload of %r is not a pyfn.v1.UserDefinedFunctions (%s)"
                              % (descriptor.id, self.function_id, error)) from error
        local_zoned.set_session_zone(self.functions.local_time_zone)
        self.operation_class = operation_class(self.urn)
        #: Whether the operation keeps state in the runner (its bundles need a BundleState).
        self.needs_state = getattr(self.operation_class, "needs_state", False)
        self.registry = MetricRegistry()
        job_parameters = dict(self.functions.job_parameters)
        self.lifecycle = FunctionLifecycle(job_parameters, MetricGroup(self.registry), self.functions.metric_enabled,
                                           task_info(job_parameters, descriptor.id))
        self.metrics = MetricsReporter(self.registry, self.function_id)
        self.profiler = BundleProfiler() if self.functions.profile_enabled else None
        #: Seconds the last bundle of this plan took to evaluate.
        self.last_bundle_seconds = 0.0
        self.operation = None
        #: Why `prepare` could not build the operation, raised by the next `ensure_operation`.
        self._prepare_failure: Optional[BaseException] = None
        self._schema_of = None
        self._schema_message: Optional[bytes] = None

    @staticmethod
    def _data_url(transform) -> str:
        if not transform.spec.payload:
            return ""
        port = beam_fn_api_pb2.RemoteGrpcPort.FromString(transform.spec.payload)
        return port.api_service_descriptor.url

    def schema_message(self, operation) -> bytes:
        """The serialized output schema of `operation` (the same for every bundle)."""
        if self._schema_message is None or self._schema_of is not operation.schema:
            self._schema_of = operation.schema
            self._schema_message = operation.schema.serialize().to_pybytes()
        return self._schema_message

    def prepare(self) -> None:
        """Builds the operation now, ahead of the first bundle (embedded mode does this when a descriptor is
        registered, as the operator opens). A failure is kept and raised by the first bundle, as if it had
        happened there, so it is reported the same way; the bundle after that tries again.

        Measured (benchmarks/run arrow_add, embedded): importing the functions' module (pyarrow.compute, asyncio)
        took 60-300 ms inside the first bundle, as long as the 10 M rows themselves."""
        try:
            self.ensure_operation()
        except Exception as error:  # noqa: BLE001 - kept for the first bundle, which reports it
            self._prepare_failure = error

    def ensure_operation(self):
        """The operation, built (functions loaded and opened) on first use; a failure is retried next time."""
        if self._prepare_failure is not None:
            failure, self._prepare_failure = self._prepare_failure, None
            raise failure
        if self.operation is None:
            if self.needs_state:
                self.operation = self.operation_class(self.functions, self.lifecycle, transform_id=self.function_id)
            else:
                self.operation = self.operation_class(self.functions, self.lifecycle)
        return self.operation

    def evaluate(self, batches, writer_for, state: Optional[BundleState] = None) -> None:
        """Runs one bundle: the operation (built on first use) over `batches`, under the plan's profiler when it
        profiles, writing to `writer_for(operation)` (an object with `write_batch` and `close`), which is closed
        at the end. An operation that keeps state gets `state` (the bundle's BundleState) and makes its writer
        once it knows its output schema. Failures propagate (see `failure_message`); `last_bundle_seconds` is set
        on success."""
        started = time.perf_counter()
        with self.profiler if self.profiler is not None else contextlib.nullcontext():
            operation = self.ensure_operation()
            if self.needs_state:
                if state is None:
                    raise BundleError("descriptor %r: %s keeps state in the runner, and this bundle has no State "
                                      "service" % (self.descriptor_id, self.urn))
                operation.process(batches, lambda: writer_for(operation), state)
            else:
                writer = writer_for(operation)
                operation.process(batches, writer)
                writer.close()
        self.last_bundle_seconds = time.perf_counter() - started

    def succeeded(self, response):
        """Marks `response` (an InstructionResponse) as a successful bundle of this plan, with the bundle's
        metrics when the plan reports them; returns its ProcessBundleResponse."""
        result = response.process_bundle
        result.SetInParent()
        if self.functions.metric_enabled:
            result.monitoring_infos.extend(self.metrics.bundle_infos())
        return result

    def close(self) -> List[str]:
        return self.lifecycle.close()


def failure_message(instruction_id: str, error: BaseException, input_kind: str = "Arrow IPC stream") -> str:
    """The InstructionResponse.error of bundle `instruction_id` that failed with `error`: a BundleError's own
    message (a user function's names the function, the row, the arguments and the traceback), the Data stream's
    or the input's fault prefixed with the bundle, or, for anything else (a harness bug, logged here), the
    traceback. `input_kind` names what the bundle's input is when Arrow finds it invalid."""
    if isinstance(error, BundleError):
        return str(error)
    if isinstance(error, (DataChannelClosed, InputClosedError)):
        return "bundle %s: %s" % (instruction_id, error)
    if isinstance(error, pa.ArrowInvalid):
        return "bundle %s: the input is not a valid %s: %s" % (instruction_id, input_kind, error)
    _log.error("bundle %s failed inside the harness", instruction_id, exc_info=error)
    return "bundle %s failed inside the harness: %s" % (instruction_id, format_traceback(error))


def plan_profiles(plans) -> Dict[str, bytes]:
    """{`pyfn:profile:<descriptor id>`: JSON statistics} of those of `plans` that profile and ran a bundle."""
    return {PROFILE_KEY_PREFIX + plan.descriptor_id: plan.profiler.to_json()
            for plan in plans if plan.profiler is not None and plan.profiler.bundles}


class BundleProcessor:
    """Processes ProcessBundleRequests one at a time, in arrival order."""

    def __init__(self, control_stub, channels, default_data_url: str = ""):
        self._control_stub = control_stub
        self._channels = channels
        self._default_data_url = default_data_url
        self._plans: Dict[str, BundlePlan] = {}
        self._data_channels: Dict[str, DataChannel] = {}
        self._state_channels: Dict[str, StateChannel] = {}
        self._lock = threading.Lock()
        # The bundle being evaluated and its plan (read by the Control thread for progress reports).
        self._running = (None, None)

    # -- descriptors and channels ------------------------------------------------------------------
    def _plan(self, descriptor_id: str) -> BundlePlan:
        plan = self._plans.get(descriptor_id)
        if plan is None:
            request = beam_fn_api_pb2.GetProcessBundleDescriptorRequest(process_bundle_descriptor_id=descriptor_id)
            descriptor = self._control_stub.GetProcessBundleDescriptor(request)
            if not descriptor.id:
                descriptor.id = descriptor_id
            plan = self._plans[descriptor_id] = BundlePlan(descriptor)
        return plan

    def register(self, instruction_id: str, request):
        """Takes the descriptors of a RegisterRequest before any bundle names them: plans each one not planned yet
        and loads and opens its functions now (`BundlePlan.prepare`), so that its first bundle finds them ready.
        Returns the InstructionResponse, which never carries an error: what fails here fails the descriptor's first
        bundle with the message it would have had anyway (a failure to load or open is kept by the plan; a
        descriptor that cannot be planned is left to be fetched and refused by its first bundle).

        Measured (a fresh worker, 100,000-row `bench_udfs.add` bundles, median of 5 at load 12): the first bundle
        took 0.190 s with the descriptor fetched by it, 0.140 s after a 0.023 s register; later bundles 0.10 s."""
        response = beam_fn_api_pb2.InstructionResponse(instruction_id=instruction_id)
        response.register.SetInParent()
        execution_context.set_instruction(instruction_id)
        try:
            for descriptor in request.process_bundle_descriptor:
                if not descriptor.id or descriptor.id in self._plans:
                    continue
                try:
                    plan = BundlePlan(descriptor)
                except Exception as error:  # noqa: BLE001 - the first bundle fetches it and reports this
                    _log.debug("descriptor %r left to its first bundle: %s", descriptor.id, error)
                    continue
                self._plans[descriptor.id] = plan
                plan.prepare()
                self._open_channels(plan)
        finally:
            execution_context.set_instruction("")
        return response

    def _open_channels(self, plan: BundlePlan) -> None:
        """Opens the Data streams (and the State stream, when its operation keeps state) that `plan`'s bundles
        use, ahead of them; one that cannot be opened now is left to the first bundle, which reports it."""
        try:
            if plan.input_url or self._default_data_url:
                self._data_channel(plan.input_url)
                if plan.output_url != plan.input_url:
                    self._data_channel(plan.output_url)
            if plan.needs_state:
                self._state_channel(plan.state_url)
        except Exception as error:  # noqa: BLE001 - the first bundle opens it and says what went wrong
            _log.debug("channels of descriptor %r left to its first bundle: %s", plan.descriptor_id, error)

    def _data_channel(self, url: str) -> DataChannel:
        url = url or self._default_data_url
        if not url:
            raise BundleError("the descriptor names no data endpoint and the bundle's input is not embedded")
        with self._lock:
            channel = self._data_channels.get(url)
            if channel is None or channel._closed.is_set():
                channel = self._data_channels[url] = DataChannel(self._channels.channel(url))
            return channel

    def _state_channel(self, url: str) -> StateChannel:
        url = url or self._default_data_url
        if not url:
            raise BundleError("the descriptor names no State endpoint and the harness has no control endpoint")
        from pyfn.worker.channels import normalize_target  # here: embedded mode imports this module without gRPC

        target = normalize_target(url)  # one stream per endpoint, however the descriptors spell it
        with self._lock:
            channel = self._state_channels.get(target)
            if channel is None or channel.closed:
                channel = self._state_channels[target] = StateChannel(self._channels.channel(url), url)
            return channel

    # -- progress, profiles ------------------------------------------------------------------------
    def runs_long(self, descriptor_id: str, threshold: float) -> bool:
        """Whether the last bundle of `descriptor_id` took at least `threshold` seconds (and reports metrics, so
        its progress is worth answering while it runs)."""
        plan = self._plans.get(descriptor_id)
        return plan is not None and plan.functions.metric_enabled and plan.last_bundle_seconds >= threshold

    def progress(self, instruction_id: str) -> list:
        """The metrics so far of bundle `instruction_id` if it is the one running, else nothing."""
        running_id, plan = self._running
        if running_id != instruction_id or plan is None or not plan.functions.metric_enabled:
            return []
        return plan.metrics.progress_infos()

    def profiles(self) -> Dict[str, bytes]:
        """{`pyfn:profile:<descriptor id>`: JSON statistics} of every plan that profiles."""
        return plan_profiles(list(self._plans.values()))

    # -- bundles -----------------------------------------------------------------------------------
    def process_bundle(self, instruction_id: str, request, respond=None):
        """Runs one bundle. Its InstructionResponse (with `error` set when it failed) is ready once gRPC has
        taken the last piece of the output sent over Data: without `respond`, this waits for that and returns
        the response; with `respond`, it returns as soon as the bundle is evaluated and `respond(response)` is
        called then (from the Data stream's sending thread when the pieces were still queued), so the next
        bundle can start while the output goes out."""
        response, barrier = self._run(instruction_id, request)
        if barrier is None:
            if respond is None:
                return response
            respond(response)
            return None

        def passed(error) -> None:
            if error is not None:
                self._fail(response, "bundle %s: %s" % (instruction_id, error), None)

        if respond is None:
            try:
                barrier.wait()
            except DataChannelClosed as error:
                passed(error)
            return response

        def answer(error) -> None:
            try:
                passed(error)
            finally:
                respond(response)

        barrier.then(answer)
        return None

    def _run(self, instruction_id: str, request):
        """(response, the Barrier to pass before answering or None)."""
        response = beam_fn_api_pb2.InstructionResponse(instruction_id=instruction_id)
        execution_context.set_instruction(instruction_id)
        data_channel: Optional[DataChannel] = None
        output = None
        try:
            plan = self._plan(request.process_bundle_descriptor_id)
            embedded = request.HasField("elements") and len(request.elements.data) > 0
            if embedded:
                pieces = [d.data for d in request.elements.data if d.transform_id == plan.source_id]
                reader = PieceReader(pieces, complete=True)
                output = EmbeddedOutput(instruction_id, plan.sink_id, spill=lambda: self._data_channel(
                    plan.output_url).output_stream(instruction_id, plan.sink_id))
            else:
                data_channel = self._data_channel(plan.input_url)
                reader = data_channel.input_stream(instruction_id, plan.source_id)
                output_channel = self._data_channel(plan.output_url) if plan.output_url != plan.input_url \
                    else data_channel
                output = output_channel.output_stream(instruction_id, plan.sink_id)
            self._running = (instruction_id, plan)
            state = None
            if plan.needs_state:
                state = BundleState(lambda: self._state_channel(plan.state_url), instruction_id)
            plan.evaluate(self._batches(reader), lambda operation: ArrowStreamWriter(
                operation.schema, output, plan.schema_message(operation),
                getattr(operation, "output_flush_bytes", FLUSH_BYTES)), state)
            result = plan.succeeded(response)
            if embedded:
                output.fill(result.elements)
        except Exception as error:  # noqa: BLE001 - a failure fails the bundle, not the harness
            self._fail(response, failure_message(instruction_id, error), output)
        finally:
            self._running = (None, None)
            if data_channel is not None:
                data_channel.finish(instruction_id)
            elif response.error:
                # Failed before choosing a channel: drop whatever input arrives for it.
                for channel in list(self._data_channels.values()):
                    channel.finish(instruction_id)
            execution_context.set_instruction("")
        barrier = None if response.error else getattr(output, "barrier", None)
        return response, barrier

    @staticmethod
    def _batches(reader: PieceReader):
        if reader.complete:
            # All of it is here (embedded, or every piece arrived before the bundle started): read it as one
            # buffer, without a copy when it came in one piece, rather than through Python file reads.
            source = reader.buffer()
            if source is None:
                return  # the runner sent no bytes at all: no rows
        elif not reader.wait_for_data():
            return
        else:
            source = reader
        stream = pa.ipc.open_stream(source)
        while True:
            try:
                batch = stream.read_next_batch()
            except StopIteration:
                return
            yield batch

    @staticmethod
    def _fail(response, message: str, output) -> None:
        response.ClearField("process_bundle")
        response.error = message
        # Close the output stream so a runner waiting for is_last stops waiting; what was sent is incomplete
        # and the error says to drop it. Embedded outputs are simply not returned.
        if output is not None:
            try:
                output.close_incomplete()
            except Exception:  # noqa: BLE001 - the Data stream may be what failed
                pass

    def close(self) -> List[str]:
        """Closes every function and data channel; returns close() failures."""
        failures = []
        for plan in self._plans.values():
            failures.extend(plan.close())
        for channel in self._data_channels.values():
            channel.close()
        for state_channel in self._state_channels.values():
            state_channel.close()
        return failures
