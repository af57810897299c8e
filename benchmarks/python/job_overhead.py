"""`benchmarks/run job_overhead`: what a small job costs from start to exit — 1,000 generated rows through one
scalar Python UDF into a blackhole — in process mode and embedded (`python.execution-mode = thread`), beside the
interpreter starts any run pays for: a plain `python -c pass`, `python -c "import pyarrow, grpc"`, and the floors
(what a process-mode worker must import before it can take a row — grpc, pyarrow without numpy, the Fn API's
messages — and an embedded one: the same without grpc); both modes with `--no-head-start` (Python started when
the first operator opens, not while the job's functions are described); and both with a warm fork server
(`python.worker.fork-server`: workers, and the describing of functions, forked from an interpreter that imported
the harness before the job started; in embedded mode only the describing).

Each figure is the median of PYFN_BENCH_RUNS (default 5) runs: wall seconds from start to exit, CPU seconds (user +
system) of the whole process tree (runner, describing interpreter, worker), and for process mode the worker's peak
RSS (VmHWM, from a separate sampled run). The last line: `job_overhead: process P s, embedded E s; with a fork
server: process P2 s, embedded E2 s` (median wall seconds).
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from fork_server_support import await_fork_server, stop_fork_servers
from vs_pyflink import PYFN, PYTHON, PeakSampler

RUNS = int(os.environ.get("PYFN_BENCH_RUNS", "5"))
ROWS = 1000

UDF_FILE = '''from pyfn import DataTypes, udf


@udf(result_type=DataTypes.BIGINT())
def add(a, b):
    return a + b
'''

JOB_FILE = '''SET 'python.files' = 'udfs.py';
CREATE TABLE src (a BIGINT, b BIGINT) WITH (
    'connector' = 'datagen', 'number-of-rows' = '{rows}', 'rows-per-second' = '1000000000',
    'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '{rows}',
    'fields.b.kind' = 'random', 'fields.b.min' = '0', 'fields.b.max' = '1000000'
);
CREATE TABLE sink (r BIGINT) WITH ('connector' = 'blackhole');
CREATE TEMPORARY SYSTEM FUNCTION add AS 'udfs.add' LANGUAGE PYTHON;
INSERT INTO sink SELECT add(a, b) FROM src;
'''


#: pyarrow without numpy, then the Fn API's messages: what every worker imports (see the floor rows below).
FLOOR_IMPORTS = ("import sys; sys.modules['numpy'] = None; import pyarrow; del sys.modules['numpy']; "
                 "import pyfn.proto.beam.beam_fn_api_pb2")


def run_once(command, cwd, env, sample_memory=False):
    """(wall seconds, CPU seconds of the process tree, peak worker RSS in MB or 0) of one run; a failure ends the
    benchmark. Sampling memory walks /proc every 20 ms, a CPU cost of its own, so timed runs do not sample."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = PeakSampler(process.pid) if sample_memory else None
    if sampler:
        sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - start
    if sampler:
        sampler.done = True
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        sys.exit("job_overhead: %s failed (exit %d):\n%s" % (" ".join(command), process.returncode, output[-3000:]))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, sampler.worker_kb / 1024 if sampler else 0


def medians(command, cwd, env):
    """The median wall and CPU seconds of RUNS runs of `command`, after one run that fills the file cache and
    samples the worker's peak RSS (which is the same every run)."""
    _, _, worker_mb = run_once(command, cwd, env, sample_memory=True)
    runs = [run_once(command, cwd, env) for _ in range(RUNS)]
    return statistics.median(run[0] for run in runs), statistics.median(run[1] for run in runs), worker_mb


def main():
    folder = tempfile.mkdtemp(prefix="pyfn-job-overhead-")
    with open(os.path.join(folder, "udfs.py"), "w") as f:
        f.write(UDF_FILE)
    with open(os.path.join(folder, "job.sql"), "w") as f:
        f.write(JOB_FILE.format(rows=ROWS))
    # The release runner picks the venv's python from the PATH, as a user's activated venv would.
    env = dict(os.environ, PATH=os.path.dirname(PYTHON) + os.pathsep + os.environ.get("PATH", ""))
    print("job_overhead: %d rows through add(a, b) into a blackhole, median of %d runs (load average %s)"
          % (ROWS, RUNS, " ".join("%.2f" % x for x in os.getloadavg())))
    rows = [
        ("python -c pass", [PYTHON, "-c", "pass"]),
        ("python -c 'import pyarrow, grpc'", [PYTHON, "-c", "import pyarrow, grpc"]),
        # The floors: what a worker must import before its first bundle, pyarrow without numpy as a worker
        # imports it (numpy_deferral) — process mode gRPC and the Fn API's messages, embedded only the messages.
        ("floor, process worker", [PYTHON, "-c", FLOOR_IMPORTS + "; import grpc"]),
        ("floor, embedded", [PYTHON, "-c", FLOOR_IMPORTS]),
        ("pyfn run, process mode", [PYFN, "run", "job.sql"]),  # the worker's peak RSS is sampled here
        ("pyfn run, embedded", [PYFN, "run", "--set", "python.execution-mode=thread", "job.sql"]),
        ("process mode, --no-head-start", [PYFN, "run", "--no-head-start", "job.sql"]),
        ("embedded, --no-head-start", [PYFN, "run", "--no-head-start", "--set", "python.execution-mode=thread", "job.sql"]),
        # A fork server (python.worker.fork-server): the first run starts it, the timed runs fork from it. Its own
        # runtime folder, so the benchmark neither uses nor leaves behind a server of the user's.
        ("process mode, fork server", [PYFN, "run", "--set", "python.worker.fork-server=true", "job.sql"]),
        ("embedded, fork server", [PYFN, "run", "--set", "python.worker.fork-server=true",
                                   "--set", "python.execution-mode=thread", "job.sql"]),
    ]
    runtime = tempfile.mkdtemp(prefix="pyfn-fork-")
    env["XDG_RUNTIME_DIR"] = runtime
    walls = {}
    try:
        for label, command in rows:
            if "fork server" in label:
                run_once(command, folder, env)  # starts the server
                await_fork_server(runtime)
            wall, cpu, worker_mb = medians(command, folder, env)
            walls[label] = wall
            memory = ", worker peak RSS %.0f MB" % worker_mb if worker_mb and "process" in label else ""
            print("  %-36s %6.3f s wall  %6.3f s CPU%s" % (label, wall, cpu, memory))
    finally:
        stop_fork_servers(runtime)
    print("  (a fork server's children are not the runner's: their CPU is not in the fork-server rows)")
    print("job_overhead: process %.3f s, embedded %.3f s; with a fork server: process %.3f s, embedded %.3f s"
          % (walls["pyfn run, process mode"], walls["pyfn run, embedded"],
             walls["process mode, fork server"], walls["embedded, fork server"]))


if __name__ == "__main__":
    main()
