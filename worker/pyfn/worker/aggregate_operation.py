"""Aggregate functions (`pyfn:transform:aggregate_function:v1`): one accumulator per call and key, kept by the runner.

The payload's `udfs` are AGGREGATE calls (an AggregateFunction each; arguments are input columns or constants)
and `grouping` lists the input columns that form the key (none: one global group). The accumulators live in the
runner's state, so they outlive the worker: per bundle, each distinct key's accumulators are read with a State
`get` of the bag user state {transform: the function transform, user state "accumulators", window b"", key:
`repr(key tuple)` in UTF-8} (empty: `create_accumulator()` of each call; else the pickled list of the calls'
accumulators), the gets of a batch's new keys sent before any answer is awaited. Then every row is accumulated in
order (`accumulate(accumulator, *args)`, each call), and at the end each touched key's accumulators are written
back (a `clear`, then an `append` of the pickled list), every answer awaited before the bundle ends: the runner
commits a bundle's writes when its response arrives.

The runner's state of an operator changes only through its one worker (a replaced worker is stopped before
its successor runs a bundle), so the worker keeps the accumulators it wrote in bundles that succeeded and reads
only keys it has not seen (up to KNOWN_KEYS_LIMIT keys): what it keeps is what a `get` would return. A failing
bundle forgets them all (its writes are dropped by the runner; the accumulators may be half-updated).

Output, once the bundle's input is consumed: the grouping columns (the input's names and Arrow types, nullable),
then one column per call, f0, f1, ..., holding `get_value(accumulator)` in the call's result type; one row per
key touched in the bundle, in order of first appearance. Keys are grouped by their state key, so keys whose
Python values print alike share one accumulator, as they share one state.

Per-row mode (OVER windows with an UNBOUNDED PRECEDING frame): when the input has a BOOLEAN column
`__pyfn_emit__`, the output is instead one row per input row flagged true, in input order: the row's key and
`get_value` right after that row was accumulated (the runner flags the last of rows that share a value).
"""

from __future__ import annotations

import collections
import copy
import datetime
import decimal
import itertools
import pickle
from typing import Dict, List, Optional, Tuple

import pyarrow as pa

from pyfn.functions import AggregateFunction
from pyfn.proto.pyfn import udf_pb2
from pyfn.types import from_proto
from pyfn.worker import execution_context
from pyfn.worker.arrow_conversion import ResultConverter
from pyfn.worker.distinct_aggregate import DistinctAggregate
from pyfn.worker.errors import BundleError, FunctionError, describe_value, format_traceback
from pyfn.worker.function_loader import FunctionLifecycle, LoadedFunction, load_function
from pyfn.worker.scalar_operation import COLUMN, BatchColumns, leaf_argument
from pyfn.worker.row_grouping import BatchGroups, accumulators_by_row, group_rows
from pyfn.worker.state_batches import get_many, set_many
from pyfn.worker.state_channel import BundleState
from pyfn.worker.table_operation import DEFAULT_BATCH_SIZE

#: The bag user state id under which a key's accumulators are kept.
ACCUMULATORS_STATE_ID = "accumulators"

#: An input column of this name (BOOLEAN) flags the rows the input takes back: `retract` runs for them instead of
#: `accumulate` (the input is the updating result of another aggregation). It is no argument of any call.
RETRACT_COLUMN = "__pyfn_retract__"

#: An input column of this name (BOOLEAN) asks for per-row output: one output row per row flagged true, holding
#: `get_value` right after that row (OVER windows with an UNBOUNDED PRECEDING frame). It is no argument of any call.
EMIT_COLUMN = "__pyfn_emit__"

#: Result types `get_value` may hand back as they are in per-row mode: values later rows cannot change. Any other
#: value (a list, a dict, an object) is copied, as it may be the accumulator that the next row changes.
_IMMUTABLE_RESULTS = frozenset((type(None), bool, int, float, str, bytes, decimal.Decimal, datetime.date,
                                datetime.datetime, datetime.time, datetime.timedelta))

#: Most keys whose accumulators a worker keeps between bundles (others are read from the runner's state).
KNOWN_KEYS_LIMIT = 100_000

_Kind = udf_pb2.UserDefinedFunction.Kind
_repeat = itertools.repeat
_consume = collections.deque


