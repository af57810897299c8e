"""Table aggregate functions (`udtaf`) from a pyfn.table program, run by the real `pyfn` runner and real workers:
`group_by(…).flat_aggregate(top2(…)).select(…)` checked against the same result computed in plain Python, at
parallelism 1 and 2, in process and embedded mode."""

import random

import pytest

from table_api_support import runner  # noqa: F401

import udfs_table_aggregates as t
from pyfn.table import EnvironmentSettings, TableEnvironment
from pyfn.table.expressions import col
from pyfn.util.exceptions import JobExecutionException


@pytest.fixture(params=[("process", 1), ("process", 2), ("thread", 1), ("thread", 2)], ids=lambda p: "%s-p%d" % p)
def batch_env(runner, request):
    mode, parallelism = request.param
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    env.get_config().set("python.execution-mode", mode)
    env.get_config().set("parallelism.default", str(parallelism))
    yield env
    env.close()


def test_top2_per_key_matches_plain_python(batch_env):
    rng = random.Random(5)
    rows = [("k%d" % rng.randint(0, 30), rng.choice([None] + list(range(-100, 100)))) for _ in range(800)]
    table = batch_env.from_elements(rows, ["k", "v"])
    result = table.group_by(col("k")).flat_aggregate(t.top2(col("v"))).select(col("k"), col("v"), col("rank"))
    got = sorted(tuple(r) for r in result.execute().collect())
    expected = []
    for key in sorted({k for k, _ in rows}):
        values = sorted((v for k, v in rows if k == key and v is not None), reverse=True)[:2]
        expected += [(key, value, rank) for rank, value in enumerate(values, 1)]
    assert got == sorted(expected)


def test_an_emit_value_that_raises_names_the_function_and_the_group(batch_env):
    table = batch_env.from_elements([("a", 1), ("b", 13), ("b", 2)], ["k", "v"])
    with pytest.raises(JobExecutionException) as caught:
        list(table.group_by(col("k")).flat_aggregate(t.emit_fails(col("v"))).select("*").execute().collect())
    assert "function 'emit_fails' raised ValueError: unlucky in emit_value() for group ('b',)" in caught.value.message


def test_streaming_input_is_refused_at_load_with_a_clear_message(runner):
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    try:
        env.execute_sql("CREATE TABLE g (k STRING, v BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5')")
        with pytest.raises(JobExecutionException) as caught:
            list(env.from_path("g").group_by(col("k")).flat_aggregate(t.top2(col("v"))).select("*").execute().collect())
        assert "the table aggregate function 'top2' (flat_aggregate) runs over bounded input only; this job's source " \
               "is unbounded (streaming)" in caught.value.message
    finally:
        env.close()


def test_flat_aggregate_refuses_a_function_that_is_not_a_table_aggregate(runner):
    from pyfn.table.udf import udf
    from pyfn.table import DataTypes
    from pyfn.util.exceptions import ValidationException
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    try:
        plus = udf(lambda a: a + 1, result_type=DataTypes.BIGINT(), name="plus")
        table = env.from_elements([("a", 1)], ["k", "v"])
        with pytest.raises(ValidationException, match="flat_aggregate takes one call of a table aggregate function"):
            table.group_by(col("k")).flat_aggregate(plus(col("v")))
    finally:
        env.close()
