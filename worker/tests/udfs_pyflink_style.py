"""A PyFlink UDF file; only its import lines differ from PyFlink's (`from pyfn import ...`)."""

import logging

from pyfn import DataTypes, FunctionContext, Row, ScalarFunction, TableFunction, udf, udtf

_log = logging.getLogger(__name__)


@udf(result_type=DataTypes.BIGINT())
def add(a, b):
    return a + b


@udf(result_type=DataTypes.BIGINT(nullable=False), input_types=[DataTypes.BIGINT(), DataTypes.BIGINT()])
def add_not_null(a, b):
    return None if a is None or b is None else a + b


@udf(result_type="STRING")
def upper(s):
    return None if s is None else s.upper()


add_one = udf(lambda i: i + 1, result_type=DataTypes.BIGINT(), name="add_one")


class Scale(ScalarFunction):
    """Multiplies by the job parameter `factor`, counting its calls."""

    def open(self, function_context: FunctionContext):
        self.factor = int(function_context.get_job_parameter("factor", "1"))
        self.calls = function_context.get_metric_group().add_group("scale").counter("calls")
        self.seen = function_context.get_metric_group().distribution("values")

    def eval(self, x):
        self.calls.inc()
        if x is not None:
            self.seen.update(x)
        return None if x is None else x * self.factor


scale = udf(Scale(), result_type=DataTypes.BIGINT())


@udf(result_type=DataTypes.DOUBLE())
def divide(a, b):
    return a / b


@udf(result_type=DataTypes.STRING())
def logs_something(s):
    _log.warning("logging from a udf: %s", s)
    return s


@udtf(result_types=[DataTypes.STRING(), DataTypes.INT()])
def split(line):
    for word in line.split():
        yield word, len(word)


@udtf(result_types=DataTypes.BIGINT())
def repeat_n(n):
    return range(n)


class Explode(TableFunction):
    def eval(self, n):
        for i in range(n):
            yield Row(i, str(i))


explode = udtf(Explode(), result_types=["BIGINT", "STRING"])


@udf(result_type=DataTypes.DOUBLE(), func_type="pandas")
def pandas_mean(a, b):
    return (a + b) / 2


@udf(result_type=DataTypes.BIGINT(), func_type="pandas")
def pandas_wrong_length(a):
    return a.iloc[:1]


@udf(result_type=DataTypes.ROW([DataTypes.FIELD("w", DataTypes.STRING())]))
def wrap(s):
    return Row(s)


class Closer(ScalarFunction):
    """Writes a marker file named by the job parameter `close_marker` when the harness closes it."""

    def open(self, function_context):
        self.marker = function_context.get_job_parameter("close_marker")
        self.opened = getattr(self, "opened", 0) + 1

    def eval(self, x):
        return self.opened

    def close(self):
        with open(self.marker, "w") as marker:
            marker.write("closed after %d open" % self.opened)


closer = udf(Closer(), result_type=DataTypes.INT())


@udf(result_type=DataTypes.STRING())
def logs_exception(s):
    try:
        raise KeyError(s)
    except KeyError:
        _log.exception("caught in a udf")
    return s
