"""The user API (PyFlink's names) and describe."""

import json
import os
import pickle
import subprocess
import sys

import cloudpickle
import pytest

import udfs_pyflink_style as style
from udfs_aggregates import WeightedAvg
from pyfn import DataTypes, FunctionContext, Row, ScalarFunction, TableFunction, udaf, udf, udtf
from pyfn.describe import describe
from pyfn.metrics import MetricGroup
from pyfn.proto.pyfn import udf_pb2

Kind = udf_pb2.UserDefinedFunction.Kind
HERE = os.path.dirname(os.path.abspath(__file__))
STYLE_FILE = os.path.join(HERE, "udfs_pyflink_style.py")


# ------------------------------------------------------------------------------------------- udf

def test_udf_decorator_forms():
    @udf(result_type=DataTypes.BIGINT())
    def add(a, b):
        return a + b

    assert add.name == "add" and add.kind == "scalar" and add.result_type == DataTypes.BIGINT()
    assert add(1, 2) == 3
    add_one = udf(lambda i: i + 1, result_type="BIGINT")
    assert add_one(1) == 2 and add_one.name == "<lambda>"
    named = udf(lambda i: i, DataTypes.INT(), DataTypes.INT(), name="ident")  # PyFlink's positional order
    assert named.name == "ident" and named.input_types == [DataTypes.INT()]
    assert udf(lambda i: i, result_type="INT", input_types="INT").input_types == [DataTypes.INT()]


def test_udf_on_scalar_function_instance_and_class():
    class Twice(ScalarFunction):
        def eval(self, x):
            return 2 * x

    wrapped = udf(Twice(), result_type=DataTypes.BIGINT())
    assert wrapped(3) == 6 and wrapped.name == "Twice"
    assert udf(Twice, result_type="BIGINT")(4) == 8


def test_pandas_func_type():
    f = udf(lambda a: a, result_type="DOUBLE", func_type="pandas")
    assert f.kind == "pandas_scalar" and f.func_type == "pandas"
    with pytest.raises(ValueError, match="func_type"):
        udf(lambda a: a, result_type="DOUBLE", func_type="vectorized")


def test_missing_result_type_names_the_function():
    with pytest.raises(TypeError) as error:
        @udf
        def my_function(a):
            return a
    assert "my_function" in str(error.value) and "result_type" in str(error.value)
    with pytest.raises(TypeError, match="my_other"):
        udf(lambda a: a, name="my_other")
    with pytest.raises(TypeError, match="splitter.*result_types"):
        @udtf(input_types=["STRING"])
        def splitter(s):
            yield s


def test_unknown_result_type_string():
    with pytest.raises(ValueError) as error:
        udf(lambda a: a, result_type="BIGNUM")
    assert "'BIGNUM'" in str(error.value) and "BIGINT" in str(error.value)


def test_result_type_must_be_a_type():
    with pytest.raises(TypeError, match="result_type of udf 'f'"):
        udf(lambda a: a, result_type=42, name="f")


def test_not_a_function():
    with pytest.raises(TypeError, match="Invalid function"):
        udf(42, result_type="INT")


def test_deterministic():
    class Rand(ScalarFunction):
        def eval(self):
            return 4

        def is_deterministic(self):
            return False

    assert udf(Rand(), result_type="INT").deterministic is False
    assert udf(lambda: 1, result_type="INT", deterministic=False).deterministic is False
    assert udf(lambda: 1, result_type="INT").deterministic is True
    with pytest.raises(ValueError, match="Inconsistent deterministic"):
        udf(Rand(), result_type="INT", deterministic=True)


# ------------------------------------------------------------------------------------------ udtf

def test_udtf_forms():
    @udtf(result_types=[DataTypes.STRING(), DataTypes.INT()])
    def split(line):
        for word in line.split():
            yield word, len(word)

    assert split.kind == "table"
    assert list(split("a bb")) == [("a", 1), ("bb", 2)]
    assert split.result_type.sql() == "ROW<f0 STRING, f1 INT> NOT NULL"
    single = udtf(lambda n: range(n), result_types=DataTypes.BIGINT())
    assert single.result_types == [DataTypes.BIGINT()]

    class Gen(TableFunction):
        def eval(self, n):
            yield from range(n)

    assert list(udtf(Gen(), result_types="INT")(2)) == [0, 1]
    row_result = udtf(lambda: [], result_types=DataTypes.ROW([DataTypes.FIELD("w", DataTypes.STRING())]))
    assert row_result.result_type.names() == ["w"]


# ------------------------------------------------------------------------------------------ udaf

