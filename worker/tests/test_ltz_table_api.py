"""TIMESTAMP_LTZ in pyfn.table, end to end (the real runner and workers): `DataTypes.TIMESTAMP_LTZ(p)` in schemas,
`from_elements` and UDF result types, `execute().print()` in the session zone as Flink prints it (checked on
PyFlink 2.3: TO_TIMESTAMP_LTZ(0, 3) prints `1970-01-01 08:00:00.000` in Asia/Shanghai), and what a UDF receives
(PyFlink's value: the UTC wall clock labelled with the session zone)."""

import datetime

import pytest

from table_api_support import runner  # noqa: F401

from pyfn.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyfn.table.expressions import col
from pyfn.table.udf import udf

UTC = datetime.timezone.utc
INSTANT = datetime.datetime(2024, 1, 1, 4, 0, 0, 123000, tzinfo=UTC)


@udf(result_type=DataTypes.STRING())
def wall_clock(ts):
    return None if ts is None else ts.isoformat()


@udf(result_type=DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(3))
def plus_hour(ts):
    return None if ts is None else ts + datetime.timedelta(hours=1)


@pytest.fixture
def shanghai_env(runner):  # noqa: F811
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    env.get_config().set_local_timezone("Asia/Shanghai")
    yield env
    env.close()


def ltz_table(env):
    schema = DataTypes.ROW([DataTypes.FIELD("id", DataTypes.INT()), DataTypes.FIELD("ts", DataTypes.TIMESTAMP_LTZ(3))])
    return env.from_elements([(1, INSTANT), (2, None)], schema)


def test_udfs_get_pyflinks_value_and_results_come_back_as_instants(shanghai_env):
    result = ltz_table(shanghai_env).select(col("id"), wall_clock(col("ts")), plus_hour(col("ts")))
    with result.execute().collect() as rows:
        got = sorted((tuple(r) for r in rows), key=lambda r: r[0])
    assert got == [(1, "2024-01-01T04:00:00.123000+08:00", INSTANT + datetime.timedelta(hours=1)), (2, None, None)]
    assert str(result.get_schema()).count("TIMESTAMP_LTZ") == 1


def test_print_shows_the_session_zones_wall_clock(shanghai_env, capsys):
    ltz_table(shanghai_env).execute().print()
    printed = capsys.readouterr().out
    assert "| 2024-01-01 12:00:00.123000 |" in printed, printed


def test_from_elements_reads_a_naive_datetime_in_the_machines_zone_as_pyflink_does(runner, monkeypatch):  # noqa: F811
    # PyFlink's LocalZonedTimestampType.to_sql_type: time.mktime of a naive datetime (the machine's zone).
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    import time
    time.tzset()
    try:
        env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        env.get_config().set_local_timezone("UTC")
        schema = DataTypes.ROW([DataTypes.FIELD("ts", DataTypes.TIMESTAMP_LTZ(3))])
        table = env.from_elements([(datetime.datetime(2024, 1, 1, 12, 0, 0),)], schema)
        with table.execute().collect() as rows:
            assert [tuple(r) for r in rows] == [(datetime.datetime(2024, 1, 1, 4, 0, 0, tzinfo=UTC),)]
        env.close()
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
