"""A worker started ahead of its job (`python -m pyfn.worker --await-boot`, which `pyfn run` starts while Python
describes the job's functions): the boot line it reads, a line that is not one, and what is left of it when the
job never needs it (a job that fails while it is planned: nothing, once the runner has exited)."""

import io
import os
import subprocess
import sys
import time

import pytest

from pyfn.worker import head_start
from table_api_support import locate_runner, runner, tagged_processes  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = os.path.join(os.path.dirname(os.path.dirname(HERE)), ".venv", "bin", "python")


def test_the_boot_line_gives_the_arguments_and_sets_the_environment(monkeypatch):
    monkeypatch.delenv("PYFN_TEST_HEAD_START", raising=False)
    line = '{"arguments": ["--id=w-1", "--provision_endpoint=127.0.0.1:1"], "environment": {"PYFN_TEST_HEAD_START": "s3cret"}}\n'
    assert head_start.await_boot(io.StringIO(line)) == ["--id=w-1", "--provision_endpoint=127.0.0.1:1"]
    assert os.environ["PYFN_TEST_HEAD_START"] == "s3cret"


def test_the_end_of_input_means_no_worker_is_needed():
    assert head_start.await_boot(io.StringIO("")) is None


@pytest.mark.parametrize("line", ['{"arguments": ["--id=w"]}\n', "not json\n", '{"arguments": [1], "environment": {}}\n'])
def test_a_line_that_is_not_a_boot_line_is_refused_saying_so(line):
    with pytest.raises(ValueError) as caught:
        head_start.await_boot(io.StringIO(line))
    assert caught.value.args[0].startswith("pyfn.worker --await-boot: ")


def test_a_waiting_worker_whose_input_ends_exits_quietly():
    finished = subprocess.run([sys.executable, "-m", "pyfn.worker", "--await-boot"], input="", capture_output=True,
                              text=True, timeout=60)
    assert (finished.returncode, finished.stdout) == (0, "")
    assert "Traceback" not in finished.stderr, finished.stderr


def test_a_job_that_fails_while_planned_leaves_no_worker_behind(tmp_path, runner):  # noqa: F811
    (tmp_path / "udfs_head.py").write_text(
        "from pyfn import DataTypes, udf\n\n\n@udf(result_type=DataTypes.BIGINT())\ndef add(a, b):\n    return a + b\n")
    (tmp_path / "job.sql").write_text(
        "SET 'python.files' = '%s';\n" % tmp_path
        + "CREATE TABLE src (a BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10');\n"
        + "CREATE TABLE sink (r BIGINT) WITH ('connector' = 'blackhole');\n"
        + "CREATE FUNCTION add AS 'udfs_head.add' LANGUAGE PYTHON;\n"
        + "INSERT INTO sink SELECT add(a, missing) FROM src;\n")
    env = dict(os.environ, PYFN_PYTHON=PYTHON if os.path.exists(PYTHON) else sys.executable)
    finished = subprocess.run([locate_runner(), "run", "job.sql"], cwd=str(tmp_path), env=env, capture_output=True,
                              text=True, timeout=120)
    assert finished.returncode == 2
    assert "job.sql:5:" in finished.stderr and "missing" in finished.stderr
    deadline = time.monotonic() + 10
    while tagged_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert tagged_processes() == []
