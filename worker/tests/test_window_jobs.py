"""Time windows in SQL jobs, end to end: the real `pyfn run` with real Python workers, every result checked
against the same windows computed here independently (plain Python and pandas over the generated rows).

Each window kind (TUMBLE, HOP, CUMULATE table functions; TUMBLE, HOP, SESSION group windows) runs built-in
COUNT/SUM, a general Python UDAF (py_sum) and a Pandas UDAF (pd_mean) at parallelism 1 and 2, over rows that
arrive out of order within the watermark delay (so none is late and the result equals that of sorted rows)."""

import csv
import datetime
import os
import random
import signal
import subprocess
import time

import pandas as pd
import pytest

from table_api_support import locate_runner

# Once, on CPython 3.11 (conftest.RUNNER_LOGIC): windows are the runner's (workers aggregate whole groups, as test_group_aggregate checks on every version).
pytestmark = pytest.mark.runner_logic

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = os.path.join(os.path.dirname(os.path.dirname(HERE)), ".venv", "bin", "python")
BASE = datetime.datetime(2026, 1, 1, 10, 0, 0)
FORMAT = "%Y-%m-%d %H:%M:%S.%f"
SECOND = 1_000_000


def make_rows(count=600, keys=4, seed=5, delay_seconds=5):
    """(key, value, micros) rows, 0.5 s apart on average, each moved by up to 2 s so they arrive out of order
    (within the watermark delay); key 'm' gets two sessions that a late-arriving row later bridges."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        micros = int(i * 0.5 * SECOND + rng.uniform(-2, 2) * SECOND) // 1000 * 1000  # the CSV holds milliseconds
        rows.append(("k%d" % rng.randrange(keys), rng.randint(-5, 20), micros))
    # 'm': sessions at 100 s and 106 s (gap 4 s), then a row at 104 s, read after both, joins them.
    if count > 220:
        rows.insert(200, ("m", 1, 100 * SECOND))
        rows.insert(212, ("m", 2, 106 * SECOND))
        rows.insert(213, ("m", 4, 104 * SECOND))
    assert all(t >= max(r[2] for r in rows[:i + 1]) - delay_seconds * SECOND for i, (_, _, t) in enumerate(rows))
    return rows


def timestamp_text(micros):
    return (BASE + datetime.timedelta(microseconds=micros)).strftime(FORMAT)[:-3]


def micros_of(text):
    return (datetime.datetime.strptime(text, FORMAT) - BASE) // datetime.timedelta(microseconds=1)


def write_csv(path, rows):
    with open(path, "w") as f:
        f.writelines("%s,%d,%s\n" % (k, v, timestamp_text(t)) for k, v, t in rows)


# ---------------------------------------------------------------------------------- the references

def windows_of(kind, t, sizes):
    if kind == "tumble":
        (size,) = sizes
        start = t - t % size
        return [(start, start + size)]
    if kind == "hop":
        slide, size = sizes
        first = t - t % slide - size + slide
        return [(s, s + size) for s in range(first, t + 1, slide) if s <= t < s + size]
    if kind == "cumulate":
        step, size = sizes
        start = t - t % size
        return [(start, end) for end in range(start + step, start + size + 1, step) if end > t]
    raise ValueError(kind)


def sessions_of(rows, gap):
    """Per key, the times sorted and split where the next event is more than `gap` after the previous one."""
    by_key = {}
    for k, v, t in rows:
        by_key.setdefault(k, []).append((t, v))
    out = {}
    for k, events in by_key.items():
        events.sort()
        current = [events[0]]
        for event in events[1:]:
            if event[0] - current[-1][0] > gap:
                out[(k, current[0][0], current[-1][0] + gap)] = [v for _, v in current]
                current = []
            current.append(event)
        out[(k, current[0][0], current[-1][0] + gap)] = [v for _, v in current]
    return out


def reference(rows, kind, sizes):
    """{(key, start, end): (count, sum, py_sum, mean)} computed with pandas."""
    if kind == "session":
        groups = sessions_of(rows, sizes[0])
    else:
        groups = {}
        for k, v, t in rows:
            for start, end in windows_of(kind, t, sizes):
                groups.setdefault((k, start, end), []).append(v)
    return {key: (len(vs), sum(vs), sum(vs), round(float(pd.Series(vs).mean()), 6)) for key, vs in groups.items()}


def read_output(path):
    result = {}
    with open(path) as f:
        for line in f:
            k, start, end, count, total, py_total, mean = next(csv.reader([line]))
            key = (k, micros_of(start), micros_of(end))
            assert key not in result, "window %r written twice" % (key,)
            result[key] = (int(count), int(total), int(py_total), round(float(mean), 6))
    return result


# ---------------------------------------------------------------------------------- running jobs

QUERIES = {
    "tumble": ("TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND))", None, (10 * SECOND,)),
    "hop": ("TABLE(HOP(TABLE src, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND))", None, (5 * SECOND, 15 * SECOND)),
    "cumulate": ("TABLE(CUMULATE(TABLE src, DESCRIPTOR(ts), INTERVAL '4' SECOND, INTERVAL '12' SECOND))", None, (4 * SECOND, 12 * SECOND)),
    "group-tumble": ("src", "TUMBLE(ts, INTERVAL '10' SECOND)", (10 * SECOND,)),
    "group-hop": ("src", "HOP(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND)", (5 * SECOND, 15 * SECOND)),
    "group-session": ("src", "SESSION(ts, INTERVAL '4' SECOND)", (4 * SECOND,)),
}


def job_text(name, source_options="", aggregates="py_sum(v), pd_mean(v)", delay="5"):
    source, group_window, _ = QUERIES[name]
    if group_window is None:
        select = "k, window_start, window_end, COUNT(*), SUM(v), %s FROM %s GROUP BY window_start, window_end, k" \
                 % (aggregates, source)
    else:
        prefix = group_window.split("(")[0]
        select = "k, %s_START(%s), %s_END(%s), COUNT(*), SUM(v), %s FROM src GROUP BY k, %s" % (
            prefix, group_window[len(prefix) + 1:-1], prefix, group_window[len(prefix) + 1:-1], aggregates, group_window)
    return """SET 'python.files' = '%s';
