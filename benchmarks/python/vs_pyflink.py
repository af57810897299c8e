"""`benchmarks/run vs_pyflink`: the same SQL job files and UDF files (benchmarks/vs_pyflink/) on PyFn and on
PyFlink 2.3 in one run, each beside its floor (the UDF alone in a plain Python loop, vs_pyflink_floor.py).

Wall times are from process start to exit for both engines (`pyfn run JOB.sql`, and
`python pyflink_sql_job.py JOB.sql` for PyFlink, whose time includes its JVM's start, as a user sees it). PyFn's
times are the best of PYFN_BENCH_RUNS (default 3) runs, PyFlink's of PYFN_BENCH_PYFLINK_RUNS (default 1) runs.
PYFN_BENCH_JOBS (e.g. `scalar_add,cdn`) runs only those jobs; PYFN_BENCH_ROWS sets the CDN log's lines (1,000,000).
Peak RSS of each engine's Python worker is sampled from /proc. The PyFlink side needs PyFlink 2.3's venv
(PYFN_PYFLINK_PYTHON, or .venv-pyflink made by scripts/pyflink-venv.sh); without it that column is skipped
with a line saying so. The CDN job's results must be the same on both engines. The last line:
`vs_pyflink: geometric mean speedup S over K jobs, pyfn at F× the floor` (S: geometric mean of PyFlink's time
over PyFn's, parallelism 1; F: PyFn's summed time over the floors' summed time, the same jobs).
"""
import csv
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from fork_server_support import await_fork_server, fork_server_pids, stop_fork_servers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
JOBS_DIR = os.path.join(ROOT, "benchmarks", "vs_pyflink")
#: The runner: the release build (PYFN_BENCH_RUNNER overrides it, e.g. to try this script on a debug build).
PYFN = os.environ.get("PYFN_BENCH_RUNNER", os.path.join(ROOT, ".build", "release", "pyfn"))
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
CDN_ROWS = int(os.environ.get("PYFN_BENCH_ROWS", "1000000"))

#: (label, job file, rows, pyfn --parallelism): rows as written in the job file (the CDN log is generated).
JOBS = [
    ("scalar add", "scalar_add", 1_000_000, 1),
    ("string upper", "string_upper", 1_000_000, 1),
    ("Pandas add", "pandas_add", 1_000_000, 1),
    ("UDTF, 2 rows/input", "udtf_split", 1_000_000, 1),
    ("general UDAF", "udaf_sum", 500_000, 1),
    ("CDN job", "cdn", CDN_ROWS, 1),
    ("CDN job, parallelism 2", "cdn", CDN_ROWS, 2),
]


class PeakSampler(threading.Thread):
    """Samples VmHWM of a process tree's Python workers (every descendant whose program is python*)."""

    def __init__(self, root_pid, interval=0.02):
        super().__init__(daemon=True)
        self.root, self.interval, self.done = root_pid, interval, False
        self.worker_kb = 0

    def descendants(self):
        parents = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open("/proc/%s/stat" % name) as f:
                        stat = f.read()
                    parents.setdefault(int(stat[stat.rfind(")") + 2:].split()[1]), []).append(int(name))
                except OSError:
                    pass
        found, stack = [], [self.root]
        while stack:
            for child in parents.get(stack.pop(), []):
                found.append(child)
                stack.append(child)
        return found

    def run(self):
        while not self.done:
            for pid in self.descendants():
                try:
                    with open("/proc/%d/cmdline" % pid, "rb") as f:
                        command = f.read()
                    program = os.path.basename(command.split(b"\0", 1)[0])
                    if not program.startswith(b"python") or b"pyflink_sql_job" in command:
                        continue  # not a Python worker (PyFlink's JVM names flink-python jars), or the driver
                    with open("/proc/%d/status" % pid) as f:
                        for line in f:
                            if line.startswith("VmHWM"):
                                self.worker_kb = max(self.worker_kb, int(line.split()[1]))
                except OSError:
                    pass
            time.sleep(self.interval)


