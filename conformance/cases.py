"""PyFlink 2.3's own UDF tests, translated into small Table API / SQL programs (test_udf.py, test_udtf.py,
test_pandas_udf.py, test_udaf.py, test_pandas_udaf.py and the metric tests): each `case_*` function builds a job
on `t_env`, runs it, and returns its rows; `EXPECTED[name]` is what PyFlink gives (a list of rows, compared
sorted) or `Raises(text)` for a failure whose message contains `text`. Written with PyFlink's imports: on PyFn
they resolve to `pyfn` (see pyflink_imports), so the same file runs on both."""

import datetime
import functools

import pyflink_imports

pyflink_imports.install()

from pyflink.table import DataTypes, ListView, MapView  # noqa: E402
from pyflink.table.udf import AggregateFunction, ScalarFunction, TableFunction, udaf, udf, udtf  # noqa: E402


class Raises:
    """An expected failure: its message contains `text`."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self):
        return "Raises(%r)" % self.text


def rows_of(table) -> list:
    """The rows a table ends with, as tuples of plain values: a changelog (streaming mode) is applied, so an
    update's retraction removes the row it retracts."""
    rows = []
    with table.execute().collect() as results:
        for row in results:
            values = tuple(row)
            if row.get_row_kind().name in ("UPDATE_BEFORE", "DELETE"):
                rows.remove(values)
            else:
                rows.append(values)
    return rows


def view(t_env, name, elements, schema):
    """Registers `elements` as the temporary view `name`."""
    t_env.create_temporary_view(name, t_env.from_elements(elements, schema))


# ----------------------------------------------------------------------------------- functions

class SubtractOne(ScalarFunction):
    def eval(self, i):
        return i - 1


class CallablePlus(object):
    def __call__(self, col):
        return col + 1


def partial_func(col, param):
    return col + param


add_one = udf(lambda i: i + 1, result_type=DataTypes.BIGINT())
subtract_one = udf(SubtractOne(), result_type=DataTypes.BIGINT())
add_one_callable = udf(CallablePlus(), result_type=DataTypes.BIGINT())
add_one_partial = udf(functools.partial(partial_func, param=1), result_type=DataTypes.BIGINT())
add = udf(lambda i, j: i + j, result_type=DataTypes.BIGINT())
half = udf(lambda x: x / 2, result_type=DataTypes.DOUBLE())
describe_value = udf(lambda v: "%s %s" % (type(v).__name__, v.isoformat() if hasattr(v, "isoformat") else v),
               result_type=DataTypes.STRING())
pandas_add_one = udf(lambda i: i + 1, result_type=DataTypes.BIGINT(), func_type="pandas")
describe_ltz = udf(lambda v: None if v is None else "%s %s" % (v.isoformat(), v.utcoffset()),
                   result_type=DataTypes.STRING())
same_ltz = udf(lambda v: v, result_type=DataTypes.TIMESTAMP_LTZ(3))


@udtf(result_types=[DataTypes.STRING()])
def split(s):
    for part in s.split(","):
        yield part


@udtf(result_types=[DataTypes.STRING()])
def split_non_empty(s):
    # A generator, as PyFlink's test_udtf.py writes them (PyFlink encodes a returned iterator as one value).
    if s:
        yield from s.split(",")


class MetricUser(ScalarFunction):
    def open(self, function_context):
        function_context.get_metric_group()

    def eval(self, i):
        return i


class JobParameter(ScalarFunction):
    def open(self, function_context):
        self.value = function_context.get_job_parameter("k", "default")

    def eval(self, i):
        return self.value


class ListViewConcat(AggregateFunction):
    def create_accumulator(self):
        return [ListView(), ""]

    def accumulate(self, accumulator, value, delimiter):
        accumulator[1] = delimiter
        accumulator[0].add(value)

    def get_value(self, accumulator):
        return accumulator[1].join(accumulator[0].get())

    def get_accumulator_type(self):
        return DataTypes.ROW([DataTypes.FIELD("f0", DataTypes.LIST_VIEW(DataTypes.STRING())),
                              DataTypes.FIELD("f1", DataTypes.STRING())])

    def get_result_type(self):
        return DataTypes.STRING()


class CountDistinct(AggregateFunction):
    def create_accumulator(self):
        return [MapView(), 0]

    def accumulate(self, accumulator, value):
        if value is not None and not accumulator[0].contains(value):
            accumulator[0].put(value, 1)
            accumulator[1] += 1

    def get_value(self, accumulator):
        return accumulator[1]

    def get_accumulator_type(self):
        return DataTypes.ROW([DataTypes.FIELD("f0", DataTypes.MAP_VIEW(DataTypes.STRING(), DataTypes.BIGINT())),
                              DataTypes.FIELD("f1", DataTypes.BIGINT())])

    def get_result_type(self):
        return DataTypes.BIGINT()


class Total(AggregateFunction):
    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        accumulator[0] += value

    def get_value(self, accumulator):
        return accumulator[0]

    def get_accumulator_type(self):
        return DataTypes.ARRAY(DataTypes.BIGINT())

    def get_result_type(self):
        return DataTypes.BIGINT()


