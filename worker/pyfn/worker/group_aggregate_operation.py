"""Aggregates over whole groups (`pyfn:transform:group_aggregate:v1`): general and Pandas UDAFs, no state.

The runner sends every row of a group in one bundle (a fired time window, an OVER frame, a key's rows at the end
of a bounded GROUP BY), so a group's value is computed from its rows alone and nothing is kept between bundles:
a bundle that fails is simply replayed.

Input: column 0 `__group` (int64) numbers the groups; a group's rows are consecutive, and a number never comes
back after another one (checked). The payload's `grouping` lists the columns that describe a group in messages
(its key, window start and end); `udfs` are AGGREGATE calls (an AggregateFunction: `create_accumulator()`, then
`accumulate(acc, *args)` per row in order, then `get_value(acc)`) or PANDAS_AGGREGATE calls (a function of one
pandas.Series per argument over the group's rows, returning one scalar), arguments input columns or constants.

Output: `__group` (int64), then f0, f1, ... in each call's result type: one row per group, in input order,
in batches of at most `arrow_batch_size` rows.
"""

from __future__ import annotations

from typing import List, Tuple

import numpy as np
import pyarrow as pa

from pyfn.functions import AggregateFunction
from pyfn.proto.pyfn import udf_pb2
from pyfn.worker import execution_context
from pyfn.worker.arrow_conversion import ResultConverter
from pyfn.worker.errors import BundleError, FunctionError, describe_value, format_traceback
from pyfn.worker.function_loader import FunctionLifecycle, load_function
from pyfn.worker.group_series import group_slicer
from pyfn.worker.pandas_deferral import allow_pandas
from pyfn.worker.pandas_group_mean import group_means, is_plain_mean
from pyfn.worker.pandas_operation import column_to_pandas
from pyfn.worker.scalar_operation import COLUMN, BatchColumns, leaf_argument
from pyfn.worker.table_operation import DEFAULT_BATCH_SIZE

_Kind = udf_pb2.UserDefinedFunction.Kind

#: The name of the column that numbers the groups, in the input and the output.
GROUP_COLUMN = "__group"


class GroupCall:
    """One aggregate call over whole groups: its function, kind (general or pandas), arguments, result type."""

    def __init__(self, message, lifecycle: FunctionLifecycle):
        label = message.name or "<unnamed>"
        if message.kind not in (_Kind.AGGREGATE, _Kind.PANDAS_AGGREGATE):
            raise BundleError("function %r: a group aggregate operator runs AGGREGATE and PANDAS_AGGREGATE calls, "
                              "not %s" % (label, _Kind.Name(message.kind)))
        function = load_function(message)
        self.pandas = message.kind == _Kind.PANDAS_AGGREGATE
        #: `lambda v: v.mean()` as a Pandas UDAF: all groups' means at once (pandas_group_mean.py), exactly.
        self.plain_mean = self.pandas and is_plain_mean(function.call)
        if not self.pandas and not isinstance(function.instance, AggregateFunction):
            raise BundleError("function %r is not an AggregateFunction (got %s); declare it with udaf(MyAggregate())"
                              % (function.name, describe_value(function.call)))
        self.name = function.name
        self.function = function
        self.args: List[Tuple[int, object]] = []
        for index, argument in enumerate(message.inputs):
            leaf = leaf_argument(function.name, index, argument)
            if leaf is None:
                raise BundleError("function %r: argument %d is a nested call; the arguments of an aggregate "
                                  "function are input columns or constants" % (function.name, index))
            self.args.append(leaf)
        self.result_type = function.result_type
        self.converter = ResultConverter(self.result_type)
        lifecycle.open(function)


