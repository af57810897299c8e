"""PyFlink-style aggregate functions for the tests; only the imports differ from PyFlink's."""

from pyfn import AggregateFunction, DataTypes, FunctionContext, Row, udaf


class Sum(AggregateFunction):
    """The sum of the non-NULL values."""

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        if value is not None:
            accumulator[0] += value

    def get_value(self, accumulator):
        return accumulator[0]


class RetractableSum(Sum):
    """The sum of the non-NULL values, which can take values back."""

    def retract(self, accumulator, value):
        if value is not None:
            accumulator[0] -= value


class Count(AggregateFunction):
    """The number of rows."""

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, *args):
        accumulator[0] += 1

    def get_value(self, accumulator):
        return accumulator[0]

    def get_result_type(self):
        return DataTypes.BIGINT(nullable=False)

    def get_accumulator_type(self):
        return "ARRAY<BIGINT>"


class Max(AggregateFunction):
    """The largest non-NULL value (NULL when there is none)."""

    def create_accumulator(self):
        return Row(None)

    def accumulate(self, accumulator, value):
        if value is not None and (accumulator[0] is None or value > accumulator[0]):
            accumulator[0] = value

    def get_value(self, accumulator):
        return accumulator[0]


class WeightedAvg(AggregateFunction):
    """PyFlink's documentation example."""

    def create_accumulator(self):
        return Row(0, 0)

    def get_value(self, accumulator):
        return None if accumulator[1] == 0 else accumulator[0] / accumulator[1]

    def accumulate(self, accumulator, value, weight):
        accumulator[0] += value * weight
        accumulator[1] += weight

    def retract(self, accumulator, value, weight):
        accumulator[0] -= value * weight
        accumulator[1] -= weight

    def get_result_type(self):
        return DataTypes.DOUBLE()

    def get_accumulator_type(self):
        return "ROW<f0 BIGINT, f1 BIGINT>"


class Tagged(AggregateFunction):
    """Counts rows, reporting them as `<tag>:<count>/<opens>`; `tag` is a job parameter, `close_marker` a file
    written by close(). Counts its rows in the metric `tagged.rows`."""

    def __init__(self):
        self.opens = 0

    def open(self, function_context: FunctionContext):
        self.opens += 1
        self.tag = function_context.get_job_parameter("tag", "?")
        self.marker = function_context.get_job_parameter("close_marker", "")
        self.rows = function_context.get_metric_group().add_group("tagged").counter("rows")

    def close(self):
        if self.marker:
            with open(self.marker, "w") as out:
                out.write("closed after %d open" % self.opens)

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        self.rows.inc()
        accumulator[0] += 1

    def get_value(self, accumulator):
        return "%s:%d/%d" % (self.tag, accumulator[0], self.opens)


class PositiveSum(AggregateFunction):
    """Refuses negative values; its get_value refuses a total of 13 and returns text for totals over 100."""

    def create_accumulator(self):
        return [0]

    def accumulate(self, accumulator, value):
        if value < 0:
            raise ValueError("negative value %d" % value)
        accumulator[0] += value

    def get_value(self, accumulator):
        if accumulator[0] == 13:
            raise RuntimeError("unlucky total")
        if accumulator[0] > 100:
            return "a lot"
        return accumulator[0]


total = udaf(Sum(), result_type=DataTypes.BIGINT(), accumulator_type="ARRAY<BIGINT>", name="total")
count = udaf(Count(), name="count")
retractable_sum = udaf(RetractableSum(), result_type=DataTypes.BIGINT(), name="retractable_sum")
maximum = udaf(Max(), result_type="BIGINT", name="maximum")
weighted_avg = udaf(WeightedAvg(), result_type=DataTypes.DOUBLE(), accumulator_type="ROW<f0 BIGINT, f1 BIGINT>",
                    name="weighted_avg")
tagged = udaf(Tagged(), result_type="STRING", name="tagged")
positive_sum = udaf(PositiveSum(), result_type="BIGINT", name="positive_sum")