# --------------------------------------------------------------------------------------- cases

def case_scalar_function_kinds(t_env):
    """test_udf.py test_scalar_function: a lambda, a ScalarFunction, a callable, a functools.partial."""
    for name, function in [("add_one", add_one), ("subtract_one", subtract_one),
                           ("add_one_callable", add_one_callable), ("add_one_partial", add_one_partial)]:
        t_env.create_temporary_system_function(name, function)
    view(t_env, "t", [(1, 2, 3), (2, 5, 6), (3, 1, 9)], ["a", "b", "c"])
    return rows_of(t_env.sql_query("SELECT add_one(a), subtract_one(b), add_one_callable(a), add_one_partial(a) FROM t"))


def case_chaining_scalar_function(t_env):
    """test_udf.py test_chaining_scalar_function."""
    for name, function in [("add_one", add_one), ("subtract_one", subtract_one), ("add", add)]:
        t_env.create_temporary_system_function(name, function)
    view(t_env, "t", [(1, 2, 1), (2, 5, 2), (3, 1, 3)], ["a", "b", "c"])
    return rows_of(t_env.sql_query("SELECT add(add_one(a), subtract_one(b)), c, 1 FROM t"))


def case_computed_arguments(t_env):
    """Expressions as UDF arguments: Flink evaluates them and passes the value."""
    for name, function in [("add_one", add_one), ("half", half), ("pandas_add_one", pandas_add_one)]:
        t_env.create_temporary_system_function(name, function)
    view(t_env, "t", [(1, "5"), (3, "7")], ["a", "b"])
    return rows_of(t_env.sql_query(
        "SELECT add_one(a + 1), add_one(CAST(b AS BIGINT)), half((a + a) / 2), pandas_add_one(a * 10) FROM t"))


def case_general_udf_in_pandas_udf(t_env):
    """test_pandas_udf.py's mixed general and Pandas UDFs, nested in each other."""
    t_env.create_temporary_system_function("add_one", add_one)
    t_env.create_temporary_system_function("pandas_add_one", pandas_add_one)
    view(t_env, "t", [(1,), (3,)], ["a"])
    return rows_of(t_env.sql_query("SELECT pandas_add_one(add_one(a)), add_one(pandas_add_one(a) * 2) FROM t"))


def case_cast_to_temporal_types(t_env):
    """CAST to DATE / TIMESTAMP and typed literals, as a UDF receives them."""
    t_env.create_temporary_system_function("describe_value", describe_value)
    view(t_env, "t", [("2020-01-02",)], ["d"])
    return rows_of(t_env.sql_query(
        "SELECT describe_value(CAST(d AS DATE)), describe_value(CAST(d AS TIMESTAMP(3))), describe_value(DATE '2020-01-01'), "
        "describe_value(TIME '12:00:00.123'), describe_value(TIMESTAMP '2020-01-01 08:30:00') FROM t"))


def case_time_keeps_milliseconds(t_env):
    """test_udf.py test_all_data_types: a TIME value reaches the UDF as 12:00:00.123."""
    t_env.create_temporary_system_function("describe_value", describe_value)
    schema = DataTypes.ROW([DataTypes.FIELD("t", DataTypes.TIME())])
    view(t_env, "t", [(datetime.time(12, 0, 0, 123000),)], schema)
    return rows_of(t_env.sql_query("SELECT describe_value(t) FROM t"))


def case_timestamp_ltz(t_env):
    """test_udf.py test_all_data_types' local_zoned_timestamp_func, in the session zone Asia/Shanghai: the UDF gets
    the instant's UTC wall clock labelled with the session zone, hands it back unchanged, and LTZ prints and CASTs
    in the session zone. (PyFlink 2.3's collect() cannot return LTZ values, so the case returns text.)"""
    t_env.get_config().set_local_timezone("Asia/Shanghai")
    t_env.create_temporary_system_function("describe_ltz", describe_ltz)
    t_env.create_temporary_system_function("same_ltz", same_ltz)
    view(t_env, "t", [(0,), (1704081600123,)], ["ms"])
    return rows_of(t_env.sql_query(
        "SELECT describe_ltz(TO_TIMESTAMP_LTZ(ms, 3)), CAST(same_ltz(TO_TIMESTAMP_LTZ(ms, 3)) AS STRING), "
        "CAST(CAST(TO_TIMESTAMP_LTZ(ms, 3) AS TIMESTAMP(3)) AS STRING) FROM t"))


def case_table_function(t_env):
    """test_udtf.py test_table_function: a lateral join."""
    t_env.create_temporary_system_function("split", split)
    view(t_env, "t", [(1, "a,b"), (2, "c")], ["id", "s"])
    return rows_of(t_env.sql_query("SELECT id, x FROM t, LATERAL TABLE(split(s)) AS T(x)"))


