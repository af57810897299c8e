"""Aggregate functions that fail on purpose, for the Swift end-to-end tests; the plain ones (total, count, …) are
the harness tests' PyFlink-style aggregates in worker/tests/udfs_aggregates.py, also on the tests' path."""
import os

from pyfn import DataTypes, udaf
from udfs_aggregates import Sum


class CrashOnceSum(Sum):
    """A sum that kills its worker at the first row of value 13 it sees for a marker folder (job parameter
    marker_dir); the worker started in its place finds the marker and goes on."""

    def open(self, function_context):
        self.marker = os.path.join(function_context.get_job_parameter("marker_dir", "/tmp"), "crashed")

    def accumulate(self, accumulator, value):
        if value == 13 and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(4)
        super().accumulate(accumulator, value)


class FailsOnThree(Sum):
    def accumulate(self, accumulator, value):
        if value == 3:
            raise ValueError("three is not allowed")
        super().accumulate(accumulator, value)


crash_once_total = udaf(CrashOnceSum(), result_type=DataTypes.BIGINT())
fails_on_three = udaf(FailsOnThree(), result_type=DataTypes.BIGINT())
