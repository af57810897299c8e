"""pyfn.client as a unit, against a stand-in for `pyfn submit` (a small script obeying docs/job-submission.md):
the request on stdin, batches from stdout, log lines forwarded, the status line turned into the exception the
program sees, crashes reported with the runner's last lines, and no runner left behind."""

import io
import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest

from pyfn.client import JobRequest, Statement, Location, find_runner, submit
from pyfn.util.exceptions import JobExecutionException, RunnerNotFoundException, TableException, ValidationException

FAKE_RUNNER = textwrap.dedent('''\
    #!{python}
    import json, os, sys, time
    import pyarrow as pa
    request = json.loads(sys.stdin.read())
    with open(os.environ["FAKE_RUNNER_SAW"], "w") as saw:
        json.dump(request, saw)
    behaviour = request["settings"].get("fake.behaviour", "ok")
    print("a log line", file=sys.stderr, flush=True)
    if behaviour == "crash":
        print("about to crash", file=sys.stderr, flush=True)
        os.abort()
    if behaviour == "sleep":
        time.sleep(600)
    if behaviour == "slow":
        time.sleep(1)
        open(os.environ["FAKE_RUNNER_SAW"] + ".done", "w").close()
    if request.get("collect"):
        schema = pa.schema([("n", pa.int64())])
        with pa.ipc.new_stream(sys.stdout.buffer, schema) as writer:
            for start in range(0, 30, 10):
                writer.write_batch(pa.record_batch([pa.array(range(start, start + 10))], schema=schema))
    sys.stdout.flush()
    if behaviour == "validation":
        status = {{"ok": False, "kind": "validation", "message": "unknown column 'x'", "file": "/p.py", "line": 7}}
    elif behaviour == "execution":
        status = {{"ok": False, "kind": "execution", "message": "udf 'f' raised ZeroDivisionError"}}
    else:
        status = {{"ok": True, "seconds": 0.5, "rows_in": 30, "rows_out": 30, "rows_skipped": 0}}
    print("PYFN-STATUS " + json.dumps(status), file=sys.stderr, flush=True)
    sys.exit(0 if status["ok"] else 1)
''')


@pytest.fixture
def fake_runner(tmp_path, monkeypatch):
    path = tmp_path / "pyfn"
    path.write_text(FAKE_RUNNER.format(python=sys.executable))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PYFN_RUNNER", str(path))
    monkeypatch.setenv("FAKE_RUNNER_SAW", str(tmp_path / "request.json"))
    return tmp_path


def request(behaviour="ok", collect=True) -> JobRequest:
    return JobRequest(name="t", settings={"fake.behaviour": behaviour},
                      statements=[Statement("CREATE TABLE t (n BIGINT) WITH ()", Location("/p.py", 3))],
                      collect=Statement("SELECT n FROM t", Location("/p.py", 4)) if collect else None)


def test_batches_come_back_and_the_request_is_the_contracts(fake_runner):
    log = io.StringIO()
    with submit(request(), forward_stderr=log) as job:
        numbers = [n for batch in job.batches() for n in batch.column(0).to_pylist()]
        assert job.status.ok and job.status.rows_out == 30
    assert numbers == list(range(30))
    assert log.getvalue() == "a log line\n"
    sent = json.load(open(fake_runner / "request.json"))
    assert sent["version"] == 1 and sent["settings"]["python.executable"] == sys.executable
    assert sent["statements"] == [{"sql": "CREATE TABLE t (n BIGINT) WITH ()", "location": {"file": "/p.py", "line": 3}}]
    assert sent["collect"]["location"] == {"file": "/p.py", "line": 4}


def test_a_failed_status_is_raised_with_the_runners_message_and_the_programs_line(fake_runner):
    job = submit(request("validation"), forward_stderr=False)
    with pytest.raises(ValidationException) as caught:
        list(job.batches())
    assert (caught.value.message, caught.value.file, caught.value.line) == ("unknown column 'x'", "/p.py", 7)
    assert str(caught.value) == "unknown column 'x'\n  at /p.py:7"
    with pytest.raises(JobExecutionException, match="udf 'f' raised ZeroDivisionError"):
        submit(request("execution", collect=False), forward_stderr=False).wait()


def test_a_crash_is_reported_with_the_exit_and_the_last_lines(fake_runner):
    job = submit(request("crash"), forward_stderr=False)
    with pytest.raises(TableException) as caught:
        list(job.batches())
    assert "was killed by signal 6 without reporting a result" in caught.value.message
    assert caught.value.message.endswith("a log line\nabout to crash")


def test_closing_stops_a_runner_that_still_runs(fake_runner):
    job = submit(request("sleep"), forward_stderr=False)
    assert job.is_running()
    job.close()
    assert not job.is_running()


def test_an_insert_whose_result_is_dropped_still_finishes_before_the_program_exits(fake_runner):
    program = ("from pyfn.client import JobRequest, submit\n"
               "submit(JobRequest(settings={'fake.behaviour': 'slow'}), forward_stderr=False).finish_at_exit = True\n"
               "import gc; gc.collect()\n")
    finished = subprocess.run([sys.executable, "-c", program], env=os.environ, timeout=60)
    assert finished.returncode == 0
    assert (fake_runner / "request.json.done").exists()


def test_no_runner_found_says_where_it_looked_and_how_to_fix_it(monkeypatch, tmp_path):
    monkeypatch.delenv("PYFN_RUNNER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(RunnerNotFoundException) as caught:
        find_runner()
    assert "scripts/setup.sh" in caught.value.message and "PYFN_RUNNER" in caught.value.message
    monkeypatch.setenv("PYFN_RUNNER", str(tmp_path / "nope"))
    with pytest.raises(RunnerNotFoundException, match="not an executable file"):
        find_runner()
