"""Scalar functions (`pyfn:transform:scalar_function:v1`): one result per input row, one column per call.

Arguments are input columns, constants or nested calls. Per batch, each column used is converted to a Python
list once; nested calls run once per row and their results stay Python lists; the calls run as
`results.extend(map(f, *args))`, so on an exception `len(results)` is the failing row at no cost per row.
Top-level results go to Arrow with the declared type; output columns are f0, f1, ...
"""

from __future__ import annotations

import itertools
from typing import Dict, List, Optional, Tuple

import pyarrow as pa

from pyfn.types import from_proto
from pyfn.worker import execution_context
from pyfn.worker.arrow_conversion import ResultConverter, column_values, constant_value
from pyfn.worker.data_channel import MAX_PIECE_BYTES
from pyfn.worker.errors import BundleError, FunctionError, format_traceback
from pyfn.worker.function_loader import FunctionLifecycle, LoadedFunction, load_function

COLUMN, CONSTANT, CALL = 0, 1, 2

_repeat = itertools.repeat

#: Input batches of more than twice this many rows are evaluated in slices of this size (one output batch
#: each): Python lists of a few thousand values stay in the CPU caches, which measured about 25% faster on
#: large batches than whole-batch lists.
SLICE_ROWS = 8192


class Call:
    """One call of a loaded function and where its arguments come from."""

    def __init__(self, function: LoadedFunction, args: List[Tuple[int, object]]):
        self.function = function
        self.name = function.name
        self.fn = function.call
        self.args = args
        self.result_type = function.result_type
        self._converter: Optional[ResultConverter] = None

    @property
    def converter(self) -> ResultConverter:
        if self._converter is None:
            self._converter = ResultConverter(self.result_type)
        return self._converter

    def functions(self):
        """This call's function and those of its nested calls."""
        for kind, value in self.args:
            if kind == CALL:
                yield from value.functions()
        yield self.function

    def arguments_at(self, values: List, row: int) -> List:
        """The argument values of one row, for error messages."""
        out = []
        for (kind, spec), value in zip(self.args, values):
            if kind == CONSTANT:
                out.append(spec)
            else:
                out.append(value[row] if row < len(value) else None)
        return out


def leaf_argument(function_name: str, index: int, argument) -> Optional[Tuple[int, object]]:
    """(COLUMN, index) or (CONSTANT, value) for an input that is a column or a constant; None for a nested call."""
    which = argument.WhichOneof("input")
    if which == "column":
        if argument.column < 0:
            raise BundleError("function %r: argument %d names column %d" % (function_name, index, argument.column))
        return COLUMN, argument.column
    if which == "constant":
        constant = argument.constant
        data_type = from_proto(constant.type) if constant.HasField("type") and constant.type.type_name else None
        return CONSTANT, constant_value(constant, data_type)
    if which == "call":
        return None
    raise BundleError("function %r: argument %d is neither a column, a constant nor a call" % (function_name, index))


def compile_call(message, lifecycle: FunctionLifecycle, loaded: Optional[Dict] = None) -> Call:
    """A Call tree for a `pyfn.v1.UserDefinedFunction`, each function loaded and opened once."""
    function = load_function(message)
    args = []
    for index, argument in enumerate(message.inputs):
        leaf = leaf_argument(function.name, index, argument)
        args.append(leaf if leaf is not None else (CALL, compile_call(argument.call, lifecycle, loaded)))
    lifecycle.open(function)
    return Call(function, args)


class BatchColumns:
    """The input columns of one batch as sequences of Python values (`column_values`), each converted at most once."""

    __slots__ = ("batch", "lists")

    def __init__(self, batch: pa.RecordBatch):
        self.batch = batch
        self.lists: Dict[int, list] = {}

    def get(self, index: int) -> list:
        values = self.lists.get(index)
        if values is None:
            if index >= self.batch.num_columns:
                raise BundleError("a function reads column %d but the input batch has %d columns"
                                  % (index, self.batch.num_columns))
            values = self.lists[index] = column_values(self.batch.column(index))
        return values


def evaluate(call: Call, columns: BatchColumns, rows: int, row_offset: int) -> Tuple[list, list]:
    """(results, argument lists) of `call` over one batch; a failing row raises FunctionError."""
    args = []
    for kind, value in call.args:
        if kind == COLUMN:
            args.append(columns.get(value))
        elif kind == CONSTANT:
            args.append(_repeat(value, rows))
        else:
            args.append(evaluate(value, columns, rows, row_offset)[0])
    execution_context.set_function(call.name)
    results: list = []
    try:
        if args:
            results.extend(map(call.fn, *args))
        else:
            fn = call.fn
            results.extend(fn() for _ in range(rows))
    except Exception as error:
        row = len(results)
        raise FunctionError(call.name, "raised %s: %s" % (type(error).__name__, error), row=row_offset + row,
                            arguments=call.arguments_at(args, row),
                            trace=format_traceback(error, 1)) from None
    finally:
        execution_context.set_function("")
    return results, args


def results_to_arrow(call: Call, results: list, args: list, row_offset: int) -> pa.Array:
    """The declared-type Arrow array of `results`; a value that does not fit raises FunctionError naming its row."""
    converter = call.converter
    try:
        array = converter.convert(results)
    except Exception as error:  # noqa: BLE001 - any conversion failure is the user's result
        row, reason = converter.find_bad_row(results)
        if row is None:
            raise FunctionError(call.name, "returned results that are not valid %s (%s: %s)"
                                % (call.result_type.sql(), type(error).__name__, error)) from None
        raise FunctionError(call.name, "returned %r, which is not a valid %s (%s)"
                            % (results[row], call.result_type.sql(), reason),
                            row=row_offset + row, arguments=call.arguments_at(args, row)) from None
    if array.null_count and not call.result_type.is_nullable:
        row = next(i for i, v in enumerate(results) if v is None)
        raise FunctionError(call.name, "returned None, but its result type is %s" % call.result_type.sql(),
                            row=row_offset + row, arguments=call.arguments_at(args, row))
    return array


class ScalarOperation:
    """Runs the scalar calls of one operator over the batches of a bundle."""

    #: The output is as large as the input, which the runner bounds: it is sent in as few Data messages as
    #: the piece limit allows rather than batch by batch (each message costs thread hand-offs).
    output_flush_bytes = MAX_PIECE_BYTES

    def __init__(self, functions_message, lifecycle: FunctionLifecycle):
        if not functions_message.udfs:
            raise BundleError("a scalar operator needs at least one function")
        self.calls = [compile_call(m, lifecycle) for m in functions_message.udfs]
        self.schema = pa.schema([pa.field("f%d" % i, c.result_type.to_arrow(), c.result_type.is_nullable)
                                 for i, c in enumerate(self.calls)])

    def process_batch(self, batch: pa.RecordBatch, row_offset: int = 0) -> pa.RecordBatch:
        rows = batch.num_rows
        columns = BatchColumns(batch)
        arrays = []
        for call in self.calls:
            results, args = evaluate(call, columns, rows, row_offset)
            arrays.append(results_to_arrow(call, results, args, row_offset))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def process(self, batches, writer) -> None:
        """Evaluates every input batch and writes the results (large batches in slices of SLICE_ROWS)."""
        row_offset = 0
        for batch in batches:
            rows = batch.num_rows
            if rows <= 2 * SLICE_ROWS:
                writer.write_batch(self.process_batch(batch, row_offset))
            else:
                for start in range(0, rows, SLICE_ROWS):
                    writer.write_batch(self.process_batch(batch.slice(start, SLICE_ROWS), row_offset + start))
            row_offset += rows
