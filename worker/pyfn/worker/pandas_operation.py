"""Pandas scalar functions (`pyfn:transform:pandas_scalar_function:v1`): a batch at a time.

Each argument is a pandas.Series over the whole input batch (zero-copy for numeric columns without nulls), or
for a ROW column a pandas.DataFrame with a column per field, as PyFlink passes them; constants are broadcast to
Series, nested calls feed their Series (or DataFrame) on. The result must be a Series, numpy array, pyarrow Array
or list of the batch's length, or for a ROW result a DataFrame. pandas is imported only when such a function runs.
"""

from __future__ import annotations

from typing import Dict

import numpy as np
import pyarrow as pa

from pyfn.types import RowType
from pyfn.worker import execution_context, local_zoned
from pyfn.worker.data_channel import MAX_PIECE_BYTES
from pyfn.worker.errors import BundleError, FunctionError, format_traceback
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.pandas_deferral import allow_pandas
from pyfn.worker.scalar_operation import COLUMN, CONSTANT, Call, compile_call


def column_to_pandas(column: pa.Array):
    """A column as a pandas function gets it: a Series, or for a ROW column a DataFrame with one column per field,
    named by the field (as PyFlink passes it; fields of a nested ROW stay dicts). Rows that are null give nulls
    in every column. Lifts the worker's pandas deferral first: any operation that hands pandas objects out (Pandas
    UDFs, Pandas aggregates in windows) goes through here."""
    pd = allow_pandas()

    if pa.types.is_struct(column.type):
        fields = [child.to_pandas().rename(field.name) for child, field in zip(column.flatten(), column.type)]
        if not fields:
            return pd.DataFrame(index=pd.RangeIndex(len(column)))
        return pd.concat(fields, axis=1)
    if local_zoned.is_local_zoned(column.type):
        return local_zoned.to_pandas(column)
    return column.to_pandas()


class PandasOperation:
    """Runs the pandas calls of one operator over the batches of a bundle; output columns f0, f1, ..."""

    #: As for scalar functions: the output is sent in as few Data messages as the piece limit allows.
    output_flush_bytes = MAX_PIECE_BYTES

    def __init__(self, functions_message, lifecycle: FunctionLifecycle):
        allow_pandas()  # fails early, and only here, when pandas is missing

        if not functions_message.udfs:
            raise BundleError("a pandas operator needs at least one function")
        self.calls = [compile_call(m, lifecycle) for m in functions_message.udfs]
        self.schema = pa.schema([pa.field("f%d" % i, c.result_type.to_arrow(), c.result_type.is_nullable)
                                 for i, c in enumerate(self.calls)])

    def process(self, batches, writer) -> None:
        row_offset = 0
        for batch in batches:
            writer.write_batch(self.process_batch(batch, row_offset))
            row_offset += batch.num_rows

    def process_batch(self, batch: pa.RecordBatch, row_offset: int = 0) -> pa.RecordBatch:
        series: Dict[int, object] = {}
        rows = batch.num_rows
        arrays = [self._to_arrow(call, self._evaluate(call, batch, series, rows, row_offset), rows, row_offset)
                  for call in self.calls]
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _evaluate(self, call: Call, batch: pa.RecordBatch, series: Dict[int, object], rows: int, row_offset: int):
        import pandas as pd

        args = []
        for kind, value in call.args:
            if kind == COLUMN:
                column = series.get(value)
                if column is None:
                    if value >= batch.num_columns:
                        raise BundleError("function %r reads column %d but the input batch has %d columns"
                                          % (call.name, value, batch.num_columns))
                    column = series[value] = column_to_pandas(batch.column(value))
                args.append(column)
            elif kind == CONSTANT:
                args.append(pd.Series([value] * rows))
            else:
                inner = self._evaluate(value, batch, series, rows, row_offset)
                args.append(inner if isinstance(inner, (pd.Series, pd.DataFrame)) else pd.Series(inner))
        execution_context.set_function(call.name)
        try:
            return call.fn(*args)
        except Exception as error:
            raise FunctionError(call.name, "raised %s: %s on the batch of rows %d to %d of the bundle"
                                % (type(error).__name__, error, row_offset, row_offset + rows - 1),
                                trace=format_traceback(error, 1)) from None
        finally:
            execution_context.set_function("")

    def _to_arrow(self, call: Call, result, rows: int, row_offset: int) -> pa.Array:
        import pandas as pd

        arrow_type = self.schema.field(self.calls.index(call)).type
        data_type = call.result_type
        try:
            if isinstance(result, pa.ChunkedArray):
                result = result.combine_chunks()
            if isinstance(result, pa.Array):
                array = result if result.type == arrow_type else result.cast(arrow_type)
            elif isinstance(result, pd.DataFrame) and isinstance(data_type, RowType):
                if len(result.columns) != len(data_type.fields):
                    raise ValueError("a DataFrame with %d columns for a ROW of %d fields"
                                     % (len(result.columns), len(data_type.fields)))
                children = [pa.Array.from_pandas(result.iloc[:, i], type=arrow_type.field(i).type)
                            for i in range(len(data_type.fields))]
                array = pa.StructArray.from_arrays(children, fields=list(arrow_type))
            elif isinstance(result, pd.Series) and local_zoned.is_local_zoned(arrow_type):
                array = local_zoned.pandas_results(result, arrow_type)
            elif isinstance(result, pd.Series):
                array = pa.Array.from_pandas(result, type=arrow_type)
            elif isinstance(result, np.ndarray):
                array = pa.array(result, type=arrow_type, from_pandas=True)
            elif isinstance(result, (list, tuple)):
                array = pa.array(list(result), type=arrow_type)
            else:
                raise FunctionError(call.name, "returned a %s; a pandas function must return a pandas.Series, "
                                    "numpy array or pyarrow Array of %d values" % (type(result).__name__, rows))
        except FunctionError:
            raise
        except Exception as error:  # noqa: BLE001 - the user's result does not convert
            raise FunctionError(call.name, "returned values that are not valid %s (%s: %s) for the batch of rows "
                                "%d to %d of the bundle" % (data_type.sql(), type(error).__name__, error,
                                                            row_offset, row_offset + rows - 1)) from None
        if len(array) != rows:
            raise FunctionError(call.name, "returned %d values for a batch of %d rows (rows %d to %d of the bundle); "
                                "a pandas function must return one value per input row"
                                % (len(array), rows, row_offset, row_offset + rows - 1))
        if array.null_count and not data_type.is_nullable:
            row = int(np.flatnonzero(array.is_null().to_numpy(zero_copy_only=False))[0])
            raise FunctionError(call.name, "returned a null, but its result type is %s" % data_type.sql(),
                                row=row_offset + row)
        return array
