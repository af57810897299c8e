"""Views in job files run by `pyfn run`: `CREATE [TEMPORARY] VIEW name AS SELECT …` read by later INSERTs, by other
views and by window table functions (`TUMBLE(TABLE v, …)`), `DROP VIEW`, and the errors a user sees, each naming the
file, line and column. Results are checked against plain Python over the same rows."""

import csv

import pytest

from table_api_support import locate_runner, runner  # noqa: F401
from test_window_jobs import HERE, SECOND, make_rows, micros_of, run_job, write_csv

#: Runs once, on CPython 3.11 (the parser, planner and runner; the worker's per-row mode has test_aggregate_per_row).
pytestmark = pytest.mark.runner_logic


HEADER = """SET 'python.files' = '%s';
CREATE TABLE src (k STRING, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE FUNCTION py_sum AS 'udfs_windows.py_sum' LANGUAGE PYTHON;
""" % HERE


def read_csv(path):
    with open(path) as f:
        return list(csv.reader(f))


def test_views_read_by_inserts_other_views_and_windows(tmp_path):
    rows = make_rows(count=200)
    write_csv(tmp_path / "in.csv", rows)
    job = HEADER + """CREATE VIEW positives AS SELECT k, v * 10 AS w, ts FROM src WHERE v > 0;
CREATE TEMPORARY VIEW big AS SELECT k, w FROM positives WHERE w >= 50;
CREATE TABLE out_big (k STRING, w BIGINT) WITH ('connector' = 'filesystem', 'path' = 'big.csv', 'format' = 'csv');
CREATE TABLE out_win (k STRING, ws TIMESTAMP(3), s BIGINT, ps BIGINT)
  WITH ('connector' = 'filesystem', 'path' = 'win.csv', 'format' = 'csv');
INSERT INTO out_big SELECT k, w FROM big;
INSERT INTO out_win SELECT k, window_start, SUM(w), py_sum(w)
  FROM TABLE(TUMBLE(TABLE positives, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k;
DROP VIEW big;
DROP TEMPORARY VIEW IF EXISTS big;
"""
    outcome = run_job(str(tmp_path), job)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert sorted((k, int(w)) for k, w in read_csv(tmp_path / "big.csv")) == \
        sorted((k, v * 10) for k, v, _ in rows if v > 0 and v * 10 >= 50)
    windows = {}
    for k, v, t in rows:
        if v > 0:
            windows.setdefault((k, t - t % (10 * SECOND)), []).append(v * 10)
    assert {(k, micros_of(ws)): (int(s), int(ps)) for k, ws, s, ps in read_csv(tmp_path / "win.csv")} == \
        {key: (sum(ws), sum(ws)) for key, ws in windows.items()}


def error_of(tmp_path, statements):
    write_csv(tmp_path / "in.csv", make_rows(count=5))
    job = HEADER + "CREATE TABLE out (k STRING, v BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');\n" \
        + statements
    outcome = run_job(str(tmp_path), job)
    assert outcome.returncode != 0, outcome.stdout
    return outcome.stderr


def test_a_dropped_view_is_gone_for_later_statements(tmp_path):
    stderr = error_of(tmp_path, "CREATE VIEW pos AS SELECT k, v FROM src WHERE v > 0;\nDROP VIEW pos;\n"
                                "INSERT INTO out SELECT k, v FROM pos;\n")
    assert "job.sql:8:34: error: unknown table 'pos' (known: out, src)" in stderr, stderr


def test_view_errors_name_the_file_line_and_column(tmp_path):
    # An error inside the view's query points at the view's line, where the INSERT reads it.
    stderr = error_of(tmp_path, "CREATE VIEW pos AS SELECT k, nope FROM src;\nINSERT INTO out SELECT k, v FROM pos;\n")
    assert "job.sql:6:30: error: unknown column 'nope'" in stderr, stderr
    stderr = error_of(tmp_path, "DROP VIEW missing;\n")
    assert "job.sql:6:11: error: view 'missing' does not exist" in stderr, stderr
    stderr = error_of(tmp_path, "CREATE VIEW pos AS SELECT k, v FROM src;\nCREATE VIEW pos AS SELECT k FROM src;\n")
    assert "job.sql:7:1: error: view 'pos' already exists (defined at 6:1); DROP VIEW pos first" in stderr, stderr
    stderr = error_of(tmp_path, "CREATE VIEW out AS SELECT k, v FROM src;\n")
    assert "job.sql:6:1: error: 'out' is already a table (created at 5:1); a view cannot take its name" in stderr, stderr
    stderr = error_of(tmp_path, "CREATE VIEW pos AS SELECT k, v FROM src;\nINSERT INTO pos SELECT k, v FROM src;\n")
    assert "job.sql:7:13: error: 'pos' is a view (defined at 6:1); INSERT INTO writes to a table" in stderr, stderr