def timed(command, cwd, env=None):
    """(seconds from start to exit, worker peak RSS in MB, output) of one run; a failure ends the benchmark."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = PeakSampler(process.pid)
    sampler.start()
    output, _ = process.communicate()
    elapsed = time.perf_counter() - start
    sampler.done = True
    sampler.join()
    if process.returncode != 0:
        sys.exit("vs_pyflink: %s failed (exit %d):\n%s" % (" ".join(command), process.returncode, output[-3000:]))
    return elapsed, sampler.worker_kb / 1024, output


def job_folder(base, name, log_path):
    """A fresh copy of the job files in `base`/`name` (the CDN log linked in as data/access_log.csv)."""
    folder = os.path.join(base, name)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(JOBS_DIR, folder)
    os.makedirs(os.path.join(folder, "data"))
    os.symlink(log_path, os.path.join(folder, "data", "access_log.csv"))
    return folder


def udf_files(job, engine):
    """The python.files of a job for an engine: the CDN job's UDF file differs only in its import line."""
    if job != "cdn":
        return []
    if engine == "pyfn":
        return ["--set", "python.files=" + os.path.join(ROOT, "examples", "cdn", "cdn_udfs.py")]
    # PyFlink ships python.files as a copy of the file alone: the IP table's path comes as a job parameter.
    return ["--set", "python.files=" + os.path.join(ROOT, "examples", "pyflink", "cdn_udfs.py"),
            "--set", "pipeline.global-job-parameters=cdn.ip-ranges:" + os.path.join(ROOT, "examples", "cdn", "ip_ranges.csv")]


def csv_rows(path):
    """The rows of a CSV file, or of every part file in a folder (PyFlink writes a folder), sorted."""
    files = ([os.path.join(path, name) for name in sorted(os.listdir(path))  # not PyFlink's .staging_* folders
              if not name.startswith(".") and os.path.isfile(os.path.join(path, name))]
             if os.path.isdir(path) else [path])
    rows = []
    for name in files:
        with open(name, newline="", encoding="utf-8") as f:
            rows += [row for row in csv.reader(f) if row]
    return sorted(rows)


def check_same_result(pyfn_folder, pyflink_folder):
    """Exits when the CDN job's statistic differs between the engines (counts and sums exact, speeds to 1e-9)."""
    mine, theirs = csv_rows(os.path.join(pyfn_folder, "output", "cdn")), csv_rows(os.path.join(pyflink_folder, "output", "cdn"))
    same = len(mine) == len(theirs) and all(
        a[:3] == b[:3] and math.isclose(float(a[3]), float(b[3]), rel_tol=1e-9) for a, b in zip(mine, theirs))
    if not same:
        sys.exit("vs_pyflink: the CDN job's results differ: pyfn %r..., pyflink %r..." % (mine[:3], theirs[:3]))


def pyflink_python():
    """PyFlink's venv python, or None when there is none."""
    explicit = os.environ.get("PYFN_PYFLINK_PYTHON")
    if explicit:
        return explicit
    venv = os.environ.get("PYFN_PYFLINK_VENV", os.path.join(ROOT, ".venv-pyflink"))
    if os.path.exists(os.path.join(venv, ".pyflink-2.3.0-installed")):
        return os.path.join(venv, "bin", "python")
    return None


def best(runs, run):
    results = [run() for _ in range(runs)]
    return min(results, key=lambda r: r[0])


