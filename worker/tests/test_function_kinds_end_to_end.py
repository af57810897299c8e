"""Async and Arrow scalar functions from a pyfn.table program, run by the real `pyfn` runner and real workers:
PyFlink 2.3's spellings (`AsyncScalarFunction`, `udf(..., func_type="arrow")`, `table.exec.async-scalar.*` in the
TableConfig), beside an ordinary function in one select."""

import asyncio

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from table_api_support import runner, tagged_processes  # noqa: F401

from pyfn.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyfn.table.expressions import col
from pyfn.table.udf import AsyncScalarFunction, udf
from pyfn.util.exceptions import JobExecutionException


class Lookup(AsyncScalarFunction):
    async def eval(self, key):
        await asyncio.sleep(0.05)
        return "k%d" % key


lookup = udf(Lookup(), result_type=DataTypes.STRING())
plus_one = udf(lambda a: a + 1, result_type=DataTypes.BIGINT(), name="plus_one")


@udf(result_type=DataTypes.DOUBLE(), func_type="arrow")
def halve(a):
    assert isinstance(a, pa.Array)
    return pc.divide(pc.cast(a, pa.float64()), 2.0)


@udf(result_type=DataTypes.STRING())
async def never_answers(key):
    await asyncio.sleep(30)


@pytest.fixture
def batch_env(runner):
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    yield env
    env.close()


def test_async_arrow_and_ordinary_functions_in_one_select(batch_env):
    batch_env.get_config().set("table.exec.async-scalar.max-concurrent-operations", "100")
    table = batch_env.from_elements([(i,) for i in range(300)], ["a"])
    rows = list(table.select(col("a"), lookup(col("a")), halve(col("a")), plus_one(col("a"))).execute().collect())
    # 300 calls of 50 ms: 15 s one at a time, well under that with 100 in flight (the runner's start included)
    assert [tuple(r) for r in rows] == [(i, "k%d" % i, i / 2, i + 1) for i in range(300)]


def test_the_async_timeout_from_the_table_config_fails_the_job_naming_the_function(batch_env):
    batch_env.get_config().set("table.exec.async-scalar.timeout", "200 ms")
    table = batch_env.from_elements([(7,)], ["a"])
    with pytest.raises(JobExecutionException) as caught:
        list(table.select(never_answers(col("a"))).execute().collect())
    assert "function 'never_answers' timed out after 200 ms (table.exec.async-scalar.timeout)" in caught.value.message
    assert tagged_processes() == []
