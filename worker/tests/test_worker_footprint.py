"""What a worker running plain (non-Pandas) functions carries, as a user could check it from inside a function: a
SQL job run by the real `pyfn run` with a real worker, whose scalar UDF reports whether pandas is in the worker's
sys.modules and the worker's peak RSS (VmHWM) so far. Issue #19's target: no pandas, under 120 MB (84 MB measured
on CPython 3.11, `benchmarks/run job_overhead`)."""

import csv
import os
import subprocess

import pytest

from table_api_support import locate_runner

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = os.path.join(os.path.dirname(os.path.dirname(HERE)), ".venv", "bin", "python")
#: A process-mode worker that runs plain functions stays under this peak RSS (MB).
PEAK_LIMIT_MB = 120

UDFS = '''import sys

from pyfn import DataTypes, udf


@udf(result_type=DataTypes.BIGINT())
def add(a, b):
    return a + b


@udf(result_type=DataTypes.STRING())
def footprint(a):
    """"<pandas imported?> <peak RSS in MB>" of the process this function runs in."""
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return "%s %d" % ("pandas" in sys.modules, peak_kb // 1024)
'''

JOB = '''SET 'python.files' = '{folder}';
SET 'python.execution-mode' = '{mode}';
CREATE TABLE src (a BIGINT, b BIGINT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE out (s BIGINT, f STRING) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
CREATE FUNCTION add AS 'footprint_udfs.add' LANGUAGE PYTHON;
CREATE FUNCTION footprint AS 'footprint_udfs.footprint' LANGUAGE PYTHON;
INSERT INTO out SELECT add(a, b), footprint(a) FROM src;
'''


def run_footprint_job(folder, mode):
    """Runs the job over 1,000 rows in `mode`; the (sum, footprint) lines the sink wrote, in input order."""
    with open(os.path.join(folder, "footprint_udfs.py"), "w") as f:
        f.write(UDFS)
    with open(os.path.join(folder, "in.csv"), "w") as f:
        f.write("".join("%d,%d\n" % (i, 2 * i) for i in range(1000)))
    with open(os.path.join(folder, "job.sql"), "w") as f:
        f.write(JOB.format(folder=folder, mode=mode))
    env = dict(os.environ, PYFN_PYTHON=PYTHON if os.path.exists(PYTHON) else os.environ.get("PYFN_PYTHON", "python3"))
    finished = subprocess.run([locate_runner(), "run", "job.sql"], cwd=folder, env=env, capture_output=True, text=True,
                              timeout=300)
    assert finished.returncode == 0, finished.stderr
    with open(os.path.join(folder, "out.csv"), newline="") as f:
        return [row for row in csv.reader(f) if row]  # the sink quotes "False 84", as Flink's csv format does


@pytest.mark.parametrize("mode", ["process", "thread"])
def test_a_plain_function_runs_without_pandas_in_its_interpreter(tmp_path, mode):
    rows = run_footprint_job(str(tmp_path), mode)
    assert [int(row[0]) for row in rows] == [3 * i for i in range(1000)]
    assert {row[1].split()[0] for row in rows} == {"False"}


def test_a_process_worker_running_plain_functions_stays_under_its_memory_target(tmp_path):
    rows = run_footprint_job(str(tmp_path), "process")
    peak_mb = max(int(row[1].split()[1]) for row in rows)
    assert 0 < peak_mb < PEAK_LIMIT_MB, "the worker's peak RSS was %d MB" % peak_mb
