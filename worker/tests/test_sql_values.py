"""VALUES in job files and in `execute_sql`: `INSERT INTO t VALUES (…), (…)` and `SELECT … FROM (VALUES (…)) AS
t(a, b)`, with the real `pyfn` runner. Columns are typed as Flink types them (integer literals INT, or BIGINT when
too big; decimals DECIMAL(p, s) with their own digits; the least restrictive type across rows) and cast into the
sink's columns on INSERT; the errors name file, line and column."""

import csv
import os
import subprocess

import pytest

from pyfn.table import EnvironmentSettings, TableEnvironment
from table_api_support import locate_runner, runner  # noqa: F401

#: Runs once, on CPython 3.11 (the parser, planner and runner; the worker's per-row mode has test_aggregate_per_row).
pytestmark = pytest.mark.runner_logic


def run_sql(folder, text):
    path = os.path.join(folder, "job.sql")
    with open(path, "w") as f:
        f.write(text)
    return subprocess.run([locate_runner(), "run", path, "--show", "0"], cwd=folder, capture_output=True, text=True,
                          timeout=120)


def test_insert_values_casts_each_row_into_the_sinks_columns(tmp_path):
    outcome = run_sql(str(tmp_path), """CREATE TABLE out (a BIGINT, b STRING, c DECIMAL(10, 3), d DOUBLE)
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
INSERT INTO out VALUES (1, 'a', 1.5, 2), (3000000000, 'bcd', -0.25, 1.5), (-2, 'x y', 7, NULL);
""")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    with open(tmp_path / "out.csv") as f:
        assert list(csv.reader(f)) == [["1", "a", "1.5", "2.0"], ["3000000000", "bcd", "-0.25", "1.5"], ["-2", "x y", "7", ""]]


def test_a_values_table_in_from_is_read_like_any_table(tmp_path):
    outcome = run_sql(str(tmp_path), """CREATE TABLE out (k STRING, n BIGINT, total DECIMAL(12, 2))
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
INSERT INTO out SELECT k, COUNT(*), SUM(p) FROM (VALUES ('a', 1.25), ('b', 2), ('a', 10.5)) AS t(k, p) GROUP BY k;
""")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    with open(tmp_path / "out.csv") as f:
        assert sorted(tuple(row) for row in csv.reader(f)) == [("a", "2", "11.75"), ("b", "1", "2")]


@pytest.mark.parametrize("statement, message", [
    ("INSERT INTO out VALUES (1, 'a'), (2)", "job.sql:3:34: error: this VALUES row has 1 values but the first has 2"),
    ("INSERT INTO out VALUES (1, 'a'), ('b', 'c')",
     "job.sql:3:35: error: VALUES column 1 holds INT NOT NULL and STRING NOT NULL, which have no common type; CAST one of them"),
    ("INSERT INTO out VALUES (NULL, 'a')",
     "job.sql:3:25: error: VALUES column 1 holds only NULLs, which have no type; write CAST(NULL AS type)"),
    ("INSERT INTO out SELECT * FROM (VALUES (1, 'a')) AS t(x)", "job.sql:3:54: error: 1 column names for VALUES rows of 2 values"),
])
def test_values_errors_name_the_file_line_and_column(tmp_path, statement, message):
    outcome = run_sql(str(tmp_path), "CREATE TABLE out (a BIGINT, b STRING)\n"
                                     "  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');\n" + statement + ";\n")
    assert outcome.returncode != 0
    assert message in outcome.stderr, outcome.stderr


def test_execute_sql_takes_values_in_inserts_and_queries(runner, tmp_path):
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    try:
        env.execute_sql("CREATE TABLE out (a BIGINT, b STRING) WITH ('connector' = 'filesystem', 'path' = '%s', "
                        "'format' = 'csv')" % (tmp_path / "out.csv"))
        env.execute_sql("INSERT INTO out VALUES (1, 'one'), (2, 'two')").wait()
        with open(tmp_path / "out.csv") as f:
            assert list(csv.reader(f)) == [["1", "one"], ["2", "two"]]
        with env.execute_sql("SELECT b, a * 10 FROM (VALUES (1, 'x'), (2, 'yy')) AS t(a, b)").collect() as rows:
            assert [tuple(row) for row in rows] == [("x", 10), ("yy", 20)]
    finally:
        env.close()


def test_explain_shows_a_values_source(tmp_path):
    (tmp_path / "job.sql").write_text("CREATE TABLE out (a BIGINT, b STRING)\n"
                                      "  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');\n"
                                      "INSERT INTO out VALUES (1, 'a');\n"
                                      "INSERT INTO out SELECT * FROM (VALUES (2, 'b')) AS t(x, y);\n")
    outcome = subprocess.run([locate_runner(), "explain", "job.sql"], cwd=str(tmp_path), capture_output=True, text=True,
                             timeout=60)
    assert outcome.returncode == 0, outcome.stderr
    assert "  source  VALUES [values]  columns: EXPR$0, EXPR$1\n" in outcome.stdout, outcome.stdout
    assert "  source  t [values]  columns: x, y\n" in outcome.stdout, outcome.stdout