def case_table_function_left_join(t_env):
    """test_udtf.py: LEFT JOIN LATERAL keeps rows without output."""
    t_env.create_temporary_system_function("split", split_non_empty)
    view(t_env, "t", [(1, "a,b"), (2, "")], ["id", "s"])
    return rows_of(t_env.sql_query("SELECT id, x FROM t LEFT JOIN LATERAL TABLE(split(s)) AS T(x) ON TRUE"))


def case_metric_disabled(t_env):
    """test_udf.py: get_metric_group() raises when python.metric.enabled is false."""
    t_env.get_config().set("python.metric.enabled", "false")
    t_env.create_temporary_system_function("metric_user", udf(MetricUser(), result_type=DataTypes.BIGINT()))
    view(t_env, "t", [(1,)], ["a"])
    return rows_of(t_env.sql_query("SELECT metric_user(a) FROM t"))


def case_global_job_parameters(t_env):
    """FunctionContext.get_job_parameter reads pipeline.global-job-parameters."""
    t_env.get_config().set("pipeline.global-job-parameters", "k:v")
    t_env.create_temporary_system_function("job_parameter", udf(JobParameter(), result_type=DataTypes.STRING()))
    view(t_env, "t", [(1,)], ["a"])
    return rows_of(t_env.sql_query("SELECT job_parameter(a) FROM t"))


def case_bad_func_type(t_env):
    """test_pandas_udf.py test_non_exist_func_type."""
    return [udf(lambda i: i + 1, result_type=DataTypes.BIGINT(), func_type="non-exist")]


def case_pandas_udaf_map_result(t_env):
    """test_pandas_udaf.py: a Pandas UDAF cannot return a MAP."""
    return [udaf(lambda a: {}, result_type=DataTypes.MAP(DataTypes.STRING(), DataTypes.STRING()), func_type="pandas")]


def case_list_view(t_env):
    """test_udaf.py's ListView accumulator."""
    t_env.create_temporary_system_function("concat", udaf(ListViewConcat()))
    view(t_env, "t", [("a", "x"), ("a", "y"), ("b", "z"), ("a", "x")], ["k", "v"])
    return rows_of(t_env.sql_query("SELECT k, concat(v, '|') FROM t GROUP BY k"))


def case_map_view(t_env):
    """test_udaf.py's MapView accumulator (a distinct count)."""
    t_env.create_temporary_system_function("count_distinct", udaf(CountDistinct()))
    view(t_env, "t", [("a", "x"), ("a", "y"), ("b", "z"), ("a", "x")], ["k", "v"])
    return rows_of(t_env.sql_query("SELECT k, count_distinct(v) FROM t GROUP BY k"))


def case_distinct_python_aggregate(t_env):
    """test_udaf.py test_distinct_and_filter: f(DISTINCT x)."""
    t_env.create_temporary_system_function("total", udaf(Total()))
    view(t_env, "t", [("a", 1), ("a", 2), ("b", 3), ("a", 1), ("b", 3)], ["k", "n"])
    return rows_of(t_env.sql_query("SELECT k, total(DISTINCT n), total(n) FROM t GROUP BY k"))


EXPECTED = {
    "scalar_function_kinds": [(2, 1, 2, 2), (3, 4, 3, 3), (4, 0, 4, 4)],
    "chaining_scalar_function": [(3, 1, 1), (7, 2, 1), (4, 3, 1)],
    "computed_arguments": [(3, 6, 0.5, 11), (5, 8, 1.5, 31)],
    "general_udf_in_pandas_udf": [(3, 5), (5, 9)],
    "cast_to_temporal_types": [("date 2020-01-02", "datetime 2020-01-02T00:00:00", "date 2020-01-01",
                                "time 12:00:00.123000", "datetime 2020-01-01T08:30:00")],
    "time_keeps_milliseconds": [("time 12:00:00.123000",)],
    "timestamp_ltz": [("1970-01-01T00:00:00+08:00 8:00:00", "1970-01-01 08:00:00.000", "1970-01-01 08:00:00.000"),
                      ("2024-01-01T04:00:00.123000+08:00 8:00:00", "2024-01-01 12:00:00.123", "2024-01-01 12:00:00.123")],
    "table_function": [(1, "a"), (1, "b"), (2, "c")],
    "table_function_left_join": [(1, "a"), (1, "b"), (2, None)],
    "metric_disabled": Raises("Metric has not been enabled"),
    "global_job_parameters": [("v",)],
    "bad_func_type": Raises("The func_type must be one of 'general, pandas'"),
    "pandas_udaf_map_result": Raises("Invalid returnType: Pandas UDAF doesn't support DataType type MAP currently"),
    "list_view": [("a", "x|y|x"), ("b", "z")],
    "map_view": [("a", 2), ("b", 1)],
    "distinct_python_aggregate": [("a", 3, 4), ("b", 3, 6)],
}

#: Cases that run in streaming mode, as PyFlink's test_udaf.py does (PyFlink plans general Python aggregates in
#: streaming mode only); the others run in batch mode.
STREAMING = {"list_view", "map_view", "distinct_python_aggregate"}

#: The cases by name, in file order.
CASES = {name[len("case_"):]: function for name, function in list(globals().items()) if name.startswith("case_")}