SET 'python.fn-execution.arrow.batch.size' = '40';
CREATE TABLE src (k STRING, v BIGINT, ts TIMESTAMP(3),
                  WATERMARK FOR ts AS ts - INTERVAL '%s' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv'%s);
CREATE TABLE out (k STRING, ws TIMESTAMP(3), we TIMESTAMP(3), c BIGINT, s BIGINT, ps BIGINT, pm DOUBLE)
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
CREATE FUNCTION py_sum AS 'udfs_windows.py_sum' LANGUAGE PYTHON;
CREATE FUNCTION py_count AS 'udfs_windows.py_count' LANGUAGE PYTHON;
CREATE FUNCTION pd_mean AS 'udfs_windows.pd_mean' LANGUAGE PYTHON;
CREATE FUNCTION pd_sum_dies_once AS 'udfs_windows.pd_sum_dies_once' LANGUAGE PYTHON;
INSERT INTO out SELECT %s;
""" % (HERE, delay, source_options, select)


def insert_line(text):
    """The 1-based line of the job's INSERT (where the window and its aggregates are written)."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("INSERT"))


def environment(**extra):
    env = dict(os.environ, PYFN_PYTHON=PYTHON if os.path.exists(PYTHON) else os.environ.get("PYFN_PYTHON", "python3"))
    env.update(extra)
    return env


def run_job(folder, text, parallelism=1, env=None):
    path = os.path.join(folder, "job.sql")
    with open(path, "w") as f:
        f.write(text)
    return subprocess.run([locate_runner(), "run", path, "--parallelism", str(parallelism), "--show", "0"], cwd=folder,
                          env=env or environment(), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("parallelism", [1, 2])
@pytest.mark.parametrize("name", list(QUERIES))
def test_each_window_kind_gives_the_windows_plain_python_computes(tmp_path, name, parallelism):
    rows = make_rows()
    write_csv(tmp_path / "in.csv", rows)
    outcome = run_job(str(tmp_path), job_text(name), parallelism)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    kind = name.replace("group-", "")
    assert read_output(tmp_path / "out.csv") == reference(rows, kind, QUERIES[name][2])
    assert "late rows" not in outcome.stdout


def test_sorted_and_out_of_order_input_give_the_same_windows(tmp_path):
    rows = make_rows(seed=11)
    results = []
    for order, data in (("shuffled", rows), ("sorted", sorted(rows, key=lambda r: r[2]))):
        folder = tmp_path / order
        folder.mkdir()
        write_csv(folder / "in.csv", data)
        outcome = run_job(str(folder), job_text("group-session"), 2)
        assert outcome.returncode == 0, outcome.stdout + outcome.stderr
        results.append(read_output(folder / "out.csv"))
    assert results[0] == results[1]
    # key 'm''s two sessions were bridged by rows that came later: one session [100 s, 114 s).
    assert [key for key in results[0] if key[0] == "m"] == [("m", 100 * SECOND, 110 * SECOND)]


def test_late_rows_are_dropped_and_counted_in_the_summary(tmp_path):
    rows = [("a", i, i * SECOND) for i in range(30)]
    # Read after 29 s (watermark 26 s with the 3 s delay): [0 s, 10 s) has fired, so these two are late;
    # the row at 25 s still fits its open window [20 s, 30 s).
    rows += [("a", 1000, 2 * SECOND), ("a", 2000, 9 * SECOND), ("a", 100, 25 * SECOND)]
    write_csv(tmp_path / "in.csv", rows)
    outcome = run_job(str(tmp_path), job_text("tumble", delay="3"))
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "2 late rows dropped" in outcome.stdout
    assert read_output(tmp_path / "out.csv") == reference(rows[:30] + rows[-1:], "tumble", (10 * SECOND,))


def test_the_result_table_shows_window_bounds_as_timestamps(tmp_path):
    write_csv(tmp_path / "in.csv", [("a", 1, 1 * SECOND), ("a", 2, 12 * SECOND)])
    path = tmp_path / "job.sql"
    path.write_text(job_text("tumble"))
    outcome = subprocess.run([locate_runner(), "run", str(path), "--show", "5"], cwd=str(tmp_path), env=environment(),
                             capture_output=True, text=True, timeout=300)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "| a | 2026-01-01 10:00:10.000 | 2026-01-01 10:00:20.000 | 1 " in outcome.stdout, outcome.stdout


def test_a_worker_killed_mid_window_is_replaced_and_the_results_are_exact(tmp_path):
    rows = make_rows(count=300)
    write_csv(tmp_path / "in.csv", rows)
    marker = str(tmp_path / "died")
    text = job_text("tumble", aggregates="pd_sum_dies_once(v), pd_mean(v)")
    outcome = run_job(str(tmp_path), text, 2, env=environment(PYFN_TEST_DIE_ONCE=marker))
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert os.path.exists(marker)  # a worker did die
    assert read_output(tmp_path / "out.csv") == reference(rows, "tumble", (10 * SECOND,))


def test_a_growing_file_fires_windows_as_the_watermark_advances(tmp_path):
    rows = sorted(make_rows(count=400), key=lambda r: r[2])
    first, second = rows[:200], rows[200:]
    write_csv(tmp_path / "in.csv", first)
    path = os.path.join(str(tmp_path), "job.sql")
    with open(path, "w") as f:
        f.write(job_text("tumble", source_options=", 'source.monitor-interval' = '50ms'"))
    process = subprocess.Popen([locate_runner(), "run", path, "--parallelism", "2", "--show", "0"], cwd=str(tmp_path),
                               env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        size = (10 * SECOND,)

        def fired(rows_so_far):
            watermark = max(t for _, _, t in rows_so_far) - 5 * SECOND
            return {key: value for key, value in reference(rows_so_far, "tumble", size).items() if key[2] <= watermark}

        def wait_for(expected):
            deadline = time.time() + 120
            got = None
            while time.time() < deadline:
                if os.path.exists(tmp_path / "out.csv"):
                    got = read_output(tmp_path / "out.csv")
                    if len(got) >= len(expected):
                        break
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.2)
            assert got == expected

        wait_for(fired(first))
        with open(tmp_path / "in.csv", "a") as f:
            f.writelines("%s,%d,%s\n" % (k, v, timestamp_text(t)) for k, v, t in second)
        wait_for(fired(rows))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_python_aggregate_without_merge_in_a_session_window_is_refused_at_load(tmp_path):
    write_csv(tmp_path / "in.csv", make_rows(count=10))
    text = job_text("group-session", aggregates="py_count(v), pd_mean(v)")
    outcome = run_job(str(tmp_path), text)
    assert outcome.returncode != 0
    assert "job.sql:%d:" % insert_line(text) in outcome.stderr
    assert "the Python aggregate 'py_count' has no merge method, which a SESSION window needs" in outcome.stderr + outcome.stdout


def test_a_window_over_a_column_without_a_watermark_is_refused_at_load(tmp_path):
    write_csv(tmp_path / "in.csv", make_rows(count=10))
    text = job_text("tumble").replace(",\n                  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND", "")
    outcome = run_job(str(tmp_path), text)
    assert outcome.returncode != 0
    assert "job.sql:%d:" % insert_line(text) in outcome.stderr
    assert "the window reads 'ts' of 'src', which has no watermark" in outcome.stderr + outcome.stdout


# ---------------------------------------------------------------------------------- OVER windows

OVER_FRAMES = {
    "rows": ("ROWS BETWEEN 3 PRECEDING AND CURRENT ROW", lambda history, t: history[-4:]),
    "range": ("RANGE BETWEEN INTERVAL '4' SECOND PRECEDING AND CURRENT ROW",
              lambda history, t: [h for h in history if t - 4 * SECOND <= h[0] <= t]),
}


def over_reference(rows, frame):
    """{(key, time, value, arrival): (sum, py_sum, mean)}: each row's frame among its key's rows in time order
    (equal times in arrival order; a RANGE frame holds every row of the current time)."""
    pick = OVER_FRAMES[frame][1]
    by_key = {}
    for arrival, (k, v, t) in enumerate(rows):
        by_key.setdefault(k, []).append((t, arrival, v))
    out = {}
    for k, events in by_key.items():
        events.sort()
        for i, (t, arrival, v) in enumerate(events):
            history = events[:i + 1] if frame == "rows" else events
            values = [e[2] for e in pick(history, t)]
            out.setdefault((k, t, v), []).append((sum(values), sum(values), round(float(pd.Series(values).mean()), 6)))
    return {key: sorted(results) for key, results in out.items()}


def read_over_output(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, ts, v, total, py_total, mean = next(csv.reader([line]))
            out.setdefault((k, micros_of(ts), int(v)), []).append((int(total), int(py_total), round(float(mean), 6)))
    return {key: sorted(results) for key, results in out.items()}


@pytest.mark.parametrize("parallelism", [1, 2])
@pytest.mark.parametrize("frame", list(OVER_FRAMES))
def test_over_windows_give_each_row_the_aggregates_of_its_frame(tmp_path, frame, parallelism):
    rows = make_rows(count=400)
    write_csv(tmp_path / "in.csv", rows)
    window = "OVER (PARTITION BY k ORDER BY ts %s)" % OVER_FRAMES[frame][0]
    text = job_text("tumble").split("INSERT INTO")[0].replace(
        "CREATE TABLE out (k STRING, ws TIMESTAMP(3), we TIMESTAMP(3), c BIGINT, s BIGINT, ps BIGINT, pm DOUBLE)",
        "CREATE TABLE out (k STRING, ts TIMESTAMP(3), v BIGINT, s BIGINT, ps BIGINT, pm DOUBLE)")
    text += "INSERT INTO out SELECT k, ts, v, SUM(v) %s, py_sum(v) %s, pd_mean(v) %s FROM src;\n" % (window, window, window)
    outcome = run_job(str(tmp_path), text, parallelism)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "late rows" not in outcome.stdout
    assert read_over_output(tmp_path / "out.csv") == over_reference(rows, frame)


# ---------------------------------------------------------------------------------- processing time

PROCTIME_JOB = """SET 'python.files' = '%s';
CREATE TABLE src (k STRING, v BIGINT, ts TIMESTAMP(3), pt AS PROCTIME())
  WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv'%s);
CREATE TABLE out (k STRING, ws TIMESTAMP(3), we TIMESTAMP(3), c BIGINT, ps BIGINT)
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
CREATE FUNCTION py_sum AS 'udfs_windows.py_sum' LANGUAGE PYTHON;
INSERT INTO out SELECT k, TUMBLE_START(pt, INTERVAL '%s' SECOND), TUMBLE_END(pt, INTERVAL '%s' SECOND), COUNT(*), py_sum(v)
FROM src GROUP BY k, TUMBLE(pt, INTERVAL '%s' SECOND);
"""


def per_key_totals(path):
    totals = {}
    with open(path) as f:
        for line in f:
            k, _, _, count, total = next(csv.reader([line]))
            c, t = totals.get(k, (0, 0))
            totals[k] = (c + int(count), t + int(total))
    return totals


def expected_totals(rows):
    totals = {}
    for k, v, _ in rows:
        c, t = totals.get(k, (0, 0))
        totals[k] = (c + 1, t + v)
    return totals


def test_processing_time_windows_count_every_row_once(tmp_path):
    rows = make_rows(count=200)
    write_csv(tmp_path / "in.csv", rows)
    outcome = run_job(str(tmp_path), PROCTIME_JOB % (HERE, "", 3600, 3600, 3600), 2)
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert per_key_totals(tmp_path / "out.csv") == expected_totals(rows)


def test_processing_time_windows_of_a_quiet_growing_file_fire_by_the_clock(tmp_path):
    rows = make_rows(count=100)
    write_csv(tmp_path / "in.csv", rows)
    path = os.path.join(str(tmp_path), "job.sql")
    with open(path, "w") as f:
        f.write(PROCTIME_JOB % (HERE, ", 'source.monitor-interval' = '50ms'", 1, 1, 1))
    process = subprocess.Popen([locate_runner(), "run", path, "--show", "0"], cwd=str(tmp_path), env=environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # No row comes after these: their 1-second windows must fire by the clock alone.
        deadline = time.time() + 120
        while time.time() < deadline:
            if os.path.exists(tmp_path / "out.csv") and per_key_totals(tmp_path / "out.csv") == expected_totals(rows):
                break
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.2)
        assert per_key_totals(tmp_path / "out.csv") == expected_totals(rows)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