def test_udaf():
    avg = udaf(WeightedAvg())
    assert avg.kind == "aggregate" and avg.result_type == DataTypes.DOUBLE()
    assert avg.accumulator_type.sql() == "ROW<f0 BIGINT, f1 BIGINT>"
    function = avg.func
    acc = function.create_accumulator()
    function.accumulate(acc, 2, 1)
    function.accumulate(acc, 4, 3)
    assert function.get_value(acc) == pytest.approx(3.5)
    message = describe(avg, name="wavg")
    assert message.kind == Kind.AGGREGATE and message.accumulator_type.type_name == udf_pb2.DataType.ROW
    pandas_max = udaf(lambda v: v.max(), result_type="BIGINT", func_type="pandas")
    assert pandas_max.kind == "pandas_aggregate"
    with pytest.raises(TypeError, match="AggregateFunction"):
        udaf(lambda v: v, result_type="BIGINT")
    with pytest.raises(TypeError, match="result_type"):
        udaf(lambda v: v, func_type="pandas", name="nores")


# ------------------------------------------------------------------------------------------- Row

def test_row():
    row = Row(1, "a")
    assert row[0] == 1 and row[1] == "a" and len(row) == 2
    assert tuple(row) == (1, "a") and row == (1, "a")
    a, b = row
    assert (a, b) == (1, "a")
    named = Row(name="Alice", age=11)
    assert named.name == "Alice" and named["age"] == 11 and named[0] == "Alice"
    assert named.as_dict() == {"name": "Alice", "age": 11}
    assert "name" in named
    assert repr(named) == "Row(name='Alice', age=11)"
    Person = Row("name", "age")
    alice = Person("Alice", 11)
    assert alice.age == 11 and alice == Row(name="Alice", age=11)
    with pytest.raises(AttributeError):
        _ = alice.missing
    with pytest.raises(ValueError):
        Row(1, b=2)
    alice["age"] = 12
    assert alice.age == 12
    assert pickle.loads(pickle.dumps(alice)) == alice
    assert cloudpickle.loads(cloudpickle.dumps(Row(1, 2))) == Row(1, 2)
    assert hash(Row(1, 2)) == hash((1, 2))
    nested = Row(key=1, value=Row(x=2))
    assert nested.as_dict(recursive=True) == {"key": 1, "value": {"x": 2}}


# --------------------------------------------------------------------------------- FunctionContext

def test_function_context_and_metrics():
    group = MetricGroup()
    context = FunctionContext(group, {"factor": "3"})
    assert context.get_job_parameter("factor", "1") == "3"
    assert context.get_job_parameter("missing", "dflt") == "dflt"
    assert context.get_job_parameter("missing") is None
    metrics = context.get_metric_group()
    counter = metrics.add_group("key", "value").counter("c")
    counter.inc()
    counter.inc(5)
    counter.dec(2)
    assert counter.get_count() == 4
    assert metrics.add_group("key", "value").counter("c") is counter
    meter = metrics.meter("m", time_span_in_seconds=10)
    meter.mark_event()
    meter.mark_event(4)
    assert meter.get_count() == 5 and meter.get_rate() == pytest.approx(0.5)
    distribution = metrics.add_group("d").distribution("dist")
    for value in (3, 1, 7):
        distribution.update(value)
    assert (distribution.count, distribution.sum, distribution.min, distribution.max) == (3, 11, 1, 7)
    metrics.gauge("g", lambda: 42)
    snapshot = {(kind, namespace, name): value for kind, namespace, name, value in group.registry.snapshot()}
    assert snapshot[("counter", "key.value", "c")] == 4
    assert snapshot[("meter", "", "m")] == 5
    assert snapshot[("distribution", "d", "dist")] == (3, 11, 1, 7)
    assert snapshot[("gauge", "", "g")] == 42


def test_scalar_function_lifecycle():
    function = style.Scale()
    function.open(FunctionContext(MetricGroup(), {"factor": "5"}))
    assert function.eval(2) == 10
    function.close()


# ---------------------------------------------------------------------------------------- describe

def test_describe_kinds_and_types():
    expected = {
        "add": (Kind.SCALAR, "BIGINT"),
        "add_not_null": (Kind.SCALAR, "BIGINT NOT NULL"),
        "upper": (Kind.SCALAR, "STRING"),
        "scale": (Kind.SCALAR, "BIGINT"),
        "split": (Kind.TABLE, "ROW<f0 STRING, f1 INT> NOT NULL"),
        "explode": (Kind.TABLE, "ROW<f0 BIGINT, f1 STRING> NOT NULL"),
        "pandas_mean": (Kind.PANDAS_SCALAR, "DOUBLE"),
        "wrap": (Kind.SCALAR, "ROW<w STRING>"),
    }
    from pyfn.types import from_proto

    for name, (kind, sql) in expected.items():
        message = describe(getattr(style, name))
        assert message.kind == kind, name
        assert from_proto(message.result_type).sql() == sql, name
        assert message.deterministic
        assert message.WhichOneof("body") == "reference", name
        assert message.reference.module == "udfs_pyflink_style"
        assert message.reference.qualified_name == name


