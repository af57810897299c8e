"""The rest of the window family, end to end with the real `pyfn run` and real Python workers, each result checked
against plain Python or pandas over the same rows: OVER windows with UNBOUNDED PRECEDING (ROWS and RANGE, the
short forms, no frame), named windows (`WINDOW w AS (…)`), windows over subqueries and Table API views, and a
Pandas UDAF in a plain GROUP BY (bounded input, as PyFlink's batch mode) — at parallelism 1 and 2, in process and
embedded (`'python.execution-mode' = 'thread'`) mode; and the errors a user sees for what stays unsupported."""

import csv
import datetime
import json
import os
import subprocess

import pandas as pd
import pytest

from table_api_support import locate_runner, runner  # noqa: F401
from test_window_jobs import BASE, HERE, SECOND, environment, insert_line, make_rows, micros_of, run_job, write_csv

# Once, on CPython 3.11 (conftest.RUNNER_LOGIC): windows and the planner's errors are the runner's (workers aggregate whole groups, as test_group_aggregate checks on every version).
pytestmark = pytest.mark.runner_logic

MODES = ["process", "thread"]

HEADER = """SET 'python.files' = '%s';
SET 'python.execution-mode' = '%s';
SET 'python.fn-execution.arrow.batch.size' = '40';
CREATE TABLE src (k STRING, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv'%s);
CREATE FUNCTION py_sum AS 'udfs_windows.py_sum' LANGUAGE PYTHON;
CREATE FUNCTION pd_mean AS 'udfs_windows.pd_mean' LANGUAGE PYTHON;
"""

OVER_SINK = """CREATE TABLE out (k STRING, ts TIMESTAMP(3), v BIGINT, s BIGINT, c BIGINT, mx BIGINT, ps BIGINT, pm DOUBLE)
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
"""


def header(mode="process", source_options=""):
    return HEADER % (HERE, mode, source_options)


# ---------------------------------------------------------------------------------- OVER, UNBOUNDED PRECEDING

UNBOUNDED_FRAMES = {
    "rows-between": ("ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", "rows"),
    "rows-short": ("ROWS UNBOUNDED PRECEDING", "rows"),
    "range-between": ("RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW", "range"),
    "no-frame": ("", "range"),
}


def unbounded_reference(rows, unit):
    """{(key, time, value): sorted [(sum, count, max, py_sum, mean)]}: each row's frame is its key's rows before it
    in time order (equal times in arrival order for ROWS; for RANGE every row of its time too)."""
    by_key = {}
    for arrival, (k, v, t) in enumerate(rows):
        by_key.setdefault(k, []).append((t, arrival, v))
    out = {}
    for k, events in by_key.items():
        events.sort()
        for i, (t, _, v) in enumerate(events):
            frame = events[:i + 1] if unit == "rows" else [e for e in events if e[0] <= t]
            values = [e[2] for e in frame]
            out.setdefault((k, t, v), []).append(
                (sum(values), len(values), max(values), sum(values), round(float(pd.Series(values).mean()), 6)))
    return {key: sorted(results) for key, results in out.items()}


