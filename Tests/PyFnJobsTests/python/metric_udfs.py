"""UDFs that use PyFlink's metrics API, print, and burn time for the profiler."""
from pyfn import DataTypes, ScalarFunction, udf


class Measured(ScalarFunction):
    """Per row: a counter, a meter, a distribution of the value, a grouped counter; a gauge of the last value."""

    def open(self, function_context):
        group = function_context.get_metric_group()
        self.rows = group.counter("rows_seen")
        self.last = 0
        group.gauge("last_value", lambda: self.last)
        self.events = group.meter("events", time_span_in_seconds=60)
        self.values = group.distribution("values")
        self.eu_hits = group.add_group("region", "eu").counter("hits")

    def eval(self, x):
        self.rows.inc(1)
        self.last = x
        self.events.mark_event(1)
        self.values.update(x)
        self.eu_hits.inc(2)
        return x


measured = udf(Measured(), result_type=DataTypes.BIGINT())


def burn_cpu_for_the_profiler(x):
    total = 0
    for i in range(200):
        total += i * x
    return total


@udf(result_type=DataTypes.BIGINT())
def profiled(x):
    return burn_cpu_for_the_profiler(x) % 7