class AggregateCall:
    """One aggregate call: its AggregateFunction, where its arguments come from, its result type."""

    def __init__(self, function: LoadedFunction, args: List[Tuple[int, object]], distinct: bool = False):
        self.function = function
        self.name = function.name
        self.instance: AggregateFunction = DistinctAggregate(function.instance) if distinct else function.instance
        self.args = args
        self.result_type = function.result_type
        self.converter = ResultConverter(self.result_type)

    def arguments_of(self, columns: BatchColumns, row: int) -> list:
        """The call's arguments for one row of a batch."""
        return [columns.get(value)[row] if kind == COLUMN else value for kind, value in self.args]


def compile_aggregate_call(message, lifecycle: FunctionLifecycle) -> AggregateCall:
    """An AggregateCall for a `pyfn.v1.UserDefinedFunction` of kind AGGREGATE, its function loaded and opened."""
    label = message.name or "<unnamed>"
    if message.kind == _Kind.PANDAS_AGGREGATE:
        raise BundleError("function %r: pandas aggregate functions (PANDAS_AGGREGATE) are not supported yet" % label)
    if message.kind != _Kind.AGGREGATE:
        raise BundleError("function %r: an aggregate operator runs AGGREGATE calls, not %s"
                          % (label, _Kind.Name(message.kind)))
    function = load_function(message)
    if not isinstance(function.instance, AggregateFunction):
        raise BundleError("function %r is not an AggregateFunction (got %s); declare it with udaf(MyAggregate())"
                          % (function.name, describe_value(function.call)))
    args = []
    for index, argument in enumerate(message.inputs):
        leaf = leaf_argument(function.name, index, argument)
        if leaf is None:
            raise BundleError("function %r: argument %d is a nested call; the arguments of an aggregate function "
                              "are input columns or constants" % (function.name, index))
        args.append(leaf)
    lifecycle.open(function)
    return AggregateCall(function, args, distinct=message.distinct)


class _Group:
    """The accumulators of one key touched in the bundle."""

    __slots__ = ("key", "text", "accumulators")

    def __init__(self, key: tuple, text: str):
        self.key = key
        #: The key's state key (`repr(key)`).
        self.text = text
        self.accumulators: Optional[list] = None


class _Emitted:
    """Per-row mode's output so far: the key columns of the rows flagged to emit, their keys (for error messages)
    and each call's values."""

    __slots__ = ("key_slices", "keys", "values")

    def __init__(self, calls: int):
        self.key_slices: List[pa.RecordBatch] = []
        self.keys: List[tuple] = []
        self.values: List[list] = [[] for _ in range(calls)]


