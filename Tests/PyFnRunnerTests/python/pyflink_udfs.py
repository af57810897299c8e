"""UDFs written against PyFlink itself (`pyflink.table.udf`), for the python.harness = pyflink tests: they run
in PyFlink 2.3's unmodified worker, driven by PyFn's Swift operators."""

import logging
import os

from pyflink.table import DataTypes
from pyflink.table.udf import ScalarFunction, udf, udtf, udaf, AggregateFunction


@udf(result_type=DataTypes.BIGINT())
def add(a, b):
    """a + b; NULL when either is NULL."""
    return None if a is None or b is None else a + b


@udf(result_type=DataTypes.BIGINT())
def times(a, b):
    """a * b; NULL when either is NULL."""
    return None if a is None or b is None else a * b


@udf(result_type=DataTypes.STRING())
def describe(value):
    """What the function was given, as Python's repr: shows how PyFlink's coders decoded each type."""
    return repr(value)


@udf(result_type=DataTypes.STRING())
def concat(a, b, c):
    """Three arguments as text, to see constants arrive with their Python types."""
    return "%r|%r|%r" % (a, b, c)


def _identity(result_type):
    return udf(lambda value: value, result_type=result_type)


echo_boolean = _identity(DataTypes.BOOLEAN())
echo_tinyint = _identity(DataTypes.TINYINT())
echo_smallint = _identity(DataTypes.SMALLINT())
echo_int = _identity(DataTypes.INT())
echo_bigint = _identity(DataTypes.BIGINT())
echo_float = _identity(DataTypes.FLOAT())
echo_double = _identity(DataTypes.DOUBLE())
echo_decimal = _identity(DataTypes.DECIMAL(10, 2))
echo_string = _identity(DataTypes.STRING())
echo_bytes = _identity(DataTypes.BYTES())
echo_date = _identity(DataTypes.DATE())
echo_time = _identity(DataTypes.TIME())
echo_timestamp = _identity(DataTypes.TIMESTAMP(6))
echo_array = _identity(DataTypes.ARRAY(DataTypes.INT()))
echo_map = _identity(DataTypes.MAP(DataTypes.STRING(), DataTypes.BIGINT()))
echo_row = _identity(DataTypes.ROW([DataTypes.FIELD("a", DataTypes.INT()), DataTypes.FIELD("b", DataTypes.STRING())]))


@udtf(result_types=[DataTypes.STRING(), DataTypes.INT()])
def words(line):
    """Each word of `line` with its length; nothing for NULL or an empty line."""
    if line is None:
        return
    for word in line.split():
        yield word, len(word)


@udf(result_type=DataTypes.BIGINT(), func_type="pandas")
def pandas_add(a, b):
    """a + b over pandas Series."""
    return a + b


@udf(result_type=DataTypes.STRING(), func_type="pandas")
def pandas_describe(series):
    """The Series' dtype and each value's repr: how PyFlink's Arrow coder hands a column to a Pandas UDF."""
    return series.map(lambda v: "%s|%r" % (series.dtype, v))


@udf(result_type=DataTypes.TIMESTAMP_LTZ(3), func_type="pandas")
def pandas_echo(series):
    """The Series handed back."""
    return series


class Shout(ScalarFunction):
    """Upper-cases its input; counts the rows it saw in a metric group, logs once when opened."""

    def open(self, function_context):
        group = function_context.get_metric_group().add_group("shout")
        self.rows = group.counter("rows")
        logging.getLogger("pyflink_udfs").warning("Shout opened")

    def eval(self, text):
        self.rows.inc()
        return None if text is None else text.upper()


shout = udf(Shout(), result_type=DataTypes.STRING())


class CrashOnce(ScalarFunction):
    """Returns its input; the first worker to see 4242 exits abruptly (once: a marker file in the job parameter
    `marker_dir` remembers it), so the runner must replace the worker and replay the bundle."""

    def open(self, function_context):
        self.marker = os.path.join(function_context.get_job_parameter("marker_dir", "/tmp"), "crashed")

    def eval(self, value):
        if value == 4242 and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(3)
        return value


crash_once = udf(CrashOnce(), result_type=DataTypes.BIGINT())


class Total(AggregateFunction):
    """A sum, to show that aggregates are refused with python.harness = pyflink."""

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        accumulator[0] += value

    def get_value(self, accumulator):
        return accumulator[0]


total = udaf(Total(), result_type=DataTypes.BIGINT(), accumulator_type=DataTypes.ARRAY(DataTypes.BIGINT()))


@udf(result_type=DataTypes.DOUBLE())
def inverse(x):
    """1 / x: raises ZeroDivisionError for 0."""
    return 1 / x
