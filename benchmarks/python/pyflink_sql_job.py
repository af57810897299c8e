"""Runs one SQL job file on PyFlink 2.3 the way `pyfn run JOB.sql` runs it on PyFn; for `benchmarks/run vs_pyflink`.

    PYFLINK_PYTHON pyflink_sql_job.py JOB.sql [--parallelism N] [--set key=value ...]

Statements are split at `;` outside quotes, `--` comments dropped; `SET 'k' = 'v'` goes to the table config
(`--set` wins), everything else to `execute_sql`, and an INSERT is waited for. As in PyFn, a relative `'path'`
and `python.files` are relative to the job file's folder, and `python.files` is also put on this process's
sys.path (PyFlink instantiates `CREATE FUNCTION ... LANGUAGE PYTHON` functions in the driver). The Python worker
runs as its own process (PyFlink's process mode as on a TaskManager, not the loopback thread of a local run),
with this interpreter. Prints `pyflink_seconds T` (execute through wait of the INSERT) at the end.
"""
import argparse
import os
import re
import sys
import time


def statements(text):
    """The statements of a job file: split at `;` outside single quotes, `--` comments removed."""
    out, current, quoted, i = [], [], False, 0
    while i < len(text):
        c = text[i]
        if not quoted and text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        if c == "'":
            quoted = not quoted
        if c == ";" and not quoted:
            out.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    out.append("".join(current).strip())
    return [s for s in out if s]


SET = re.compile(r"^SET\s+'([^']+)'\s*=\s*'([^']*)'$", re.IGNORECASE | re.DOTALL)
PATH_OPTION = re.compile(r"('path'\s*=\s*')([^']+)(')")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("job")
    parser.add_argument("--parallelism", type=int, default=1)
    parser.add_argument("--set", dest="settings", action="append", default=[])
    args = parser.parse_args()
    folder = os.path.dirname(os.path.abspath(args.job))
    with open(args.job, encoding="utf-8") as f:
        parts = statements(f.read())
    settings = {m.group(1): m.group(2) for m in map(SET.match, parts) if m}
    settings.update(s.split("=", 1) for s in args.settings)
    files = [os.path.join(folder, p.strip()) for p in settings.pop("python.files", "").split(",") if p.strip()]
    for path in files:
        sys.path.insert(0, path if os.path.isdir(path) else os.path.dirname(path))

    os.environ["_python_worker_execution_mode"] = "process"
    from pyflink.table import EnvironmentSettings, TableEnvironment

    streaming = settings.pop("execution.runtime-mode", "batch").lower() == "streaming"
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode() if streaming
                                  else EnvironmentSettings.in_batch_mode())
    config = env.get_config()
    config.set("parallelism.default", str(args.parallelism))
    config.set("python.executable", sys.executable)
    config.set("python.client.executable", sys.executable)
    if files:
        config.set("python.files", ",".join(files))
    for key, value in settings.items():
        config.set(key, value)
    seconds = 0.0
    for statement in parts:
        if SET.match(statement):
            continue
        statement = PATH_OPTION.sub(lambda m: m.group(1) + os.path.join(folder, m.group(2)) + m.group(3), statement)
        start = time.perf_counter()
        result = env.execute_sql(statement)
        if statement.upper().startswith("INSERT"):
            result.wait()
            seconds += time.perf_counter() - start
    print("pyflink_seconds %.3f" % seconds, flush=True)


if __name__ == "__main__":
    main()
