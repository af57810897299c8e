"""Table functions (`pyfn:transform:table_function:v1`): zero or more output rows per input row.

The function is called once per input row (its arguments as for scalar calls, nested scalar calls included)
and may return an iterable or be a generator; each item is a tuple, a Row or, for one column, a single value.
Output batches hold at most `arrow_batch_size` rows: column `__row` (int32, the input row's index in the bundle)
then the ROW fields of the result type. A batch is written and sent as soon as it is full, so a function
yielding millions of rows for one input keeps memory bounded.
"""

from __future__ import annotations

from typing import List

import pyarrow as pa

from pyfn.row import Row
from pyfn.types import RowField, RowType
from pyfn.worker import execution_context
from pyfn.worker.arrow_conversion import ResultConverter
from pyfn.worker.errors import BundleError, FunctionError, describe_value, format_traceback
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.scalar_operation import COLUMN, CONSTANT, BatchColumns, compile_call, evaluate

#: Rows per output batch when the operator does not say (Flink's python.fn-execution.arrow.batch.size).
DEFAULT_BATCH_SIZE = 10000

_SINGLE_VALUES = (str, bytes, bytearray, Row, dict)


class TableOperation:
    """Runs the one table call of an operator over the batches of a bundle."""

    def __init__(self, functions_message, lifecycle: FunctionLifecycle):
        if len(functions_message.udfs) != 1:
            raise BundleError("a table operator runs exactly one function, got %d" % len(functions_message.udfs))
        self.call = compile_call(functions_message.udfs[0], lifecycle)
        result_type = self.call.result_type
        if not isinstance(result_type, RowType):
            result_type = RowType([RowField("f0", result_type)])
        self.row_type = result_type
        self.fields = result_type.fields
        self.width = len(self.fields)
        self.single_row_value = self.width == 1 and isinstance(self.fields[0].data_type, RowType)
        # One plain column: pending holds bare values rather than 1-tuples.
        self.single_column = self.width == 1 and not self.single_row_value
        self.converters = [ResultConverter(f.data_type) for f in self.fields]
        self.batch_size = functions_message.arrow_batch_size or DEFAULT_BATCH_SIZE
        self.schema = pa.schema([pa.field("__row", pa.int32(), False)] +
                                [pa.field(f.name, f.data_type.to_arrow(), f.data_type.is_nullable)
                                 for f in self.fields])
        self._pending_rows: List[int] = []
        self._pending: list = []
        self._args: list = []
        self._args_offset = 0

    # -- rows -------------------------------------------------------------------------------------
    def _row_values(self, item, row: int, args: list, index: int) -> tuple:
        if self.width == 1:
            if not self.single_row_value and (isinstance(item, Row) or type(item) is tuple) and len(item) == 1:
                return (item[0],)
            return (item,)
        if isinstance(item, (tuple, list, Row)) and len(item) == self.width:
            return tuple(item)
        raise FunctionError(self.call.name, "yielded %s; expected a tuple or Row of %d values (%s)"
                            % (describe_value(item), self.width, ", ".join(f.sql() for f in self.fields)),
                            row=row, arguments=self.call.arguments_at(args, index))

    def process(self, batches, writer) -> None:
        row_offset = 0
        for batch in batches:
            self._process_batch(batch, row_offset, writer)
            row_offset += batch.num_rows
        self._flush(writer)

    def _process_batch(self, batch: pa.RecordBatch, row_offset: int, writer) -> None:
        rows = batch.num_rows
        call = self.call
        columns = BatchColumns(batch)
        args = []
        for kind, value in call.args:
            if kind == COLUMN:
                args.append(columns.get(value))
            elif kind == CONSTANT:
                args.append([value] * rows)
            else:
                args.append(evaluate(value, columns, rows, row_offset)[0])
        self._args, self._args_offset = args, row_offset
        fn = call.fn
        pending_rows, pending = self._pending_rows, self._pending
        batch_size = self.batch_size
        single = self.single_column
        row_values = self._row_values
        rows_args = zip(*args) if args else (() for _ in range(rows))
        index = 0
        execution_context.set_function(call.name)
        try:
            for index, row_args in enumerate(rows_args):
                result = fn(*row_args)
                if result is None:
                    continue
                if isinstance(result, _SINGLE_VALUES) or not hasattr(result, "__iter__"):
                    result = (result,)
                row = row_offset + index
                for item in result:
                    pending_rows.append(row)
                    if single:
                        # One column: values are kept bare (no tuple per row, which the cyclic GC would scan).
                        pending.append(item[0] if (type(item) is tuple or isinstance(item, Row)) and len(item) == 1
                                       else item)
                    else:
                        pending.append(row_values(item, row, args, index))
                    if len(pending) >= batch_size:
                        self._flush(writer)
        except FunctionError:
            raise
        except Exception as error:
            raise FunctionError(call.name, "raised %s: %s" % (type(error).__name__, error), row=row_offset + index,
                                arguments=call.arguments_at(args, index),
                                trace=format_traceback(error, 1)) from None
        finally:
            execution_context.set_function("")

    def _flush(self, writer) -> None:
        if not self._pending:
            return
        pending_rows, pending = self._pending_rows, self._pending
        arrays = [pa.array(pending_rows, type=pa.int32())]
        columns = (pending,) if self.single_column else zip(*pending)
        for position, (field, converter, values) in enumerate(zip(self.fields, self.converters, columns)):
            values = list(values)
            try:
                array = converter.convert(values)
            except Exception as error:  # noqa: BLE001 - any conversion failure is the user's result
                bad, reason = converter.find_bad_row(values)
                bad = 0 if bad is None else bad
                raise self._field_error("yielded %s for column %r, which is not a valid %s (%s)"
                                        % (describe_value(values[bad]), field.name, field.data_type.sql(),
                                           reason or "%s: %s" % (type(error).__name__, error)),
                                        pending_rows[bad]) from None
            if array.null_count and not field.data_type.is_nullable:
                bad = next(i for i, v in enumerate(values) if v is None)
                raise self._field_error("yielded None for column %r, whose type is %s"
                                        % (field.name, field.data_type.sql()), pending_rows[bad])
            arrays.append(array)
        batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        pending_rows.clear()
        pending.clear()
        writer.write_batch(batch)

    def _field_error(self, what: str, row: int) -> FunctionError:
        index = row - self._args_offset
        arguments = None
        if self._args and 0 <= index < len(self._args[0]):
            arguments = self.call.arguments_at(self._args, index)
        return FunctionError(self.call.name, what, row=row, arguments=arguments)
