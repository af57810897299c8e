"""Python functions the Swift end-to-end tests call through real workers, written as PyFlink users write them."""
import logging
import os
import time

from pyfn import DataTypes, ScalarFunction, udf


@udf(result_type=DataTypes.BIGINT())
def add(a, b):
    return a + b


@udf(result_type=DataTypes.BIGINT())
def times_two(x):
    return x * 2


def plain_scale(x, factor):
    """A plain function, no decorator: the runner's declared type is used."""
    return x * factor


@udf(result_type=DataTypes.STRING())
def describe(name, count):
    return None if name is None else f"{name}:{count}"


def identity(x):
    return x


@udf(result_type=DataTypes.BIGINT())
def checksum(a, b):
    return a * 3 + b


class Threshold(ScalarFunction):
    """A class-based function: open() reads a job parameter once, eval() runs per row."""

    def open(self, function_context):
        self.limit = int(function_context.get_job_parameter("limit", "0"))
        self.opened = getattr(self, "opened", 0) + 1

    def eval(self, x):
        return x > self.limit and self.opened == 1


threshold = udf(Threshold(), result_type=DataTypes.BOOLEAN())


@udf(result_type=DataTypes.DOUBLE())
def inverse(x):
    return 1 / x


@udf(result_type=DataTypes.BIGINT())
def wrong_type(x):
    return "not a number"


@udf(result_type=DataTypes.BIGINT())
def warn_and_pass(x):
    logging.getLogger("scalar_udfs").warning("saw %s", x)
    return x


@udf(result_type=DataTypes.BIGINT())
def exit_on_seven(x):
    """Kills its worker process when it sees 7: a worker that dies in the middle of a bundle."""
    if x == 7:
        os._exit(3)
    return x


class CrashOnce(ScalarFunction):
    """Kills its worker the first time it runs for a marker folder (job parameter marker_dir); the worker started
    in its place finds the marker and passes rows through."""

    def open(self, function_context):
        self.marker = os.path.join(function_context.get_job_parameter("marker_dir", "/tmp"), "crashed")

    def eval(self, x):
        if not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(4)
        return x


crash_once = udf(CrashOnce(), result_type=DataTypes.BIGINT())


@udf(result_type=DataTypes.BIGINT())
def print_and_pass(x):
    print("printed %s" % x)
    return x


class SlowCounted(ScalarFunction):
    """Counts rows in a metric and takes 50 ms a row: a long bundle whose progress the runner can watch."""

    def open(self, function_context):
        self.rows = function_context.get_metric_group().counter("slow_rows")

    def eval(self, x):
        time.sleep(0.05)
        self.rows.inc()
        return x


slow_counted = udf(SlowCounted(), result_type=DataTypes.BIGINT())


@udf(result_type=DataTypes.BIGINT())
def debug_and_pass(x):
    logging.getLogger("scalar_udfs").debug("debug saw %s", x)
    return x


def _grow_without_bound():
    """Allocates 16 MB blocks (written, so they are resident) until something stops the process."""
    hoard = []
    while True:
        hoard.append(b"x" * (16 << 20))


@udf(result_type=DataTypes.BIGINT())
def hoard(x):
    """A function that allocates without bound: the worker memory limit must stop it."""
    _grow_without_bound()
    return x


class HoardOnce(ScalarFunction):
    """Allocates without bound the first time it runs for a marker folder (job parameter marker_dir); the worker
    started in its place finds the marker and passes rows through."""

    def open(self, function_context):
        self.marker = os.path.join(function_context.get_job_parameter("marker_dir", "/tmp"), "hoarded")

    def eval(self, x):
        if not os.path.exists(self.marker):
            open(self.marker, "w").close()
            _grow_without_bound()
        return x


hoard_once = udf(HoardOnce(), result_type=DataTypes.BIGINT())


@udf(result_type=DataTypes.BIGINT())
def parent_pid(x):
    """The worker's parent process: the runner, or the fork server that forked the worker."""
    return os.getppid()