class AggregateOperation:
    """Runs the aggregate calls of one operator over the batches of a bundle, its accumulators in the runner's
    state (`process` takes the bundle's BundleState)."""

    #: The plan hands `process` the bundle's BundleState.
    needs_state = True

    def __init__(self, functions_message, lifecycle: FunctionLifecycle, transform_id: str = ""):
        if not functions_message.udfs:
            raise BundleError("an aggregate operator needs at least one function")
        self.transform_id = transform_id
        self.grouping = list(functions_message.grouping)
        for column in self.grouping:
            if column < 0:
                raise BundleError("an aggregate operator groups by column %d" % column)
        self.calls = [compile_aggregate_call(m, lifecycle) for m in functions_message.udfs]
        self.batch_size = functions_message.arrow_batch_size or DEFAULT_BATCH_SIZE
        self._declared_fields = self._fields_of(functions_message.input_schema)
        self._result_fields = [pa.field("f%d" % i, c.result_type.to_arrow(), c.result_type.is_nullable)
                               for i, c in enumerate(self.calls)]
        #: The output schema; its grouping columns take the input batches' names and types once a batch arrived.
        self.schema = self._schema_for(None)
        self._schema_input: Optional[pa.Schema] = None
        #: The accumulators as committed by the runner, of keys written in this worker's successful bundles.
        self._known: Dict[str, list] = {}

    # -- schema -----------------------------------------------------------------------------------
    def _fields_of(self, input_schema) -> Optional[List[pa.Field]]:
        """The grouping fields as the operator's declared input schema has them, when it has them all."""
        fields = input_schema.fields
        out = []
        for column in self.grouping:
            if column >= len(fields) or not fields[column].type.type_name:
                return None
            out.append(pa.field(fields[column].name, from_proto(fields[column].type).to_arrow(), True))
        return out

    def _schema_for(self, input_schema: Optional[pa.Schema]) -> pa.Schema:
        if input_schema is not None:
            grouping = [pa.field(input_schema.field(c).name, input_schema.field(c).type, True) for c in self.grouping]
        elif self._declared_fields is not None:
            grouping = self._declared_fields
        else:
            grouping = [pa.field("key%d" % i, pa.null(), True) for i in range(len(self.grouping))]
        return pa.schema(grouping + self._result_fields)

    # -- a bundle ----------------------------------------------------------------------------------
    def process(self, batches, writer_for, state: BundleState) -> None:
        """Runs one bundle: reads the accumulators of its keys, accumulates its rows, writes the accumulators
        back and the results with the writer `writer_for()` makes once the output schema is known (every state
        answer is awaited before this returns, when it fails too)."""
        groups: Dict[str, _Group] = {}
        order: List[_Group] = []
        key_slices: List[pa.RecordBatch] = []
        row_offset = 0
        input_schema: Optional[pa.Schema] = None
        emitted: Optional[_Emitted] = None
        try:
            for batch in batches:
                if input_schema is None:
                    input_schema = batch.schema
                    for column in self.grouping:
                        if column >= batch.num_columns:
                            raise BundleError("an aggregate operator groups by column %d but the input batch has %d "
                                              "columns" % (column, batch.num_columns))
                    if input_schema.get_field_index(EMIT_COLUMN) >= 0:
                        emitted = _Emitted(len(self.calls))
                if batch.num_rows:
                    self._accumulate_batch(batch, row_offset, groups, order, key_slices, state, emitted)
                row_offset += batch.num_rows
            if input_schema is not None and not (self._schema_input is not None
                                                 and input_schema.equals(self._schema_input)):
                self.schema = self._schema_for(input_schema)
                self._schema_input = input_schema
            if emitted is None:
                results = self._results(order)
                out_slices, out_rows = key_slices, len(order)
            else:
                results = [self._to_arrow(call, values, emitted.keys) for call, values in zip(self.calls, emitted.values)]
                out_slices, out_rows = emitted.key_slices, len(emitted.keys)
            if order:
                set_many(state, self.transform_id, ACCUMULATORS_STATE_ID,
                         [(group.text.encode("utf-8"), self._pickled(group)) for group in order])
            writer = writer_for()
            self._write(writer, out_slices, results, out_rows)
            writer.close()
        except BaseException:
            self._known.clear()
            state.finish(check=False)
            raise
        try:
            state.finish()
        except BaseException:
            self._known.clear()
            raise
        known = self._known
        for text, group in groups.items():
            if text in known or len(known) < KNOWN_KEYS_LIMIT:
                known[text] = group.accumulators

    def _accumulate_batch(self, batch: pa.RecordBatch, row_offset: int, groups: Dict[str, "_Group"],
                          order: List["_Group"], key_slices: List[pa.RecordBatch], state: BundleState,
                          emitted: Optional[_Emitted] = None) -> None:
        grouped = group_rows(batch, self.grouping)
        if self.grouping:
            key_batch = batch.select(self.grouping).take(pa.array(grouped.first_rows, pa.int64()))
            key_columns = BatchColumns(key_batch)
            key_values = list(zip(*[key_columns.get(i) for i in range(len(self.grouping))]))
        else:
            key_batch, key_values = None, [()]
        # The batch's groups, and the accumulators of its new keys the worker does not know, in one batched get.
        batch_groups: List[_Group] = []
        new_positions = []
        unknown: List[_Group] = []
        known = self._known
        for position, key in enumerate(key_values):
            text = repr(key)
            group = groups.get(text)
            if group is None:
                group = groups[text] = _Group(key, text)
                order.append(group)
                new_positions.append(position)
                accumulators = known.get(text)
                if accumulators is None:
                    unknown.append(group)
                else:
                    group.accumulators = accumulators
            batch_groups.append(group)
        if unknown:
            read = get_many(state, self.transform_id, ACCUMULATORS_STATE_ID, [g.text.encode("utf-8") for g in unknown])
            for group, data in zip(unknown, read.values()):
                group.accumulators = self._load(group, data)
        if key_batch is not None and new_positions:
            key_slices.append(key_batch if len(new_positions) == len(key_values)
                              else key_batch.take(pa.array(new_positions, pa.int64())))
        self._accumulate_groups(batch, grouped, row_offset, batch_groups, emitted)

    def _load(self, group: "_Group", data: bytes) -> list:
        """The accumulators stored for a key, or fresh ones when nothing is stored."""
        if not data:
            accumulators = []
            for call in self.calls:
                execution_context.set_function(call.name)
                try:
                    accumulators.append(call.instance.create_accumulator())
                except Exception as error:
                    raise FunctionError(call.name, "raised %s: %s in create_accumulator() for key %s"
                                        % (type(error).__name__, error, describe_value(group.key)),
                                        trace=format_traceback(error, 1)) from None
                finally:
                    execution_context.set_function("")
            return accumulators
        try:
            accumulators = pickle.loads(data)
        except Exception as error:
            raise BundleError("the accumulators the runner keeps for key %s (%d bytes of state) could not be "
                              "unpickled: %s: %s" % (describe_value(group.key), len(data), type(error).__name__,
                                                     error)) from None
        if not isinstance(accumulators, list) or len(accumulators) != len(self.calls):
            raise BundleError("the runner keeps %s as the accumulators of key %s, but this operator has %d "
                              "functions (%s): a list of one accumulator per function was expected"
                              % (describe_value(accumulators), describe_value(group.key), len(self.calls),
                                 ", ".join(c.name for c in self.calls)))
        return accumulators

    def _accumulate_groups(self, batch: pa.RecordBatch, grouped: BatchGroups, row_offset: int,
                           batch_groups: List["_Group"], emitted: Optional[_Emitted] = None) -> None:
        """Accumulates the batch's rows in order, call by call: one C-level loop per call, each row's accumulator
        picked by its group number (measured: ~2x the rows/s of a Python loop with a dict lookup per row)."""
        columns = BatchColumns(batch)
        rows = batch.num_rows
        retract_at = batch.schema.get_field_index(RETRACT_COLUMN)
        takes_back = retract_at >= 0 and batch.column(retract_at).true_count > 0
        if takes_back or emitted is not None:
            emit_at = batch.schema.get_field_index(EMIT_COLUMN)
            self._accumulate_row_by_row(batch, columns, columns.get(retract_at) if takes_back else None,
                                        columns.get(emit_at) if emitted is not None else None, grouped, row_offset,
                                        batch_groups, emitted)
            return
        for position, call in enumerate(self.calls):
            accumulate = call.instance.accumulate
            arguments = [columns.get(value) if kind == COLUMN else _repeat(value, rows) for kind, value in call.args]
            accumulators = [group.accumulators[position] for group in batch_groups]
            if grouped.ids is None:
                by_row = _repeat(accumulators[0], rows)
            else:
                by_row = iter(accumulators_by_row(accumulators, grouped.ids))
            execution_context.set_function(call.name)
            try:
                _consume(map(accumulate, by_row, *arguments), 0)
            except Exception as error:
                # The accumulators' iterator tells how far the loop went: the failing row is the last one taken.
                row = rows - by_row.__length_hint__() - 1
                group = batch_groups[0 if grouped.ids is None else grouped.ids[row]]
                raise FunctionError(call.name, "raised %s: %s in accumulate() for key %s"
                                    % (type(error).__name__, error, describe_value(group.key)),
                                    row=row_offset + row, arguments=call.arguments_of(columns, row),
                                    trace=format_traceback(error, 1)) from None
            finally:
                execution_context.set_function("")

    def _accumulate_row_by_row(self, batch: pa.RecordBatch, columns: BatchColumns, retracts: Optional[list],
                               emits: Optional[list], grouped: BatchGroups, row_offset: int,
                               batch_groups: List["_Group"], emitted: Optional[_Emitted]) -> None:
        """Row by row in the input's order, per call: `retract` for the rows `retracts` flags (None: no row is
        taken back), `accumulate` for the others; with `emits` (per-row mode), `get_value` of a flagged row's key
        right after the row goes to `emitted`."""
        rows = batch.num_rows
        numbers = [int(number) for number in grouped.ids] if grouped.ids is not None else [0] * rows
        if retracts is None:
            retracts = [False] * rows
        if emits is not None:
            emit_rows = [row for row, flag in enumerate(emits) if flag]
            emitted.keys.extend(batch_groups[numbers[row]].key for row in emit_rows)
            if self.grouping and emit_rows:
                emitted.key_slices.append(batch.select(self.grouping).take(pa.array(emit_rows, pa.int64())))
        for position, call in enumerate(self.calls):
            instance = call.instance
            if any(retracts) and type(instance).retract is AggregateFunction.retract:
                group = batch_groups[numbers[retracts.index(True)]]
                raise FunctionError(call.name, "has no retract() but its input takes rows back (it aggregates the "
                                    "updating result of another aggregation), e.g. for key %s; define "
                                    "retract(accumulator, *args)" % describe_value(group.key))
            accumulate, retract, get_value = instance.accumulate, instance.retract, instance.get_value
            arguments = [columns.get(value) if kind == COLUMN else _repeat(value, rows) for kind, value in call.args]
            accumulators = [group.accumulators[position] for group in batch_groups]
            values = emitted.values[position] if emits is not None else None
            execution_context.set_function(call.name)
            row = 0
            in_get_value = False
            try:
                for row, (number, taken_back, args) in enumerate(zip(numbers, retracts, zip(*arguments) if arguments
                                                                     else _repeat((), rows))):
                    accumulator = accumulators[number]
                    (retract if taken_back else accumulate)(accumulator, *args)
                    if values is not None and emits[row]:
                        in_get_value = True
                        value = get_value(accumulator)
                        # A mutable result may be the accumulator itself, which the key's next row changes.
                        values.append(value if type(value) in _IMMUTABLE_RESULTS else copy.deepcopy(value))
                        in_get_value = False
            except Exception as error:
                if in_get_value:
                    raise FunctionError(call.name, "raised %s: %s in get_value() for key %s"
                                        % (type(error).__name__, error, describe_value(batch_groups[numbers[row]].key)),
                                        row=row_offset + row, trace=format_traceback(error, 1)) from None
                raise FunctionError(call.name, "raised %s: %s in %s() for key %s"
                                    % (type(error).__name__, error, "retract" if retracts[row] else "accumulate",
                                       describe_value(batch_groups[numbers[row]].key)),
                                    row=row_offset + row, arguments=call.arguments_of(columns, row),
                                    trace=format_traceback(error, 1)) from None
            finally:
                execution_context.set_function("")

    def _results(self, order: List["_Group"]) -> List[pa.Array]:
        """One array per call: get_value of each key's accumulator, in the call's result type."""
        arrays = []
        for position, call in enumerate(self.calls):
            get_value = call.instance.get_value
            values = []
            execution_context.set_function(call.name)
            try:
                for group in order:
                    values.append(get_value(group.accumulators[position]))
            except Exception as error:
                raise FunctionError(call.name, "raised %s: %s in get_value() for key %s"
                                    % (type(error).__name__, error, describe_value(order[len(values)].key)),
                                    trace=format_traceback(error, 1)) from None
            finally:
                execution_context.set_function("")
            arrays.append(self._to_arrow(call, values, [group.key for group in order]))
        return arrays

    @staticmethod
    def _to_arrow(call: AggregateCall, values: list, keys: List[tuple]) -> pa.Array:
        """A call's `get_value` results as an Arrow array of its result type; `keys[i]` is the key of `values[i]`."""
        converter = call.converter
        try:
            array = converter.convert(values)
        except Exception as error:  # noqa: BLE001 - any conversion failure is the user's result
            row, reason = converter.find_bad_row(values)
            if row is None:
                raise FunctionError(call.name, "returned results that are not valid %s (%s: %s)"
                                    % (call.result_type.sql(), type(error).__name__, error)) from None
            raise FunctionError(call.name, "returned %s from get_value() for key %s, which is not a valid %s (%s)"
                                % (describe_value(values[row]), describe_value(keys[row]),
                                   call.result_type.sql(), reason)) from None
        if array.null_count and not call.result_type.is_nullable:
            row = next(i for i, v in enumerate(values) if v is None)
            raise FunctionError(call.name, "returned None from get_value() for key %s, but its result type is %s"
                                % (describe_value(keys[row]), call.result_type.sql()))
        return array

    def _pickled(self, group: "_Group") -> bytes:
        try:
            return pickle.dumps(group.accumulators, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            culprit = self.calls[0]
            for call, accumulator in zip(self.calls, group.accumulators):
                try:
                    pickle.dumps(accumulator, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 - looking for the one that fails
                    culprit = call
                    break
            raise FunctionError(culprit.name, "has an accumulator for key %s that cannot be pickled into the "
                                "runner's state (%s: %s)" % (describe_value(group.key), type(error).__name__,
                                                             error)) from None

    def _write(self, writer, key_slices: List[pa.RecordBatch], results: List[pa.Array], rows: int) -> None:
        if not rows:
            return
        if self.grouping:
            keys = pa.Table.from_batches(key_slices).combine_chunks()
            key_columns = [keys.column(i).chunk(0) if keys.column(i).num_chunks == 1
                           else pa.concat_arrays(keys.column(i).chunks) for i in range(len(self.grouping))]
        else:
            key_columns = []
        arrays = key_columns + results
        for start in range(0, rows, self.batch_size):
            writer.write_batch(pa.RecordBatch.from_arrays([a.slice(start, self.batch_size) for a in arrays],
                                                          schema=self.schema))
