"""Table aggregate functions over whole groups (`pyfn:transform:table_aggregate:v1`): PyFlink's `udtaf`.

The runner sends every row of a group in one bundle (a key's rows at the end of a bounded GROUP BY), as for
`pyfn:transform:group_aggregate:v1`, so nothing is kept between bundles and a failed bundle is simply replayed.

Input: column 0 `__group` (int64) numbers the groups, a group's rows consecutive; the payload's `grouping` lists
the columns that describe a group in messages (its key). `udfs` holds one call of a TableAggregateFunction
(sent with kind AGGREGATE; this URN says how to call it): per group `create_accumulator()`, `accumulate(acc,
*args)` per row in order, then `emit_value(acc)`, whose yielded rows (tuples, Rows or single values) are the
group's output.

Output: `__group` (int64), then the result ROW's fields: zero or more rows per group, groups in input order, in
batches of at most `arrow_batch_size` rows.
"""

from __future__ import annotations

from typing import List, Tuple

import pyarrow as pa

from pyfn.functions import TableAggregateFunction
from pyfn.row import Row
from pyfn.types import RowField, RowType
from pyfn.worker import execution_context
from pyfn.worker.arrow_conversion import ResultConverter
from pyfn.worker.errors import BundleError, FunctionError, describe_value, format_traceback
from pyfn.worker.function_loader import FunctionLifecycle, load_function
from pyfn.worker.group_aggregate_operation import GROUP_COLUMN, _describe, _group_starts
from pyfn.worker.scalar_operation import COLUMN, BatchColumns, leaf_argument
from pyfn.worker.table_operation import DEFAULT_BATCH_SIZE


