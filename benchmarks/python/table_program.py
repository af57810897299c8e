"""table_program: the CDN log analysis as a Python program (examples/cdn/cdn_log_analysis.py, PyFlink 1.10's
Table API on pyfn.table) over 1,000,000 log lines, wall time from `python cdn_log_analysis.py` to its exit, beside
the same job as a SQL file (examples/cdn/cdn_log_analysis.sql) through `pyfn run`. Best of 3 each, interleaved;
both outputs are compared. Run by `benchmarks/run table_program`.

    PYFN_BENCH_ROWS   log lines (default 1,000,000)
    PYFN_RUNNER       the runner (default .build/release/pyfn)

The program's own overhead is measured directly too: the program runs the runner through a wrapper script that
notes when the runner starts and ends, so (runner start - program start) + (program end - runner end) is the time
spent outside the runner (Python start, imports, building and pickling the job, reading the status).

The last line is `table_program: python program S s, sql file T s`.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CDN = os.path.join(ROOT, "examples", "cdn")
RUNS = int(os.environ.get("PYFN_BENCH_RUNS", "3"))

WRAPPER = """#!/bin/sh
date +%s.%N >> "{marks}"
"{runner}" "$@"
status=$?
date +%s.%N >> "{marks}"
exit $status
"""


def timed(command, env=None, cwd=None) -> float:
    start = time.perf_counter()
    finished = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if finished.returncode != 0:
        sys.exit("table_program: %s failed:\n%s" % (" ".join(command), finished.stderr[-3000:]))
    return elapsed


def rows_of(database: str, table: str) -> list:
    with sqlite3.connect(database) as connection:
        return sorted(connection.execute("SELECT province, access_count, total_download, ROUND(download_speed, 6) "
                                         "FROM %s" % table).fetchall())


def main() -> None:
    rows = int(os.environ.get("PYFN_BENCH_ROWS", "1000000"))
    runner = os.environ.get("PYFN_RUNNER") or os.path.join(ROOT, ".build", "release", "pyfn")
    bench = os.path.join(tempfile.gettempdir(), "pyfn-bench-cdn")
    os.makedirs(bench, exist_ok=True)
    log = os.path.join(bench, "access_log_%d.csv" % rows)
    if not os.path.exists(log):
        print("generating %d log lines into %s" % (rows, log))
        subprocess.run([sys.executable, os.path.join(CDN, "generate_access_log.py"), log, "--rows", str(rows)],
                       check=True)
    job = os.path.join(bench, "table_program")
    shutil.rmtree(job, ignore_errors=True)
    os.makedirs(os.path.join(job, "data"))
    for name in ("cdn_log_analysis.sql", "cdn_udfs.py", "ip_ranges.csv"):
        shutil.copy(os.path.join(CDN, name), job)
    os.symlink(log, os.path.join(job, "data", "access_log.csv"))
    program_db = os.path.join(job, "program.db")
    marks = os.path.join(job, "runner_marks")
    wrapper = os.path.join(job, "pyfn")
    with open(wrapper, "w") as handle:
        handle.write(WRAPPER.format(marks=marks, runner=runner))
    os.chmod(wrapper, 0o755)
    program_env = dict(os.environ, PYFN_RUNNER=wrapper, CDN_ACCESS_LOG=log, CDN_JDBC_URL="jdbc:sqlite:" + program_db)
    program = [sys.executable, os.path.join(CDN, "cdn_log_analysis.py")]
    sql = [runner, "run", os.path.join(job, "cdn_log_analysis.sql"), "--set", "python.executable=" + sys.executable,
           "--log-level", "warning"]
    program_times, sql_times, overheads = [], [], []
    for _ in range(RUNS):
        for path in (program_db, os.path.join(job, "output", "cdn.db"), marks):
            if os.path.exists(path):
                os.remove(path)
        started = time.time()
        program_times.append(timed(program, env=program_env, cwd=CDN))
        ended = time.time()
        runner_start, runner_end = (float(line) for line in open(marks).read().split())
        overheads.append((runner_start - started) + (ended - runner_end))
        sql_times.append(timed(sql, cwd=job))
    if rows_of(program_db, "access_statistic") != rows_of(os.path.join(job, "output", "cdn.db"), "cdn_access_statistic"):
        sys.exit("table_program: the program and the SQL file wrote different statistics")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pyfn.table, pyfn.datastream"], check=True)
    imports = time.perf_counter() - start
    best_program, best_sql = min(program_times), min(sql_times)
    print("%d rows; python program runs %s s; sql file runs %s s" % (
        rows, ", ".join("%.2f" % t for t in program_times), ", ".join("%.2f" % t for t in sql_times)))
    print("program overhead outside the runner: %s s (best %.2f s); python start + import pyfn.table: %.2f s"
          % (", ".join("%.2f" % t for t in overheads), min(overheads), imports))
    print("table_program: python program %.2f s, sql file %.2f s" % (best_program, best_sql))


if __name__ == "__main__":
    main()
