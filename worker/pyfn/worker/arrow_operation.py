"""Arrow-native scalar functions (`pyfn:transform:arrow_scalar_function:v1`): a batch at a time, as pyarrow.

Each argument is the input batch's column as a `pyarrow.Array` (in embedded mode the runner's own buffers, in
process mode the Arrow IPC message's; never copied here), a constant is repeated to an Array, a nested call
passes its Array on. The result must be a `pyarrow.Array` or `ChunkedArray` (cast to the declared type when it
differs and the cast is safe) or anything `pyarrow.array` takes, with one value per input row. Nothing on this
path imports pandas: avoiding that conversion is the point of the kind. (pyarrow itself imports pandas, when
installed, as soon as it converts Python objects: a constant argument or a list result does that, once.)
"""

from __future__ import annotations

import pyarrow as pa

from pyfn.worker import execution_context, local_zoned
from pyfn.worker.data_channel import MAX_PIECE_BYTES
from pyfn.worker.errors import BundleError, FunctionError, format_traceback
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.scalar_operation import COLUMN, CONSTANT, Call, compile_call


def _rows_text(row_offset: int, rows: int) -> str:
    return "the batch of rows %d to %d of the bundle" % (row_offset, row_offset + rows - 1)


def result_to_array(call: Call, result, arrow_type: pa.DataType, rows: int, row_offset: int) -> pa.Array:
    """The function's result as an Array of the declared type and the batch's length; anything else raises
    FunctionError naming the function and the batch."""
    data_type = call.result_type
    if isinstance(result, pa.ChunkedArray):
        result = result.combine_chunks() if result.num_chunks != 1 else result.chunk(0)
    try:
        if isinstance(result, pa.Array):
            array = result if result.type == arrow_type else result.cast(arrow_type, safe=True)
        else:
            array = pa.array(result, type=arrow_type)
    except Exception as error:  # noqa: BLE001 - the user's result does not fit the declared type
        what = ("an Array of %s" % result.type) if isinstance(result, pa.Array) else ("a %s" % type(result).__name__)
        raise FunctionError(call.name, "returned %s, which is not valid %s (%s: %s), for %s"
                            % (what, data_type.sql(), type(error).__name__, error,
                               _rows_text(row_offset, rows))) from None
    if len(array) != rows:
        raise FunctionError(call.name, "returned %d values for %s; an arrow function must return one value per "
                            "input row" % (len(array), _rows_text(row_offset, rows)))
    if array.null_count and not data_type.is_nullable:
        row = next(i for i, valid in enumerate(array.is_valid().to_pylist()) if not valid)
        raise FunctionError(call.name, "returned a null, but its result type is %s" % data_type.sql(),
                            row=row_offset + row)
    return array


class ArrowOperation:
    """Runs the arrow calls of one operator over the batches of a bundle; output columns f0, f1, ..."""

    #: As for scalar functions: the output is sent in as few Data messages as the piece limit allows.
    output_flush_bytes = MAX_PIECE_BYTES

    def __init__(self, functions_message, lifecycle: FunctionLifecycle):
        if not functions_message.udfs:
            raise BundleError("an arrow operator needs at least one function")
        self.calls = [compile_call(m, lifecycle) for m in functions_message.udfs]
        self.types = [c.result_type.to_arrow() for c in self.calls]
        self.schema = pa.schema([pa.field("f%d" % i, t, c.result_type.is_nullable)
                                 for i, (c, t) in enumerate(zip(self.calls, self.types))])

    def process(self, batches, writer) -> None:
        """Evaluates every input batch and writes its results."""
        row_offset = 0
        for batch in batches:
            writer.write_batch(self.process_batch(batch, row_offset))
            row_offset += batch.num_rows

    def process_batch(self, batch: pa.RecordBatch, row_offset: int = 0) -> pa.RecordBatch:
        """The result columns of one batch."""
        rows = batch.num_rows
        arrays = [self._evaluate(call, arrow_type, batch, rows, row_offset)
                  for call, arrow_type in zip(self.calls, self.types)]
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _evaluate(self, call: Call, arrow_type: pa.DataType, batch: pa.RecordBatch, rows: int,
                  row_offset: int) -> pa.Array:
        args = []
        for kind, value in call.args:
            if kind == COLUMN:
                if value >= batch.num_columns:
                    raise BundleError("function %r reads column %d but the input batch has %d columns"
                                      % (call.name, value, batch.num_columns))
                column = batch.column(value)
                args.append(local_zoned.to_arrow_udf(column) if local_zoned.is_local_zoned(column.type) else column)
            elif kind == CONSTANT:
                args.append(pa.nulls(rows) if value is None else pa.array([value] * rows))
            else:
                args.append(self._evaluate(value, value.result_type.to_arrow(), batch, rows, row_offset))
        execution_context.set_function(call.name)
        try:
            result = call.fn(*args)
        except Exception as error:  # noqa: BLE001 - the user's failure, reported with the batch
            raise FunctionError(call.name, "raised %s: %s on %s" % (type(error).__name__, error,
                                                                     _rows_text(row_offset, rows)),
                                trace=format_traceback(error, 1)) from None
        finally:
            execution_context.set_function("")
        return result_to_array(call, result, arrow_type, rows, row_offset)
