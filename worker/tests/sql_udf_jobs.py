"""Helper of the end-to-end tests that run one small SQL job over a CSV file with the real `pyfn run` and a real
worker: scalar UDFs from one module, two BIGINT input columns (a = 0..n-1, b = 2a), the sink's rows as read back."""

import csv
import os
import subprocess

from table_api_support import locate_runner

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = os.path.join(os.path.dirname(os.path.dirname(HERE)), ".venv", "bin", "python")

JOB = '''SET 'python.files' = '{folder}';
SET 'python.execution-mode' = '{mode}';
CREATE TABLE src (a BIGINT, b BIGINT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE out ({columns}) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
{functions}
INSERT INTO out SELECT {select} FROM src;
'''


def run_udf_job(folder: str, mode: str, module: str, source: str, functions, columns: str, select: str,
                rows: int = 1000) -> list:
    """Writes `source` as `module`.py, registers each of `functions` (names in it), runs `INSERT INTO out
    (columns) SELECT select FROM src` over `rows` rows in `mode` ("process" or "thread"); the sink's rows (lists
    of strings) in input order. A failing run fails the test with the runner's stderr."""
    with open(os.path.join(folder, module + ".py"), "w") as f:
        f.write(source)
    with open(os.path.join(folder, "in.csv"), "w") as f:
        f.write("".join("%d,%d\n" % (i, 2 * i) for i in range(rows)))
    registrations = "\n".join("CREATE FUNCTION %s AS '%s.%s' LANGUAGE PYTHON;" % (name, module, name)
                              for name in functions)
    with open(os.path.join(folder, "job.sql"), "w") as f:
        f.write(JOB.format(folder=folder, mode=mode, columns=columns, functions=registrations, select=select))
    env = dict(os.environ, PYFN_PYTHON=PYTHON if os.path.exists(PYTHON) else os.environ.get("PYFN_PYTHON", "python3"))
    finished = subprocess.run([locate_runner(), "run", "job.sql"], cwd=folder, env=env, capture_output=True, text=True,
                              timeout=300)
    assert finished.returncode == 0, finished.stderr
    with open(os.path.join(folder, "out.csv"), newline="") as f:
        return [row for row in csv.reader(f) if row]  # the sink quotes "False 84", as Flink's csv format does