class TableAggregateOperation:
    """Runs the one table aggregate call of an operator over the complete groups of a bundle."""

    def __init__(self, functions_message, lifecycle: FunctionLifecycle):
        if len(functions_message.udfs) != 1:
            raise BundleError("a table aggregate operator runs exactly one function, got %d"
                              % len(functions_message.udfs))
        function = load_function(functions_message.udfs[0])
        if not isinstance(function.instance, TableAggregateFunction):
            raise BundleError("function %r is not a TableAggregateFunction (got %s); declare it with "
                              "udtaf(MyTableAggregate(), result_type=DataTypes.ROW([...]))"
                              % (function.name, describe_value(function.call)))
        self.function = function
        self.name = function.name
        self.args: List[Tuple[int, object]] = []
        for index, argument in enumerate(functions_message.udfs[0].inputs):
            leaf = leaf_argument(function.name, index, argument)
            if leaf is None:
                raise BundleError("function %r: argument %d is a nested call; the arguments of a table aggregate "
                                  "function are input columns or constants" % (function.name, index))
            self.args.append(leaf)
        result_type = function.result_type
        if not isinstance(result_type, RowType):
            result_type = RowType([RowField("f0", result_type)])
        self.fields = result_type.fields
        self.converters = [ResultConverter(f.data_type) for f in self.fields]
        self.described_by = list(functions_message.grouping)
        self.batch_size = functions_message.arrow_batch_size or DEFAULT_BATCH_SIZE
        self.schema = pa.schema([pa.field(GROUP_COLUMN, pa.int64(), False)]
                                + [pa.field(f.name, f.data_type.to_arrow(), f.data_type.is_nullable)
                                   for f in self.fields])
        lifecycle.open(function)

    def process(self, batches, writer) -> None:
        """Runs one bundle: all its batches form one table whose groups are aggregated in order."""
        batches = [b for b in batches if b.num_rows]
        if not batches:
            return
        batch = pa.Table.from_batches(batches).combine_chunks().to_batches()[0]
        if not pa.types.is_integer(batch.schema.field(0).type):
            raise BundleError("a table aggregate bundle needs the int64 column %r first, got %s"
                              % (GROUP_COLUMN, batch.schema))
        ids = batch.column(0).to_numpy(zero_copy_only=False)
        starts = _group_starts(ids)
        bounds = list(zip(starts.tolist(), starts[1:].tolist() + [len(ids)]))
        columns = BatchColumns(batch)
        groups: List[int] = []
        rows: List[tuple] = []
        for group, bound, emitted in self._emitted(columns, ids, bounds):
            for item in emitted:
                groups.append(group)
                rows.append(self._row_values(item, columns, bound))
            if len(rows) >= self.batch_size:
                self._write(writer, groups, rows, columns, bounds, ids)
                groups, rows = [], []
        self._write(writer, groups, rows, columns, bounds, ids)

    def _emitted(self, columns: BatchColumns, ids, bounds):
        """(group number, bounds, the list of rows emit_value yields) per group, in order."""
        instance = self.function.instance
        per_arg = [columns.get(value) if kind == COLUMN else None for kind, value in self.args]
        constants = [value for _, value in self.args]
        execution_context.set_function(self.name)
        stage, row, bound = "create_accumulator()", None, bounds[0]
        try:
            for bound in bounds:
                start, end = bound
                stage, row = "create_accumulator()", None
                accumulator = instance.create_accumulator()
                stage = "accumulate()"
                for row in range(start, end):
                    instance.accumulate(accumulator, *[c[row] if c is not None else k
                                                       for c, k in zip(per_arg, constants)])
                stage, row = "emit_value()", None
                emitted = instance.emit_value(accumulator)
                emitted = [] if emitted is None else list(emitted)
                yield int(ids[start]), bound, emitted
        except Exception as error:
            arguments = None if row is None else [c[row] if c is not None else k for c, k in zip(per_arg, constants)]
            raise FunctionError(self.name, "raised %s: %s in %s for %s"
                                % (type(error).__name__, error, stage, _describe(columns, bound, self.described_by)),
                                row=row, arguments=arguments, trace=format_traceback(error, 1)) from None
        finally:
            execution_context.set_function("")

    def _row_values(self, item, columns: BatchColumns, bound) -> tuple:
        width = len(self.fields)
        if width == 1:
            if (isinstance(item, Row) or type(item) is tuple) and len(item) == 1:
                return (item[0],)
            return (item,)
        if isinstance(item, (tuple, list, Row)) and len(item) == width:
            return tuple(item)
        raise FunctionError(self.name, "emit_value() yielded %s for %s; expected a tuple or Row of %d values (%s)"
                            % (describe_value(item), _describe(columns, bound, self.described_by), width,
                               ", ".join(f.sql() for f in self.fields)))

    def _write(self, writer, groups: List[int], rows: List[tuple], columns: BatchColumns, bounds, ids) -> None:
        if not rows:
            return
        arrays = [pa.array(groups, pa.int64())]
        for field, converter, values in zip(self.fields, self.converters, zip(*rows)):
            values = list(values)
            try:
                array = converter.convert(values)
            except Exception as error:  # noqa: BLE001 - any conversion failure is the user's result
                bad, reason = converter.find_bad_row(values)
                bad = 0 if bad is None else bad
                raise FunctionError(self.name, "emit_value() yielded %s for column %r of %s, which is not a valid "
                                    "%s (%s)" % (describe_value(values[bad]), field.name,
                                                 self._group_text(columns, bounds, ids, groups[bad]),
                                                 field.data_type.sql(),
                                                 reason or "%s: %s" % (type(error).__name__, error))) from None
            if array.null_count and not field.data_type.is_nullable:
                bad = next(i for i, v in enumerate(values) if v is None)
                raise FunctionError(self.name, "emit_value() yielded None for column %r of %s, whose type is %s"
                                    % (field.name, self._group_text(columns, bounds, ids, groups[bad]),
                                       field.data_type.sql()))
            arrays.append(array)
        batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        for start in range(0, batch.num_rows, self.batch_size):
            writer.write_batch(batch.slice(start, self.batch_size))

    def _group_text(self, columns: BatchColumns, bounds, ids, group: int) -> str:
        bound = next(b for b in bounds if int(ids[b[0]]) == group)
        return _describe(columns, bound, self.described_by)
