"""The operations in-process: conversions, nested calls, constants, nulls, errors, table and pandas batches."""

import datetime
import decimal

import numpy as np
import pyarrow as pa
import pytest

from pyfn import DataTypes, Row, udf, udtf
from pyfn.metrics import MetricGroup
from pyfn.proto.pyfn import udf_pb2
from pyfn.worker.arrow_conversion import ResultConverter, column_to_list, constant_value
from pyfn.worker.errors import FunctionError
from pyfn.worker.function_loader import FunctionLifecycle
from pyfn.worker.scalar_operation import ScalarOperation

import descriptors
from descriptors import functions


def call_message(wrapper, *inputs, by_value=True):
    """As descriptors.call_message, cloudpickled by default."""
    return descriptors.call_message(wrapper, *inputs, by_value=by_value)


class Collect:
    def __init__(self):
        self.batches = []

    def write_batch(self, batch):
        self.batches.append(batch)

    def table(self, schema):
        return pa.Table.from_batches(self.batches, schema=schema)


def run_scalar(message, batch, job_parameters=None):
    operation = ScalarOperation(message, FunctionLifecycle(job_parameters or {}, MetricGroup()))
    sink = Collect()
    operation.process([batch], sink)
    return sink.table(operation.schema)


# ------------------------------------------------------------------------------------- conversions

def test_column_to_list_numeric_with_and_without_nulls():
    assert column_to_list(pa.array([1, 2, 3])) == [1, 2, 3]
    values = column_to_list(pa.array([1, None, 3, None], pa.int64()))
    assert values == [1, None, 3, None] and all(type(v) is int for v in values if v is not None)
    assert column_to_list(pa.array([2 ** 62, None], pa.int64())) == [2 ** 62, None]  # no float detour
    assert column_to_list(pa.array([None, None], pa.int32())) == [None, None]
    assert column_to_list(pa.array([1.5, None], pa.float32())) == [1.5, None]
    assert column_to_list(pa.array([True, None, False])) == [True, None, False]


def test_column_to_list_every_type():
    day = datetime.date(2024, 2, 29)
    when = datetime.datetime(2024, 2, 29, 12, 30, 1, 250)
    assert column_to_list(pa.array([decimal.Decimal("1.25")], pa.decimal128(10, 2))) == [decimal.Decimal("1.25")]
    assert column_to_list(pa.array(["x", None])) == ["x", None]
    assert column_to_list(pa.array([b"x"], pa.binary())) == [b"x"]
    assert column_to_list(pa.array([day], pa.date32())) == [day]
    assert column_to_list(pa.array([datetime.time(1, 2, 3, 4)], pa.time64("us"))) == [datetime.time(1, 2, 3, 4)]
    assert column_to_list(pa.array([when], pa.timestamp("us"))) == [when]
    assert column_to_list(pa.array([[1, None], None], pa.list_(pa.int64()))) == [[1, None], None]
    maps = column_to_list(pa.array([[("a", 1)], None], pa.map_(pa.string(), pa.int64())))
    assert maps == [{"a": 1}, None]
    rows = column_to_list(pa.array([{"a": 1, "b": "x"}, None], pa.struct([("a", pa.int64()), ("b", pa.string())])))
    assert rows[0] == Row(a=1, b="x") and rows[0].b == "x" and rows[1] is None
    nested = column_to_list(pa.array([[{"k": [("z", 1)]}]],
                                     pa.list_(pa.struct([("k", pa.map_(pa.string(), pa.int64()))]))))
    assert nested[0][0].k == {"z": 1}


