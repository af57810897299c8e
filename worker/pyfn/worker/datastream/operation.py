"""The DataStream operation: runs a chain of DataStream functions over each batch of a bundle.

Input batches: a `value` column of records (typed, or pickled in a binary column), after a `__key` column
(binary, each record's pickled key) when the chain's input is keyed. Each step runs over the whole batch in
turn (records stay Python values between steps: no conversion inside a chain). Output: the `value` column of
the chain's output format, after a `__key` column when the chain ends with a key selector (or with a keyed
reduce in batch mode).

`pyfn:transform:datastream:v1` runs stateless chains; `pyfn:transform:keyed_datastream:v1` runs chains on a
keyed stream, whose state (a reduce's values, the functions' ValueState/ListState/MapState/ReducingState) lives
in the runner: it needs the State service, and its bundles commit state only when they succeed.

The subtask's index and the operator's parallelism come in the job parameters `pyfn.subtask.index` and
`pyfn.subtask.parallelism`.
"""

from __future__ import annotations

from typing import List

import pyarrow as pa

from pyfn.worker import execution_context
from pyfn.worker.datastream.context import StreamRuntimeContext
from pyfn.worker.datastream.async_wait_step import AsyncWaitStep
from pyfn.worker.datastream.filter_step import FilterStep
from pyfn.worker.datastream.flat_map_step import FlatMapStep
from pyfn.worker.datastream.key_selector_step import KeySelectorStep
from pyfn.worker.datastream.keyed_state import KeyedStateBackend
from pyfn.worker.datastream.map_step import MapStep
from pyfn.worker.datastream.partition_step import PartitionCustomStep
from pyfn.worker.datastream.process_step import KeyedProcessStep, ProcessStep
from pyfn.worker.datastream.records import RecordCodec, RecordTypeError
from pyfn.worker.datastream.reduce_step import ReduceStep
from pyfn.worker.datastream.spec import ChainSpec
from pyfn.worker.datastream.step_base import StepEnvironment
from pyfn.worker.datastream.timers import MIN_WATERMARK, RECORD, RunnerTimerService, TimerRows
from pyfn.worker.datastream.timestamp_step import TimestampStep
from pyfn.worker.errors import BundleError, FunctionError, describe_value
from pyfn.worker.function_loader import FunctionLifecycle, load_function
from pyfn.worker.state_channel import BundleState

#: Step kind -> the class that runs it.
STEPS = {"map": MapStep, "flat_map": FlatMapStep, "filter": FilterStep, "key_by": KeySelectorStep,
         "reduce": ReduceStep, "process": ProcessStep, "keyed_process": KeyedProcessStep, "timestamps": TimestampStep,
         "partition_custom": PartitionCustomStep, "async_wait": AsyncWaitStep}

KEY_COLUMN = "__key"
VALUE_COLUMN = "value"
#: Timer chains: input `__timer` (int8: a record, or which timer fires), `__time` (the record's timestamp or the
#: timer's), `__watermark`; output `__timer` (a record, or a timer request), `__time`, `__key`, `value`.
TIMER_COLUMN = "__timer"
TIME_COLUMN = "__time"
WATERMARK_COLUMN = "__watermark"
#: Chains with a timestamps step: the records' event time, before `value`.
TIMESTAMP_COLUMN = "__ts"
SUBTASK_INDEX = "pyfn.subtask.index"
SUBTASK_PARALLELISM = "pyfn.subtask.parallelism"


