"""Python aggregates over UNBOUNDED PRECEDING OVER frames kept as running accumulators in the runner's state, end to
end with the real `pyfn run` and real Python workers: each row is accumulated once (not resent with every later row
of its key), the values match plain Python at parallelism 1 and 2 (ROWS, and RANGE where rows of one time share the
value after all of them), a per-row result that is the accumulator itself is not changed by later rows, and a
worker killed mid-input is replaced with exact results."""

import csv
import json
import os
import re

import pytest

from table_api_support import locate_runner, runner  # noqa: F401
from test_window_jobs import HERE, environment, micros_of, run_job, write_csv
from test_window_rest import rows_with_ties, unbounded_reference

#: Runs once, on CPython 3.11 (the parser, planner and runner; the worker's per-row mode has test_aggregate_per_row).
pytestmark = pytest.mark.runner_logic

SINK = """CREATE TABLE out (k STRING, ts TIMESTAMP(3), v BIGINT, s BIGINT, ps BIGINT, pm DOUBLE)
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
"""


def header(bundle_size=50, mode="process"):
    return """SET 'python.files' = '%s';
SET 'python.execution-mode' = '%s';
SET 'python.fn-execution.bundle.size' = '%d';
CREATE TABLE src (k STRING, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE FUNCTION py_sum AS 'udfs_windows.py_sum' LANGUAGE PYTHON;
CREATE FUNCTION py_sum_dies_once AS 'udfs_windows.py_sum_dies_once' LANGUAGE PYTHON;
CREATE FUNCTION py_rows_accumulated AS 'udfs_windows.py_rows_accumulated' LANGUAGE PYTHON;
CREATE FUNCTION py_collect AS 'udfs_windows.py_collect' LANGUAGE PYTHON;
CREATE FUNCTION pd_mean AS 'udfs_windows.pd_mean' LANGUAGE PYTHON;
""" % (HERE, mode, bundle_size)


def reference(rows, unit):
    """{(key, time, value): sorted [(sum, mean)]} of each row's frame: its key's rows up to it in time order (equal
    times in arrival order for ROWS; RANGE takes every row of its time)."""
    return {key: sorted((s, pm) for s, _, _, _, pm in results)
            for key, results in unbounded_reference(rows, unit.lower()).items()}


def read_output(path):
    out = {}
    with open(path) as f:
        for k, ts, v, s, ps, pm in csv.reader(f):
            assert s == ps, "SUM and the Python sum differ: %s vs %s" % (s, ps)
            out.setdefault((k, micros_of(ts), int(v)), []).append((int(ps), round(float(pm), 6)))
    return {key: sorted(results) for key, results in out.items()}


def over(unit):
    return "OVER (PARTITION BY k ORDER BY ts %s BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)" % unit


@pytest.mark.parametrize("unit, parallelism, mode", [("ROWS", 1, "process"), ("ROWS", 2, "process"), ("RANGE", 1, "process"),
                                                     ("RANGE", 2, "process"), ("RANGE", 2, "thread")])
def test_running_python_aggregates_match_plain_python(tmp_path, unit, parallelism, mode):
    rows = rows_with_ties(count=400)
    write_csv(tmp_path / "in.csv", rows)
    window = over(unit)
    job = header(mode=mode) + SINK + "INSERT INTO out SELECT k, ts, v, SUM(v) %s, py_sum(v) %s, pd_mean(v) %s FROM src;\n" \
        % (window, window, window)
    outcome = run_job(str(tmp_path), job, parallelism)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert read_output(tmp_path / "out.csv") == reference(rows, unit)


def test_each_row_is_accumulated_once(tmp_path):
    """One worker: after the last row it has accumulated exactly as many rows as the input has (sending a key's
    earlier rows again with each row would make it about n²/2k)."""
    rows = rows_with_ties(count=400)
    write_csv(tmp_path / "in.csv", rows)
    job = header() + """CREATE TABLE out (k STRING, ts TIMESTAMP(3), n BIGINT, c ARRAY<BIGINT>)
  WITH ('connector' = 'filesystem', 'path' = 'out.json', 'format' = 'json');
INSERT INTO out SELECT k, ts, py_rows_accumulated(v) %s, py_collect(v) %s FROM src;
""" % (over("ROWS"), over("ROWS"))
    outcome = run_job(str(tmp_path), job, 1)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    out = [json.loads(line) for line in open(tmp_path / "out.json")]
    assert len(out) == len(rows)
    assert max(row["n"] for row in out) == len(rows)
    # Each row's list is its key's values up to it, though the accumulator went on growing after it.
    by_key = {}
    for arrival, (k, v, t) in enumerate(rows):
        by_key.setdefault(k, []).append((t, arrival, v))
    expected = []
    for k, events in by_key.items():
        events.sort()
        expected += [(k, t, tuple(e[2] for e in events[:i + 1])) for i, (t, _, _) in enumerate(events)]
    assert sorted((row["k"], micros_of(row["ts"]), tuple(row["c"])) for row in out) == sorted(expected)


@pytest.mark.parametrize("parallelism", [1, 2])
def test_a_worker_killed_mid_input_is_replaced_and_the_results_are_exact(tmp_path, parallelism):
    rows = rows_with_ties(count=400)
    write_csv(tmp_path / "in.csv", rows)
    marker = str(tmp_path / "died")
    window = over("ROWS")
    job = header(bundle_size=40) + SINK + \
        "INSERT INTO out SELECT k, ts, v, SUM(v) %s, py_sum_dies_once(v) %s, pd_mean(v) %s FROM src;\n" \
        % (window, window, window)
    outcome = run_job(str(tmp_path), job, parallelism, env=environment(PYFN_TEST_DIE_ONCE=marker))
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert os.path.exists(marker)  # a worker did die
    assert read_output(tmp_path / "out.csv") == reference(rows, "ROWS")


def test_a_raising_accumulate_names_the_function_key_and_arguments(tmp_path):
    write_csv(tmp_path / "in.csv", [("a", 1, 0), ("a", 13, 1000 * 1000), ("b", 2, 2000 * 1000)])
    job = header() + """CREATE FUNCTION explode AS 'udfs_windows.explode' LANGUAGE PYTHON;
CREATE TABLE out (k STRING, ts TIMESTAMP(3), v BIGINT, e BIGINT)
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
INSERT INTO out SELECT k, ts, v, explode(v) %s FROM src;
""" % over("RANGE")
    outcome = run_job(str(tmp_path), job)
    assert outcome.returncode != 0
    # The firing's bundle holds both keys' rows, key by key in the order each key's first row arrived: key 'a''s
    # second row is row 1 of it (0-based), on every run.
    assert re.search(r"function 'explode' raised ValueError: unlucky in accumulate\(\) for key \('a',\) at row 1 "
                     r"of the bundle with arguments \(13\)", outcome.stderr), outcome.stderr