def test_constants():
    def constant(data_type, field=None, value=None):
        message = udf_pb2.Constant()
        message.type.CopyFrom(data_type.to_proto())
        if field:
            setattr(message, field, value)
        return constant_value(message, data_type)

    assert constant(DataTypes.BIGINT(), "int_value", -5) == -5
    assert constant(DataTypes.BIGINT()) is None
    assert constant(DataTypes.DOUBLE(), "double_value", 0.5) == 0.5
    assert constant(DataTypes.BOOLEAN(), "bool_value", True) is True
    assert constant(DataTypes.STRING(), "string_value", "hé") == "hé"
    assert constant(DataTypes.BYTES(), "bytes_value", b"\x00") == b"\x00"
    assert constant(DataTypes.DECIMAL(5, 2), "string_value", "12.34") == decimal.Decimal("12.34")
    assert constant(DataTypes.DATE(), "int_value", 19782) == datetime.date(2024, 2, 29)
    assert constant(DataTypes.TIME(), "int_value", 3_723_000_004) == datetime.time(1, 2, 3, 4)
    assert constant(DataTypes.TIMESTAMP(), "int_value", 1_000_001) == datetime.datetime(1970, 1, 1, 0, 0, 1, 1)


def test_result_converter_rejects_wrong_types():
    bigint = ResultConverter(DataTypes.BIGINT())
    assert bigint.convert([1, None, 3]).to_pylist() == [1, None, 3]
    with pytest.raises(TypeError):
        bigint.convert([1, 2.5])
    assert bigint.find_bad_row([1, 2, "x", 4])[0] == 2
    tiny = ResultConverter(DataTypes.TINYINT())
    with pytest.raises(pa.ArrowInvalid):
        tiny.convert([1, 300])
    assert tiny.find_bad_row([1, 300])[0] == 1
    rows = ResultConverter(DataTypes.ROW([DataTypes.FIELD("a", DataTypes.INT()), DataTypes.FIELD("b", "STRING")]))
    assert rows.convert([Row(1, "x"), (2, "y"), {"a": 3, "b": "z"}, None]).to_pylist() == [
        {"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3, "b": "z"}, None]
    maps = ResultConverter(DataTypes.MAP(DataTypes.STRING(), DataTypes.ARRAY(DataTypes.ROW([
        DataTypes.FIELD("x", DataTypes.INT())]))))
    assert maps.convert([{"k": [Row(1)]}]).to_pylist() == [[("k", [{"x": 1}])]]


def test_string_results_convert_as_the_declared_type_would():
    # Strings take an inferred fast path first; whatever it does not give as utf8 goes the declared-type way.
    string = ResultConverter(DataTypes.STRING())
    for results in (["Jiangsu", None, "é"], [], [None, None], [b"raw", "text"]):
        array = string.convert(results)
        assert array.type == pa.string()
        assert array.equals(pa.array(results, type=pa.string()))
    for bad in (["a", 1], [1, 2], ["a", 2.5]):
        with pytest.raises((pa.ArrowException, TypeError, ValueError)):
            string.convert(bad)
    assert string.find_bad_row(["a", "b", 3])[0] == 2


# ------------------------------------------------------------------------------------------ scalar

@udf(result_type=DataTypes.BIGINT())
def add(a, b):
    return a + b


@udf(result_type=DataTypes.BIGINT())
def times(a, b):
    return a * b


def test_nested_calls_and_constants():
    batch = pa.record_batch([pa.array([1, 2, 3]), pa.array([10, 20, 30])], names=["a", "b"])
    inner = call_message(add, 0, 1)
    outer = call_message(times, inner, (DataTypes.BIGINT(), "int_value", 2))
    plain = call_message(add, 1, (DataTypes.BIGINT(), "int_value", 100))
    table = run_scalar(functions(outer, plain), batch)
    assert table.column_names == ["f0", "f1"]
    assert table.column("f0").to_pylist() == [22, 44, 66]
    assert table.column("f1").to_pylist() == [110, 120, 130]


SEEN = []


@udf(result_type="BIGINT")
def record(x):
    SEEN.append(x)
    return x


def test_calls_run_once_per_row():
    SEEN.clear()
    inner = call_message(record, 0, by_value=False)  # by reference, so SEEN is this module's list
    outer = call_message(add, inner, inner)
    batch = pa.record_batch([pa.array([1, 2])], names=["a"])
    assert run_scalar(functions(outer), batch).column(0).to_pylist() == [2, 4]
    assert SEEN == [1, 2, 1, 2]  # one evaluation per occurrence per row


def test_zero_argument_function_and_null_constant():
    batch = pa.record_batch([pa.array([1, 2, 3])], names=["a"])
    constant = call_message(udf(lambda: 7, result_type="INT", name="seven"))
    none_arg = call_message(udf(lambda a, b: b is None, result_type="BOOLEAN", name="isnull"), 0,
                            (DataTypes.STRING(), None, None))
    table = run_scalar(functions(constant, none_arg), batch)
    assert table.column(0).to_pylist() == [7, 7, 7]
    assert table.column(0).type == pa.int32()
    assert table.column(1).to_pylist() == [True, True, True]


def test_error_names_function_row_and_arguments():
    batch = pa.record_batch([pa.array([1, 2, 3]), pa.array([1, 0, 2])], names=["a", "b"])
    divide = call_message(udf(lambda a, b: a // b, result_type="BIGINT", name="divide"), 0, 1)
    with pytest.raises(FunctionError) as error:
        run_scalar(functions(divide), batch)
    message = str(error.value)
    assert "'divide'" in message and "row 1" in message and "(2, 0)" in message
    assert "ZeroDivisionError" in message and "Traceback" in message
    assert error.value.row == 1 and error.value.arguments == [2, 0]


def test_wrong_result_type_and_not_null():
    batch = pa.record_batch([pa.array([1, 2, 3])], names=["a"])
    as_float = call_message(udf(lambda a: a / 2, result_type="BIGINT", name="halve"), 0)
    with pytest.raises(FunctionError) as error:
        run_scalar(functions(as_float), batch)
    assert "'halve'" in str(error.value) and "row 0" in str(error.value) and "BIGINT" in str(error.value)
    strings = call_message(udf(lambda a: "x" if a == 3 else a, result_type="BIGINT", name="mixed"), 0)
    with pytest.raises(FunctionError, match="'mixed' returned 'x'.*row 2"):
        run_scalar(functions(strings), batch)
    not_null = call_message(udf(lambda a: None if a == 2 else a, result_type="BIGINT NOT NULL", name="nn"), 0)
    with pytest.raises(FunctionError, match="'nn' returned None.*NOT NULL.*row 1.*arguments \\(2\\)"):
        run_scalar(functions(not_null), batch)


def test_every_result_type():
    batch = pa.record_batch([pa.array([1, 2])], names=["a"])
    day = datetime.date(2024, 1, 1)
    cases = [
        ("BOOLEAN", lambda a: a % 2 == 0, [False, True]),
        ("TINYINT", lambda a: a, [1, 2]),
        ("SMALLINT", lambda a: a, [1, 2]),
        ("INT", lambda a: a, [1, 2]),
        ("FLOAT", lambda a: a / 2, [0.5, 1.0]),
        ("DOUBLE", lambda a: a / 4, [0.25, 0.5]),
        ("DECIMAL(10, 2)", lambda a: decimal.Decimal(a) / 4, [decimal.Decimal("0.25"), decimal.Decimal("0.50")]),
        ("STRING", lambda a: "s%d" % a, ["s1", "s2"]),
        ("BYTES", lambda a: b"b" * a, [b"b", b"bb"]),
        ("DATE", lambda a: day + datetime.timedelta(days=a), [datetime.date(2024, 1, 2), datetime.date(2024, 1, 3)]),
        ("TIME(3)", lambda a: datetime.time(a), [datetime.time(1), datetime.time(2)]),
        ("TIMESTAMP(3)", lambda a: datetime.datetime(2024, 1, a), [datetime.datetime(2024, 1, 1),
                                                                   datetime.datetime(2024, 1, 2)]),
        ("ARRAY<BIGINT>", lambda a: list(range(a)), [[0], [0, 1]]),
        ("MAP<STRING, BIGINT>", lambda a: {"k": a}, [[("k", 1)], [("k", 2)]]),
        ("ROW<x BIGINT, y STRING>", lambda a: Row(a, str(a)), [{"x": 1, "y": "1"}, {"x": 2, "y": "2"}]),
    ]
    calls = [call_message(udf(f, result_type=t, name="f_%d" % i), 0) for i, (t, f, _) in enumerate(cases)]
    table = run_scalar(functions(*calls), batch)
    for index, (type_text, _, expected) in enumerate(cases):
        assert table.column(index).to_pylist() == expected, type_text


def test_class_function_open_with_job_parameter_and_metrics():
    import udfs_pyflink_style as style

    batch = pa.record_batch([pa.array([1, None, 3])], names=["a"])
    group = MetricGroup()
    operation = ScalarOperation(functions(call_message(style.scale, 0, by_value=False)),
                                FunctionLifecycle({"factor": "10"}, group))
    out = operation.process_batch(batch)
    assert out.column(0).to_pylist() == [10, None, 30]
    snapshot = {(k, ns, n): v for k, ns, n, v in group.registry.snapshot()}
    assert snapshot[("counter", "scale", "calls")] == 3
    assert snapshot[("distribution", "", "values")] == (2, 4, 1, 3)


def test_large_batches_are_sliced():
    n = 40000
    batch = pa.record_batch([pa.array(np.arange(n)), pa.array(np.arange(n))], names=["a", "b"])
    table = run_scalar(functions(call_message(add, 0, 1)), batch)
    assert table.num_rows == n and table.column(0).to_pylist()[-1] == 2 * (n - 1)
    bad = call_message(udf(lambda a: 1 // (a - 30000), result_type="BIGINT", name="boom"), 0)
    with pytest.raises(FunctionError) as error:
        run_scalar(functions(bad), batch)
    assert error.value.row == 30000 and error.value.arguments == [30000]


# ------------------------------------------------------------------------------------------- table

def run_table(message, batch, batch_size=0):
    from pyfn.worker.table_operation import TableOperation

    operation = TableOperation(functions(message, arrow_batch_size=batch_size),
                               FunctionLifecycle({}, MetricGroup()))
    sink = Collect()
    operation.process([batch], sink)
    return sink, operation.schema


def test_table_rows_and_batching():
    @udtf(result_types=["BIGINT", "STRING"])
    def fan(n):
        for i in range(n):
            yield i, "r%d" % i

    batch = pa.record_batch([pa.array([0, 1, 3])], names=["n"])
    sink, schema = run_table(call_message(fan, 0), batch, batch_size=2)
    assert schema.names == ["__row", "f0", "f1"] and schema.field("__row").type == pa.int32()
    assert [b.num_rows for b in sink.batches] == [2, 2]
    table = sink.table(schema)
    assert table.column("__row").to_pylist() == [1, 2, 2, 2]
    assert table.column("f0").to_pylist() == [0, 0, 1, 2]


def test_table_single_values_rows_and_errors():
    single = udtf(lambda n: range(n), result_types="BIGINT", name="upto")
    sink, schema = run_table(call_message(single, 0), pa.record_batch([pa.array([2])], names=["n"]))
    assert sink.table(schema).column("f0").to_pylist() == [0, 1]
    rows = udtf(lambda s: [Row(s, len(s))], result_types=["STRING", "INT"], name="rowy")
    sink, schema = run_table(call_message(rows, 0), pa.record_batch([pa.array(["ab"])], names=["s"]))
    assert sink.table(schema).to_pydict() == {"__row": [0], "f0": ["ab"], "f1": [2]}

    def fails(n):
        yield 1
        raise RuntimeError("bad n %d" % n)

    with pytest.raises(FunctionError) as error:
        run_table(call_message(udtf(fails, result_types="INT"), 0), pa.record_batch([pa.array([5])], names=["n"]))
    assert "'fails'" in str(error.value) and "bad n 5" in str(error.value) and error.value.arguments == [5]
    wrong_width = udtf(lambda n: [(1, 2, 3)], result_types=["INT", "INT"], name="wide")
    with pytest.raises(FunctionError, match="'wide' yielded \\(1, 2, 3\\).*2 values"):
        run_table(call_message(wrong_width, 0), pa.record_batch([pa.array([5])], names=["n"]))


def test_table_memory_is_bounded_for_huge_fan_out():
    huge = udtf(lambda n: ((i,) for i in range(n)), result_types="BIGINT", name="huge")

    class Counting:
        rows = 0
        largest = 0

        def write_batch(self, batch):
            Counting.rows += batch.num_rows
            Counting.largest = max(Counting.largest, batch.num_rows)

    from pyfn.worker.table_operation import TableOperation

    operation = TableOperation(functions(call_message(huge, 0), arrow_batch_size=5000),
                               FunctionLifecycle({}, MetricGroup()))
    operation.process([pa.record_batch([pa.array([1_000_000])], names=["n"])], Counting())
    assert Counting.rows == 1_000_000 and Counting.largest == 5000


# ------------------------------------------------------------------------------------------ pandas

PANDAS_SEEN = {}


@udf(result_type="DOUBLE", func_type="pandas")
def pandas_mean(a, b):
    PANDAS_SEEN["types"] = (type(a), type(b))
    return (a + b) / 2


def test_pandas_operation():
    pd = pytest.importorskip("pandas")
    from pyfn.worker.pandas_operation import PandasOperation

    PANDAS_SEEN.clear()
    message = functions(call_message(pandas_mean, 0, 1, by_value=False),
                        call_message(udf(lambda a: a.to_numpy() * 2, result_type="BIGINT", func_type="pandas",
                                         name="twice_np"), 0),
                        call_message(udf(lambda a, c: a + c, result_type="BIGINT", func_type="pandas",
                                         name="plus_const"), 0, (DataTypes.BIGINT(), "int_value", 5)))
    operation = PandasOperation(message, FunctionLifecycle({}, MetricGroup()))
    out = operation.process_batch(pa.record_batch([pa.array([1, 2]), pa.array([3, 4])], names=["a", "b"]))
    assert PANDAS_SEEN["types"] == (pd.Series, pd.Series)
    assert out.column(0).to_pylist() == [2.0, 3.0]
    assert out.column(1).to_pylist() == [2, 4]
    assert out.column(2).to_pylist() == [6, 7]
    wrong = PandasOperation(functions(call_message(udf(lambda a: a.iloc[:1], result_type="BIGINT",
                                                       func_type="pandas", name="short"), 0)),
                            FunctionLifecycle({}, MetricGroup()))
    with pytest.raises(FunctionError, match="'short' returned 1 values for a batch of 2 rows"):
        wrong.process_batch(pa.record_batch([pa.array([1, 2])], names=["a"]))
    bad_type = PandasOperation(functions(call_message(udf(lambda a: a.astype(str) + "x", result_type="BIGINT",
                                                          func_type="pandas", name="strs"), 0)),
                               FunctionLifecycle({}, MetricGroup()))
    with pytest.raises(FunctionError, match="'strs' returned values that are not valid BIGINT"):
        bad_type.process_batch(pa.record_batch([pa.array([1, 2])], names=["a"]))
    scalar = PandasOperation(functions(call_message(udf(lambda a: 3, result_type="BIGINT", func_type="pandas",
                                                        name="scalar"), 0)),
                             FunctionLifecycle({}, MetricGroup()))
    with pytest.raises(FunctionError, match="'scalar' returned a int"):
        scalar.process_batch(pa.record_batch([pa.array([1, 2])], names=["a"]))