def load_chain(functions_message) -> ChainSpec:
    """The ChainSpec the payload's one function carries."""
    if len(functions_message.udfs) != 1:
        raise BundleError("a DataStream operator runs one chain, got %d functions" % len(functions_message.udfs))
    message = functions_message.udfs[0]
    if message.WhichOneof("body") != "cloudpickle":
        raise BundleError("DataStream operator %r: the chain must be shipped by value (cloudpickle)" % message.name)
    import cloudpickle

    try:
        chain = cloudpickle.loads(message.cloudpickle)
    except Exception as error:
        raise FunctionError(message.name or "<chain>", "could not be loaded (%s: %s)"
                            % (type(error).__name__, error)) from None
    if not isinstance(chain, ChainSpec):
        raise BundleError("DataStream operator %r: the payload holds %s, not a ChainSpec"
                          % (message.name, describe_value(chain)))
    return chain


class DataStreamOperation:
    """Runs one chain of DataStream functions over the batches of a bundle."""

    #: Stateless chains need no State service.
    needs_state = False

    def __init__(self, functions_message, lifecycle: FunctionLifecycle, transform_id: str = ""):
        self.chain = chain = load_chain(functions_message)
        parameters = dict(functions_message.job_parameters)
        keyed = chain.keyed_input
        self.state = KeyedStateBackend(transform_id) if self.needs_state else None
        runtime_context = StreamRuntimeContext(
            chain.task_name, int(parameters.get(SUBTASK_INDEX, "0")), int(parameters.get(SUBTASK_PARALLELISM, "1")),
            parameters, lifecycle.metric_group_for(chain.task_name), self.state)
        self.timers = RunnerTimerService() if chain.timers else None
        environment = StepEnvironment(runtime_context, self.state, chain.batch_mode, keyed, self.timers)
        self.environment = environment
        self.steps = [STEPS[spec.kind](spec, environment) for spec in chain.steps]
        for step in self.steps:
            step.open()
            lifecycle.track_closer(step.name, step.close)
        self.input_codec = RecordCodec(chain.input)
        self.output_codec = RecordCodec(chain.output)
        self.keyed_output = chain.keyed_output
        fields = [self.output_codec.field(VALUE_COLUMN)]
        if self.timers is not None:
            fields[:0] = [pa.field(TIMER_COLUMN, pa.int8(), False), pa.field(TIME_COLUMN, pa.int64()),
                          pa.field(KEY_COLUMN, pa.binary())]
        else:
            if chain.timestamps:
                fields.insert(0, pa.field(TIMESTAMP_COLUMN, pa.int64()))
            if self.keyed_output:
                fields.insert(0, pa.field(KEY_COLUMN, pa.binary(), False))
        self.schema = pa.schema(fields)
        self._all_maps = all(spec.kind == "map" for spec in chain.steps)

    def _records(self, batch: pa.RecordBatch):
        names = batch.schema.names
        if VALUE_COLUMN not in names:
            raise BundleError("a DataStream operator's input needs a %r column, got %s" % (VALUE_COLUMN, names))
        column = batch.column(names.index(VALUE_COLUMN))
        kinds = None
        if self.timers is not None:
            kinds = self._timer_rows(batch, names)
            if any(kinds):  # timer rows carry no record: read the records' rows only
                import pyarrow.compute as pc

                column = pc.filter(column, pa.array([kind == RECORD for kind in kinds]))
        try:
            values = self.input_codec.decode(column)
            if kinds is not None and any(kinds):
                records = iter(values)
                values = [next(records) if kind == RECORD else None for kind in kinds]
        except Exception as error:  # noqa: BLE001 - a record the input format cannot read
            raise BundleError("the input records are not valid %s: %s: %s"
                              % (self.chain.input.type_name, type(error).__name__, error)) from None
        keys = None
        if self.chain.keyed_input:
            if KEY_COLUMN not in names:
                raise BundleError("a keyed DataStream operator's input needs a %r column, got %s" % (KEY_COLUMN, names))
            keys = batch.column(names.index(KEY_COLUMN)).to_pylist()
        return values, keys

    @staticmethod
    def _input_times(batch: pa.RecordBatch, count: int) -> list:
        """The input records' event-time timestamps (`__ts`; None each when the batch has none)."""
        names = batch.schema.names
        if TIMESTAMP_COLUMN not in names:
            return [None] * count
        return batch.column(names.index(TIMESTAMP_COLUMN)).to_pylist()

    def _timer_rows(self, batch: pa.RecordBatch, names) -> list:
        """Hands the batch's timer columns to the steps; the row kinds. A batch without any of them holds only
        records, without timestamps, before any watermark."""
        missing = [c for c in (TIMER_COLUMN, TIME_COLUMN, WATERMARK_COLUMN) if c not in names]
        if len(missing) == 3:
            count = batch.num_rows
            rows = TimerRows([RECORD] * count, [None] * count, [MIN_WATERMARK] * count)
            self.environment.timer_rows = rows
            return rows.kinds
        if missing:
            raise BundleError("a DataStream operator with timers needs the input columns %s, got %s" % (missing, names))
        rows = TimerRows(*(batch.column(names.index(c)).to_pylist()
                           for c in (TIMER_COLUMN, TIME_COLUMN, WATERMARK_COLUMN)))
        self.environment.timer_rows = rows
        return rows.kinds

    def process_batch(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The output batch of one input batch."""
        self.environment.record_times = None
        if self.timers is not None:
            self.timers.take_requests()  # a failed batch's requests go nowhere
        values, keys = self._records(batch)
        if self.chain.event_time and self.timers is None:
            self.environment.record_times = self._input_times(batch, len(values))
        inputs = values
        for step in self.steps:
            execution_context.set_function(step.name)
            try:
                values, keys = step.run(values, keys)
            finally:
                execution_context.set_function("")
        requests = self.timers.take_requests() if self.timers is not None else []
        try:
            column = self.output_codec.encode(values + [None] * len(requests) if requests else values)
        except RecordTypeError as error:
            last = self.steps[-1]
            where = ""
            if error.row is not None and self._all_maps:
                where = " for record %s" % describe_value(inputs[error.row])
            raise FunctionError(last.name, "returned %s%s (output type %s)"
                                % (error.what, where, self.chain.output.type_name)) from None
        if self.timers is not None:
            return self._with_timer_requests(column, len(values), keys if self.keyed_output else None, requests)
        arrays = [column]
        if self.chain.timestamps:
            arrays.insert(0, pa.array(self.environment.record_times, pa.int64()))
        if self.keyed_output:
            arrays.insert(0, pa.array(keys, pa.binary()))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _with_timer_requests(self, column, records: int, keys, requests) -> pa.RecordBatch:
        """The output of a chain with timers: its records (`__timer` 0), then the batch's timer requests."""
        kinds = [RECORD] * records + [operation for operation, _, _ in requests]
        stamps = self.environment.record_times if self.chain.timestamps else None
        times = (stamps or [None] * records) + [at for _, at, _ in requests]
        key_column = (keys or [None] * records) + [key for _, _, key in requests]
        return pa.RecordBatch.from_arrays([pa.array(kinds, pa.int8()), pa.array(times, pa.int64()),
                                           pa.array(key_column, pa.binary()), column], schema=self.schema)

    def process(self, batches, writer) -> None:
        """Runs the chain over every batch of a stateless bundle."""
        for batch in batches:
            writer.write_batch(self.process_batch(batch))


class KeyedDataStreamOperation(DataStreamOperation):
    """A chain on a keyed stream: its state lives in the runner (`process` takes the bundle's BundleState)."""

    needs_state = True

    def process(self, batches, writer_for, state: BundleState) -> None:  # type: ignore[override]
        """Runs the chain over the bundle, then writes its state changes back (awaited before this returns)."""
        self.state.begin(state)
        outputs: List[pa.RecordBatch] = []
        try:
            for batch in batches:
                outputs.append(self.process_batch(batch))
            self.state.commit()
        except BaseException:
            self.state.abort()
            raise
        writer = writer_for()
        for output in outputs:
            writer.write_batch(output)
        writer.close()