def test_describe_pickles_what_cannot_be_imported():
    local = udf(lambda x: x * 2, result_type="BIGINT", name="double")
    message = describe(local)
    assert message.name == "double" and message.WhichOneof("body") == "cloudpickle"
    assert cloudpickle.loads(message.cloudpickle)(21) == 42
    assert describe(style.add, by_value=True).WhichOneof("body") == "cloudpickle"
    assert describe(style.add, name="plus").name == "plus"


def test_describe_refuses_undeclared_functions():
    def plain(a):
        return a

    with pytest.raises(TypeError, match="plain.*result"):
        describe(plain)


def _describe_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pyfn.describe", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd)


def test_describe_cli_on_a_file():
    result = _describe_cli(STYLE_FILE)
    assert result.returncode == 0, result.stderr
    found = {o["name"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert found["add"]["kind"] == "SCALAR" and found["add"]["result_type"] == "BIGINT"
    assert found["add_not_null"]["result_type"] == "BIGINT NOT NULL"
    assert found["add_not_null"]["input_types"] == ["BIGINT", "BIGINT"]
    assert "input_types" not in found["add"]
    assert found["scale"]["kind"] == "SCALAR" and found["scale"]["function_name"] == "Scale"
    assert found["split"]["kind"] == "TABLE"
    assert found["split"]["result_fields"] == [{"name": "f0", "type": "STRING"}, {"name": "f1", "type": "INT"}]
    assert found["pandas_mean"]["kind"] == "PANDAS_SCALAR"
    assert found["wrap"]["result_type"] == "ROW<w STRING>"
    assert found["add_one"]["result_type"] == "BIGINT"
    # the descriptor is a self-contained UserDefinedFunction
    import base64

    message = udf_pb2.UserDefinedFunction.FromString(base64.b64decode(found["add"]["descriptor"]))
    assert message.name == "add" and message.WhichOneof("body") == "cloudpickle"


def test_describe_cli_named_functions_and_module_names():
    result = _describe_cli(STYLE_FILE, "split", "wrap")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["name"] for line in result.stdout.splitlines()] == ["split", "wrap"]
    by_module = _describe_cli("udfs_pyflink_style", "add", cwd=HERE)
    assert by_module.returncode == 0, by_module.stderr
    assert json.loads(by_module.stdout)["module"] == "udfs_pyflink_style"


def test_describe_cli_types_only_as_the_planner_asks():
    result = _describe_cli("udfs_pyflink_style", "add_not_null", "split", "--types-only", cwd=HERE)
    assert result.returncode == 0, result.stderr
    found = {o["name"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert found["add_not_null"]["result_type"] == "BIGINT NOT NULL"
    assert found["add_not_null"]["input_types"] == ["BIGINT", "BIGINT"]
    assert found["split"]["result_fields"] == [{"name": "f0", "type": "STRING"}, {"name": "f1", "type": "INT"}]
    assert not any("descriptor" in o for o in found.values())


def test_describe_cli_errors(tmp_path):
    missing = _describe_cli(STYLE_FILE, "nope")
    assert missing.returncode == 1 and "nope" in missing.stderr
    bad = tmp_path / "bad_udfs.py"
    bad.write_text("from pyfn import udf\n\n@udf(result_type='BIGNUM')\ndef f(x):\n    return x\n")
    result = _describe_cli(str(bad))
    assert result.returncode == 1
    assert "BIGNUM" in result.stderr and "Accepted types" in result.stderr
    no_type = tmp_path / "no_type.py"
    no_type.write_text("from pyfn import udf\n\n@udf\ndef forgot(x):\n    return x\n")
    result = _describe_cli(str(no_type))
    assert result.returncode == 1 and "forgot" in result.stderr and "result_type" in result.stderr


def test_meter_reports_are_told_apart_and_progress_commits_nothing():
    from pyfn.metrics import MetricGroup
    from pyfn.worker.metrics_reporting import MetricsReporter, decode_varints

    root = MetricGroup()
    group = root.for_function("f").add_group("region", "eu")
    group.meter("events", time_span_in_seconds=5).mark_event(3)
    group.counter("rows").inc(2)
    group.distribution("d").update(7)
    reporter = MetricsReporter(root.registry, "udf")
    progress = {i.labels["NAME"]: i for i in reporter.progress_infos()}
    assert progress["events"].labels["PYFN_METRIC_TYPE"] == "meter"
    assert progress["events"].labels["PYFN_TIME_SPAN_SECONDS"] == "5"
    assert "PYFN_METRIC_TYPE" not in progress["rows"].labels
    assert progress["rows"].labels["NAMESPACE"] == "region.eu" and progress["rows"].labels["PYFN_FUNCTION"] == "f"
    final = {i.labels["NAME"]: i for i in reporter.bundle_infos()}
    assert decode_varints(final["rows"].payload) == [2]  # progress committed nothing
    assert decode_varints(final["d"].payload) == [1, 7, 7, 7]
    assert reporter.bundle_infos() == []  # nothing new since