class GroupAggregateOperation:
    """Runs the calls of one operator over the complete groups of a bundle; one output row per group."""

    def __init__(self, functions_message, lifecycle: FunctionLifecycle):
        if not functions_message.udfs:
            raise BundleError("a group aggregate operator needs at least one function")
        self.calls = [GroupCall(m, lifecycle) for m in functions_message.udfs]
        if any(call.pandas for call in self.calls):
            # Now, as the operator opens (process mode loads its functions then), not in the first bundle: pandas'
            # import (0.7 s) then overlaps the runner reading rows until the first window fires.
            allow_pandas()
        self.described_by = list(functions_message.grouping)
        self.batch_size = functions_message.arrow_batch_size or DEFAULT_BATCH_SIZE
        self.schema = pa.schema([pa.field(GROUP_COLUMN, pa.int64(), False)]
                                + [pa.field("f%d" % i, c.result_type.to_arrow(), c.result_type.is_nullable)
                                   for i, c in enumerate(self.calls)])

    def process(self, batches, writer) -> None:
        """Runs one bundle: all its batches form one table whose groups are aggregated in order."""
        batches = [b for b in batches if b.num_rows]
        if not batches:
            return
        table = pa.Table.from_batches(batches).combine_chunks()
        if table.num_columns == 0 or not pa.types.is_integer(table.schema.field(0).type):
            raise BundleError("a group aggregate bundle needs the int64 column %r first, got %s"
                              % (GROUP_COLUMN, table.schema))
        batch = table.to_batches()[0]
        ids = batch.column(0).to_numpy(zero_copy_only=False)
        starts = _group_starts(ids)
        bounds = list(zip(starts.tolist(), starts[1:].tolist() + [len(ids)]))
        columns = BatchColumns(batch)
        arrays = [pa.array(ids[starts], pa.int64())]
        for call in self.calls:
            values = self._pandas_values(call, batch, bounds, starts) if call.pandas else \
                self._general_values(call, columns, bounds)
            arrays.append(self._to_arrow(call, values, columns, bounds))
        groups = len(bounds)
        for start in range(0, groups, self.batch_size):
            writer.write_batch(pa.RecordBatch.from_arrays([a.slice(start, self.batch_size) for a in arrays],
                                                          schema=self.schema))

    # -- the two kinds -----------------------------------------------------------------------------
    def _general_values(self, call: GroupCall, columns: BatchColumns, bounds) -> list:
        instance = call.function.instance
        create, accumulate, get_value = instance.create_accumulator, instance.accumulate, instance.get_value
        per_arg = [columns.get(value) if kind == COLUMN else None for kind, value in call.args]
        constants = [value for kind, value in call.args]
        values = []
        execution_context.set_function(call.name)
        stage, row = "create_accumulator()", None
        try:
            for start, end in bounds:
                stage, row = "create_accumulator()", None
                accumulator = create()
                stage = "accumulate()"
                if len(per_arg) == 1 and per_arg[0] is not None:
                    column = per_arg[0]
                    for row in range(start, end):
                        accumulate(accumulator, column[row])
                else:
                    for row in range(start, end):
                        accumulate(accumulator, *[c[row] if c is not None else k for c, k in zip(per_arg, constants)])
                stage, row = "get_value()", None
                values.append(get_value(accumulator))
        except Exception as error:
            group = _group_of(bounds, len(values))
            arguments = None if row is None else [c[row] if c is not None else k for c, k in zip(per_arg, constants)]
            raise FunctionError(call.name, "raised %s: %s in %s for %s"
                                % (type(error).__name__, error, stage, self._described(columns, group)),
                                row=row, arguments=arguments, trace=format_traceback(error, 1)) from None
        finally:
            execution_context.set_function("")
        return values

    def _pandas_values(self, call: GroupCall, batch: pa.RecordBatch, bounds, starts: np.ndarray) -> list:
        import pandas as pd

        series = []
        for kind, value in call.args:
            if kind == COLUMN:
                if value >= batch.num_columns:
                    raise BundleError("function %r reads column %d but the input batch has %d columns"
                                      % (call.name, value, batch.num_columns))
                series.append(column_to_pandas(batch.column(value)))
            else:
                series.append(pd.Series([value] * batch.num_rows))
        fn = call.function.call
        if call.plain_mean:
            means = group_means(series[0].to_numpy(), starts, np.append(starts[1:], batch.num_rows))
            if means is not None:
                return means.tolist()
        slicers = [group_slicer(s) for s in series]
        values = []
        execution_context.set_function(call.name)
        try:
            if len(slicers) == 1:
                only = slicers[0]
                for start, end in bounds:
                    values.append(_scalar(fn(only(start, end))))
            else:
                for start, end in bounds:
                    values.append(_scalar(fn(*[slicer(start, end) for slicer in slicers])))
        except Exception as error:
            group = _group_of(bounds, len(values))
            raise FunctionError(call.name, "raised %s: %s for %s (rows %d to %d of the bundle)"
                                % (type(error).__name__, error, self._described(BatchColumns(batch), group),
                                   group[0], group[1] - 1), trace=format_traceback(error, 1)) from None
        finally:
            execution_context.set_function("")
        return values

    def _to_arrow(self, call: GroupCall, values: list, columns: BatchColumns, bounds) -> pa.Array:
        try:
            array = call.converter.convert(values)
        except Exception as error:  # noqa: BLE001 - any conversion failure is the user's result
            row, reason = call.converter.find_bad_row(values)
            if row is None:
                raise FunctionError(call.name, "returned results that are not valid %s (%s: %s)"
                                    % (call.result_type.sql(), type(error).__name__, error)) from None
            raise FunctionError(call.name, "returned %s for %s, which is not a valid %s (%s)"
                                % (describe_value(values[row]), self._described(columns, bounds[row]),
                                   call.result_type.sql(), reason)) from None
        if array.null_count and not call.result_type.is_nullable:
            row = next(i for i, v in enumerate(values) if v is None)
            raise FunctionError(call.name, "returned None for %s, but its result type is %s"
                                % (self._described(columns, bounds[row]), call.result_type.sql()))
        return array

    def _described(self, columns: BatchColumns, group) -> str:
        return _describe(columns, group, self.described_by)


def _group_starts(ids: np.ndarray) -> np.ndarray:
    """The first row of each group; a group number that comes back after another one is an error."""
    if len(ids) == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    starts = np.concatenate([np.zeros(1, dtype=np.int64), change.astype(np.int64)])
    if len(np.unique(ids[starts])) != len(starts):
        raise BundleError("group numbers in column %r are not consecutive: a group's rows must come together"
                          % GROUP_COLUMN)
    return starts


def _group_of(bounds, index: int):
    return bounds[min(index, len(bounds) - 1)]


def _describe(columns: BatchColumns, group, described_by=()) -> str:
    """`group ('a', …)` by the columns that describe it, else the group's rows in the bundle."""
    start, end = group
    if not described_by:
        return "the group of rows %d to %d of the bundle" % (start, end - 1)
    key = tuple(columns.get(c)[start] for c in described_by)
    return "group %s" % describe_value(key)


def _scalar(value):
    """A Pandas UDAF's result as one Python value (numpy scalars unwrapped, a one-element Series taken)."""
    if isinstance(value, np.generic):
        return value.item()
    return value