def main():
    base = tempfile.mkdtemp(prefix="pyfn-vs-pyflink-")
    log_path = os.path.join(tempfile.gettempdir(), "pyfn-bench-cdn", "access_log_%d.csv" % CDN_ROWS)
    if not os.path.exists(log_path):
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        subprocess.run([PYTHON, os.path.join(ROOT, "examples", "cdn", "generate_access_log.py"), log_path,
                        "--rows", str(CDN_ROWS)], check=True)
    flink_python = pyflink_python()
    if flink_python is None:
        print("vs_pyflink: PyFlink side skipped: no PyFlink 2.3 venv (make it with scripts/pyflink-venv.sh, or set "
              "PYFN_PYFLINK_PYTHON to its python)")
    runs = int(os.environ.get("PYFN_BENCH_RUNS", "3"))
    flink_runs = int(os.environ.get("PYFN_BENCH_PYFLINK_RUNS", "1"))
    env = dict(os.environ, PYFN_PYTHON=PYTHON)
    # PYFN_BENCH_FORK_SERVER=1: PyFn's jobs fork their Python from a warm fork server (python.worker.fork-server),
    # one of the benchmark's own (its own runtime folder), started by a run before the timed ones.
    fork_server = os.environ.get("PYFN_BENCH_FORK_SERVER") == "1"
    runtime = tempfile.mkdtemp(prefix="pyfn-fork-")
    if fork_server:
        env["XDG_RUNTIME_DIR"] = runtime
        print("vs_pyflink: PyFn's workers come from a warm fork server (python.worker.fork-server)")
    flink_env = dict(os.environ, PATH=os.path.dirname(flink_python or PYTHON) + os.pathsep + os.environ["PATH"])
    floors = {}
    rows_out = []
    print("%-24s %9s %9s %9s %9s %9s  %s" % ("job", "rows", "floor s", "pyfn s", "pyflink s", "speedup",
                                           "worker peak RSS pyfn / pyflink"))
    only = set(filter(None, os.environ.get("PYFN_BENCH_JOBS", "").split(",")))  # e.g. "scalar_add,cdn"
    for label, job, rows, parallelism in JOBS:
        if only and job not in only:
            continue
        if job not in floors:
            out = subprocess.run([PYTHON, os.path.join(HERE, "vs_pyflink_floor.py"), job, str(rows), log_path],
                                 check=True, capture_output=True, text=True).stdout
            floors[job] = float(out.split()[-1])
        floor = floors[job]
        pyfn_folder = folder = job_folder(base, "pyfn", log_path)
        command = [PYFN, "run", job + ".sql", "--parallelism", str(parallelism), "--quiet", "--show", "0",
                   "--no-metrics-summary"] + udf_files(job, "pyfn")
        if fork_server:
            command[2:2] = ["--set", "python.worker.fork-server=true"]
            if not fork_server_pids(runtime):
                timed(command, folder, env)
                await_fork_server(runtime)
        pyfn_s, pyfn_mb, _ = best(runs, lambda: timed(command, folder, env))
        flink_s = flink_mb = None
        if flink_python is not None:
            folder = job_folder(base, "pyflink", log_path)
            command = [flink_python, os.path.join(HERE, "pyflink_sql_job.py"), job + ".sql", "--parallelism",
                       str(parallelism)] + udf_files(job, "pyflink")
            flink_s, flink_mb, _ = best(flink_runs, lambda: timed(command, folder, flink_env))
            if job == "cdn":
                check_same_result(pyfn_folder, folder)
        rows_out.append((label, parallelism, floor, pyfn_s, flink_s))
        print("%-24s %9d %9.2f %9.2f %9s %9s  %.0f / %s MB" % (
            label, rows, floor, pyfn_s, "-" if flink_s is None else "%.2f" % flink_s,
            "-" if flink_s is None else "%.1f×" % (flink_s / pyfn_s), pyfn_mb,
            "-" if flink_mb is None else "%.0f" % flink_mb), flush=True)
    shutil.rmtree(base, ignore_errors=True)
    stop_fork_servers(runtime)
    single = [r for r in rows_out if r[1] == 1]
    ratio = sum(r[3] for r in single) / sum(r[2] for r in single)
    cdn = {r[1]: r[3] / r[2] for r in rows_out if r[0].startswith("CDN")}
    if cdn:
        print("CDN job vs its floor: parallelism 1 at %.2f×, parallelism 2 at %.2f×" % (cdn[1], cdn[2]))
    if flink_python is None:
        print("vs_pyflink: PyFlink skipped, %d jobs, pyfn at %.2f× the floor" % (len(single), ratio))
        return
    speedup = math.exp(sum(math.log(r[4] / r[3]) for r in single) / len(single))
    print("vs_pyflink: geometric mean speedup %.1f over %d jobs, pyfn at %.2f× the floor" % (speedup, len(single), ratio))


if __name__ == "__main__":
    main()