def read_over(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, ts, v, s, c, mx, ps, pm = next(csv.reader([line]))
            out.setdefault((k, micros_of(ts), int(v)), []).append((int(s), int(c), int(mx), int(ps), round(float(pm), 6)))
    return {key: sorted(results) for key, results in out.items()}


def rows_with_ties(count=300):
    """make_rows' rows with every fifth row's time repeated by the next row (RANGE frames must take peers)."""
    rows = make_rows(count=count)
    return [(k, v, rows[i - 1][2] if i % 5 == 1 else t) for i, (k, v, t) in enumerate(rows)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("parallelism", [1, 2])
@pytest.mark.parametrize("frame", list(UNBOUNDED_FRAMES))
def test_unbounded_over_windows_give_each_row_the_aggregates_of_all_rows_before_it(tmp_path, frame, parallelism, mode):
    rows = rows_with_ties()
    write_csv(tmp_path / "in.csv", rows)
    text, unit = UNBOUNDED_FRAMES[frame]
    window = "OVER (PARTITION BY k ORDER BY ts %s)" % text
    job = header(mode) + OVER_SINK + "INSERT INTO out SELECT k, ts, v, SUM(v) %s, COUNT(*) %s, MAX(v) %s, py_sum(v) %s, pd_mean(v) %s FROM src;\n" \
        % ((window,) * 5)
    outcome = run_job(str(tmp_path), job, parallelism)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert read_over(tmp_path / "out.csv") == unbounded_reference(rows, unit)


@pytest.mark.parametrize("parallelism", [1, 2])
def test_unbounded_built_ins_alone_keep_running_totals(tmp_path, parallelism):
    """Built-ins only: the runner keeps a running total per key, not the rows (the explain line shows the frame)."""
    rows = rows_with_ties(count=600)
    write_csv(tmp_path / "in.csv", rows)
    window = "OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    job = header() + OVER_SINK + "INSERT INTO out SELECT k, ts, v, SUM(v) %s, COUNT(v) %s, MAX(v) %s, SUM(v) %s, AVG(CAST(v AS DOUBLE)) %s FROM src;\n" \
        % ((window,) * 5)
    outcome = run_job(str(tmp_path), job, parallelism)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert read_over(tmp_path / "out.csv") == unbounded_reference(rows, "rows")


# ---------------------------------------------------------------------------------- named and shared windows

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("parallelism", [1, 2])
def test_a_named_window_gives_what_the_same_window_written_inline_gives(tmp_path, parallelism, mode):
    rows = rows_with_ties()
    write_csv(tmp_path / "in.csv", rows)
    job = header(mode) + OVER_SINK + ("INSERT INTO out SELECT k, ts, v, SUM(v) OVER w, COUNT(*) OVER w, MAX(v) OVER w,\n"
                                  "  py_sum(v) OVER w, pd_mean(v) OVER w FROM src\n"
                                  "WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);\n")
    outcome = run_job(str(tmp_path), job, parallelism)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert read_over(tmp_path / "out.csv") == unbounded_reference(rows, "rows")


def test_aggregates_over_different_windows_get_flinks_error_at_the_second_window(tmp_path):
    write_csv(tmp_path / "in.csv", make_rows(count=10))
    job = header() + OVER_SINK + ("INSERT INTO out SELECT k, ts, v, SUM(v) OVER (PARTITION BY k ORDER BY ts), COUNT(*) OVER w, MAX(v) OVER w,\n"
                                  "  py_sum(v) OVER w, pd_mean(v) OVER w FROM src\n"
                                  "WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);\n")
    outcome = run_job(str(tmp_path), job)
    assert outcome.returncode != 0
    line = insert_line(job)
    # The OVER that differs (COUNT(*) OVER w) stands on the INSERT's line, at column 85.
    assert "job.sql:%d:85: error: Over Agg: Unsupported use of OVER windows. All aggregates must be computed on the same window. " \
           "please re-check the over window statement." % line in outcome.stderr, outcome.stderr


def test_an_unknown_window_name_is_an_error_at_the_name(tmp_path):
    write_csv(tmp_path / "in.csv", make_rows(count=10))
    job = header() + OVER_SINK + ("INSERT INTO out SELECT k, ts, v, SUM(v) OVER w, COUNT(*) OVER w, MAX(v) OVER w,\n"
                                  "  py_sum(v) OVER w, pd_mean(v) OVER x FROM src\n"
                                  "WINDOW w AS (PARTITION BY k ORDER BY ts);\n")
    outcome = run_job(str(tmp_path), job)
    assert outcome.returncode != 0
    assert "job.sql:%d:37: error: unknown window 'x' (known: w)" % (insert_line(job) + 1) in outcome.stderr, outcome.stderr


# ---------------------------------------------------------------------------------- windows over subqueries

WINDOW_SINK = """CREATE TABLE out (k STRING, ws TIMESTAMP(3), c BIGINT, s BIGINT, ps BIGINT, pm DOUBLE)
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
"""


def tumble_reference(rows, size=10 * SECOND):
    groups = {}
    for k, v, t in rows:
        groups.setdefault((k, t - t % size), []).append(v)
    return {key: (len(vs), sum(vs), sum(vs), round(float(pd.Series(vs).mean()), 6)) for key, vs in groups.items()}


def read_windows(path):
    result = {}
    with open(path) as f:
        for line in f:
            k, ws, c, s, ps, pm = next(csv.reader([line]))
            key = (k, micros_of(ws))
            assert key not in result, "window %r written twice" % (key,)
            result[key] = (int(c), int(s), int(ps), round(float(pm), 6))
    return result


SUBQUERY_QUERIES = {
    "tvf-subquery": "SELECT k, window_start, COUNT(*), SUM(w), py_sum(w), pd_mean(w) FROM TABLE(TUMBLE("
                    "(SELECT k, v * 2 AS w, ts AS t FROM src WHERE v > 0), DESCRIPTOR(t), INTERVAL '10' SECOND)) "
                    "GROUP BY window_start, window_end, k",
    "tvf-table-subquery": "SELECT k, window_start, COUNT(*), SUM(w), py_sum(w), pd_mean(w) FROM TABLE(TUMBLE("
                          "TABLE (SELECT k, v * 2 AS w, ts AS t FROM src WHERE v > 0), DESCRIPTOR(t), INTERVAL '10' SECOND)) "
                          "GROUP BY window_start, window_end, k",
    "group-window-subquery": "SELECT k, TUMBLE_START(t, INTERVAL '10' SECOND), COUNT(*), SUM(w), py_sum(w), pd_mean(w) "
                             "FROM (SELECT * FROM (SELECT k, v * 2 AS w, ts AS t FROM src) WHERE w > 0) AS s "
                             "GROUP BY k, TUMBLE(t, INTERVAL '10' SECOND)",
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("parallelism", [1, 2])
@pytest.mark.parametrize("name", list(SUBQUERY_QUERIES))
def test_windows_over_a_subquery_that_passes_the_rowtime_through(tmp_path, name, parallelism, mode):
    rows = make_rows(count=400)
    write_csv(tmp_path / "in.csv", rows)
    job = header(mode) + WINDOW_SINK + "INSERT INTO out %s;\n" % SUBQUERY_QUERIES[name]
    outcome = run_job(str(tmp_path), job, parallelism)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "late rows" not in outcome.stdout
    expected = tumble_reference([(k, 2 * v, t) for k, v, t in rows if v > 0])
    assert read_windows(tmp_path / "out.csv") == expected


def test_late_rows_of_a_subquery_are_dropped_and_counted(tmp_path):
    rows = [("a", i + 1, i * SECOND) for i in range(30)] + [("a", 1000, 2 * SECOND), ("a", 100, 25 * SECOND)]
    write_csv(tmp_path / "in.csv", rows)
    job = header().replace("'5' SECOND", "'3' SECOND") + WINDOW_SINK + "INSERT INTO out %s;\n" % SUBQUERY_QUERIES["tvf-subquery"]
    outcome = run_job(str(tmp_path), job)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "1 late rows dropped" in outcome.stdout
    assert read_windows(tmp_path / "out.csv") == tumble_reference([(k, 2 * v, t) for k, v, t in rows[:30] + rows[-1:]])


@pytest.mark.parametrize("parallelism", [1, 2])
def test_an_over_window_over_a_subquery(tmp_path, parallelism):
    rows = rows_with_ties()
    write_csv(tmp_path / "in.csv", rows)
    window = "OVER (PARTITION BY k ORDER BY t ROWS UNBOUNDED PRECEDING)"
    job = header() + OVER_SINK + ("INSERT INTO out SELECT k, t, v, SUM(v) %s, COUNT(*) %s, MAX(v) %s, py_sum(v) %s, pd_mean(v) %s "
                                  "FROM (SELECT k, v, ts AS t FROM src WHERE v >= 0);\n" % ((window,) * 5))
    outcome = run_job(str(tmp_path), job, parallelism)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert read_over(tmp_path / "out.csv") == unbounded_reference([r for r in rows if r[1] >= 0], "rows")


def test_a_window_over_a_subquery_that_computes_the_time_is_refused_at_load(tmp_path):
    write_csv(tmp_path / "in.csv", make_rows(count=10))
    job = header() + WINDOW_SINK + ("INSERT INTO out SELECT k, window_start, COUNT(*), SUM(v), py_sum(v), pd_mean(v) FROM TABLE(TUMBLE(\n"
                                    "(SELECT k, v, CAST(ts AS TIMESTAMP(3)) AS t FROM src), DESCRIPTOR(t), INTERVAL '10' SECOND))\n"
                                    "GROUP BY window_start, window_end, k;\n")
    outcome = run_job(str(tmp_path), job)
    assert outcome.returncode != 0
    assert "job.sql:%d:" % insert_line(job) in outcome.stderr
    assert "the window reads 't' of a subquery that does not pass src's event-time column through" in outcome.stderr, outcome.stderr


# ---------------------------------------------------------------------------------- Pandas UDAF in GROUP BY

GROUP_SINK = """CREATE TABLE out (k STRING, c BIGINT, s BIGINT, ps BIGINT, pm DOUBLE)
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
"""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("parallelism", [1, 2])
def test_a_pandas_udaf_in_a_plain_group_by_matches_pandas_groupby(tmp_path, parallelism, mode):
    rows = make_rows(count=500, keys=7)
    write_csv(tmp_path / "in.csv", rows)
    job = header(mode) + GROUP_SINK + "INSERT INTO out SELECT k, COUNT(*), SUM(v), py_sum(v), pd_mean(v) FROM src GROUP BY k;\n"
    outcome = run_job(str(tmp_path), job, parallelism)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    frame = pd.DataFrame(rows, columns=["k", "v", "t"])
    grouped = frame.groupby("k")["v"]
    expected = {k: (int(grouped.count()[k]), int(grouped.sum()[k]), int(grouped.sum()[k]), round(float(grouped.mean()[k]), 6))
                for k in grouped.groups}
    got = {}
    with open(tmp_path / "out.csv") as f:
        for line in f:
            k, c, s, ps, pm = next(csv.reader([line]))
            assert k not in got, "key %s written twice" % k
            got[k] = (int(c), int(s), int(ps), round(float(pm), 6))
    assert got == expected


def test_a_pandas_udaf_in_a_plain_group_by_over_a_growing_file_is_refused(tmp_path):
    write_csv(tmp_path / "in.csv", make_rows(count=10))
    job = header(source_options=", 'source.monitor-interval' = '50ms'") + GROUP_SINK \
        + "INSERT INTO out SELECT k, COUNT(*), SUM(v), py_sum(v), pd_mean(v) FROM src GROUP BY k;\n"
    outcome = run_job(str(tmp_path), job)
    assert outcome.returncode != 0
    assert "job.sql:%d:" % insert_line(job) in outcome.stderr
    assert "a Pandas aggregate in a GROUP BY without a window needs a bounded input" in outcome.stderr, outcome.stderr


def test_a_pandas_udaf_over_an_updating_input_is_refused_at_load(tmp_path):
    write_csv(tmp_path / "in.csv", make_rows(count=10))
    job = header() + GROUP_SINK.replace("k STRING, c BIGINT, s BIGINT, ps BIGINT, pm DOUBLE", "c BIGINT, pm DOUBLE") \
        + "INSERT INTO out SELECT c, pd_mean(s) FROM (SELECT k, COUNT(*) AS c, SUM(v) AS s FROM src GROUP BY k) GROUP BY c;\n"
    outcome = run_job(str(tmp_path), job)
    assert outcome.returncode != 0
    assert "job.sql:%d:" % insert_line(job) in outcome.stderr
    assert "the Pandas aggregate 'PD_MEAN(s)' cannot read the updating rows of an earlier GROUP BY" in outcome.stderr, outcome.stderr


# ---------------------------------------------------------------------------------- late rows as a metric

def test_late_rows_show_in_the_metrics_file_as_num_late_records_dropped(tmp_path):
    rows = [("a", i, i * SECOND) for i in range(30)] + [("a", 1000, 2 * SECOND), ("a", 2000, 9 * SECOND)]
    write_csv(tmp_path / "in.csv", rows)
    job = header().replace("'5' SECOND", "'3' SECOND") + WINDOW_SINK \
        + "INSERT INTO out SELECT k, window_start, COUNT(*), SUM(v), py_sum(v), pd_mean(v) FROM TABLE(TUMBLE(TABLE src, " \
          "DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k;\n"
    path = os.path.join(str(tmp_path), "job.sql")
    with open(path, "w") as f:
        f.write(job)
    outcome = subprocess.run([locate_runner(), "run", path, "--show", "0", "--metrics-out", "metrics.json"], cwd=str(tmp_path),
                             env=environment(), capture_output=True, text=True, timeout=300)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "2 late rows dropped" in outcome.stdout
    with open(tmp_path / "metrics.json") as f:
        assert json.load(f)["numLateRecordsDropped"] == {"window": 2}


# ---------------------------------------------------------------------------------- views (Python Table API)

def test_a_window_tvf_over_a_table_api_view(runner, tmp_path):
    from pyfn.table import EnvironmentSettings, TableEnvironment
    from pyfn.table.expressions import col
    from udfs_windows import pd_mean, py_sum

    rows = make_rows(count=300)
    write_csv(tmp_path / "in.csv", rows)
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    try:
        # py_sum's class builds on udfs_aggregates.Sum, which the worker imports by name.
        t_env.add_python_file(os.path.join(HERE, "udfs_aggregates.py"))
        t_env.execute_sql("CREATE TABLE src (k STRING, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) "
                          "WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'csv')" % (tmp_path / "in.csv"))
        t_env.create_temporary_function("py_sum", py_sum)
        t_env.create_temporary_function("pd_mean", pd_mean)
        t_env.create_temporary_view("positive", t_env.from_path("src").where(col("v") > 0).select(col("k"), col("v"), col("ts")))
        table = t_env.sql_query("SELECT k, window_start, COUNT(*), SUM(v), py_sum(v), pd_mean(v) FROM TABLE(TUMBLE(TABLE positive, "
                                "DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k")
        got = {}
        for k, start, c, s, ps, pm in table.execute().collect():
            got[(k, (start - BASE) // datetime.timedelta(microseconds=1))] = (c, s, ps, round(pm, 6))
    finally:
        t_env.close()
    assert got == tumble_reference([r for r in rows if r[1] > 0])


def test_explain_shows_the_unbounded_frame_and_the_whole_input_group_by(tmp_path):
    write_csv(tmp_path / "in.csv", make_rows(count=10))
    window = "OVER (PARTITION BY k ORDER BY ts ROWS UNBOUNDED PRECEDING)"
    jobs = {"over.sql": header() + OVER_SINK + "INSERT INTO out SELECT k, ts, v, SUM(v) %s, COUNT(*) %s, MAX(v) %s, py_sum(v) %s, "
                                               "pd_mean(v) %s FROM src;\n" % ((window,) * 5),
            "group.sql": header() + GROUP_SINK + "INSERT INTO out SELECT k, COUNT(*), SUM(v), py_sum(v), pd_mean(v) FROM src GROUP BY k;\n"}
    explained = {}
    for name, text in jobs.items():
        (tmp_path / name).write_text(text)
        outcome = subprocess.run([locate_runner(), "explain", name], cwd=str(tmp_path), env=environment(),
                                 capture_output=True, text=True, timeout=120)
        assert outcome.returncode == 0, outcome.stdout + outcome.stderr
        explained[name] = outcome.stdout
    assert "over    ROWS UNBOUNDED PRECEDING (running aggregates) by 1 key" in explained["over.sql"], explained["over.sql"]
    assert "window  WHOLE INPUT (a plain GROUP BY with a Pandas aggregate, fired at the end of the input) by 1 key" \
        in explained["group.sql"], explained["group.sql"]
