"""Async scalar functions the Swift end-to-end tests call through real workers (AsyncScalarFunctionTests)."""
import asyncio
import os

from pyfn import AsyncScalarFunction, DataTypes, udf


def delay_of(x):
    """A lookup's latency for key x: 50 to 200 ms, varied so that calls finish out of input order."""
    return 0.05 + (x * 37 % 151) / 1000


class Lookup(AsyncScalarFunction):
    """A service lookup: waits 50-200 ms, answers x * 3, and records how many calls were in flight at most."""

    def open(self, function_context):
        self.in_flight = 0
        self.peak = 0

    async def eval(self, x):
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(delay_of(x))
        finally:
            self.in_flight -= 1
        return x * 3


lookup = udf(Lookup(), result_type=DataTypes.BIGINT())


@udf(result_type=DataTypes.BIGINT())
async def slow(x):
    """Answers after 30 seconds: far longer than the tests' timeout."""
    await asyncio.sleep(30)
    return x


class Flaky(AsyncScalarFunction):
    """Fails the first two attempts for each key, then answers x + 1000."""

    def open(self, function_context):
        self.failures = {}

    async def eval(self, x):
        await asyncio.sleep(0.001)
        seen = self.failures.get(x, 0)
        if seen < 2:
            self.failures[x] = seen + 1
            raise ConnectionError("service busy for key %d" % x)
        return x + 1000


flaky = udf(Flaky(), result_type=DataTypes.BIGINT())


@udf(result_type=DataTypes.BIGINT())
async def always_fails(x):
    """A service that is down."""
    await asyncio.sleep(0.001)
    raise ConnectionError("service down for key %d" % x)


class CrashWhileInFlight(AsyncScalarFunction):
    """Kills its worker at key 500 the first time (marker file in job parameter marker_dir) while other calls are
    still sleeping; the worker started in its place finds the marker and answers x * 7."""

    def open(self, function_context):
        self.marker = os.path.join(function_context.get_job_parameter("marker_dir", "/tmp"), "crashed")

    async def eval(self, x):
        await asyncio.sleep(0.02)
        if x == 500 and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(4)
        return x * 7


crash_while_in_flight = udf(CrashWhileInFlight(), result_type=DataTypes.BIGINT())
