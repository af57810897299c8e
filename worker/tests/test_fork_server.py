"""The fork server (`python -m pyfn.worker fork-server`) over its socket, as a runner uses it: a describe request
runs in a forked child that gets the request's folder, environment (PYTHONPATH in sys.path) and descriptors, and its
exit status comes back; requests that are not valid are refused saying why; a folder others could enter is refused;
the server exits once idle. The runner's side (ForkServer.swift) is tested with real jobs in ForkServerTests."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from pyfn.worker import fork_server

UDF = "from pyfn import DataTypes, udf\n\n\n@udf(result_type=DataTypes.BIGINT())\ndef add(a, b):\n    return a + b\n"


@pytest.fixture
def server(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    path = str(folder / "fork.sock")
    # Started as the runner starts it: Swift's Process passes on a mask that blocks SIGCHLD and SIGTERM.
    process = subprocess.Popen([sys.executable, "-m", "pyfn.worker", "fork-server", "--socket", path, "--idle-seconds", "3"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=dict(os.environ, PYTHONUNBUFFERED="1"),
                               preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD, signal.SIGTERM}))
    deadline = time.monotonic() + 60
    while not os.path.exists(path):
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "the fork server did not listen within 60 s"
        time.sleep(0.05)
    yield path, process
    process.terminate()
    process.wait(timeout=30)


def ask(path, request, fds=None):
    """Sends `request` with a fresh pipe as the child's output and another as its errors; returns (the server's
    answers, the child's output, its errors)."""
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    line = (json.dumps(request) + "\n").encode() if isinstance(request, dict) else request
    socket.send_fds(connection, [line], [out_write, err_write] if fds is None else fds)
    os.close(out_write)
    os.close(err_write)
    answers = connection.makefile("r").read()
    connection.close()
    with os.fdopen(out_read) as out, os.fdopen(err_read) as err:
        return [json.loads(a) for a in answers.splitlines()], out.read(), err.read()


def describe_request(tmp_path, names, **extra):
    udfs = tmp_path / "udfs"
    udfs.mkdir(exist_ok=True)
    (udfs / "fork_udfs.py").write_text(UDF)
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(udfs), "PYFN_FORK_TEST": "yes"}
    request = {"module": "pyfn.describe", "arguments": ["--types-only", "fork_udfs"] + names,
               "environment": environment, "cwd": str(tmp_path), "watch_pid": os.getpid()}
    request.update(extra)
    return request


def test_a_describe_request_runs_in_a_child_with_the_requests_folder_and_pythonpath(server, tmp_path):
    path, _ = server
    answers, out, err = ask(path, describe_request(tmp_path, ["add"]))
    assert [list(a) for a in answers] == [["pid"], ["exit"]], answers
    assert answers[1]["exit"] == 0, err
    described = json.loads(out.strip())
    assert (described["name"], described["kind"], described["result_type"]) == ("add", "SCALAR", "BIGINT")


def test_a_childs_exit_is_reported_as_it_happens(server, tmp_path):
    path, _ = server
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    socket.send_fds(connection, [(json.dumps(describe_request(tmp_path, ["add"])) + "\n").encode()], [out_write, err_write])
    os.close(out_write)
    os.close(err_write)
    answers = connection.makefile("r")
    assert "pid" in json.loads(answers.readline())
    while os.read(out_read, 65536):
        pass
    ended = time.monotonic()
    assert json.loads(answers.readline()) == {"exit": 0}
    # The server hears SIGCHLD even from a parent that blocked it; else the exit waits for its select's timeout.
    assert time.monotonic() - ended < 0.5
    connection.close()
    os.close(out_read)
    os.close(err_read)


def test_a_failing_child_reports_its_status_and_its_errors(server, tmp_path):
    path, _ = server
    answers, out, err = ask(path, describe_request(tmp_path, ["missing"]))
    assert answers[1]["exit"] == 1 or "missing" in err, (answers, err)
    answers, _, err = ask(path, describe_request(tmp_path, [], arguments=["--types-only", "no_such_module_here"]))
    assert answers[1]["exit"] == 1
    assert "no_such_module_here" in err


@pytest.mark.parametrize("request_line, reason", [
    (b"not json\n", "Expecting value"),
    (b"[1, 2]\n", "the request must be a JSON object"),
    (json.dumps({"module": "os", "arguments": [], "environment": {}, "cwd": "/"}).encode() + b"\n",
     "the module must be one of pyfn.worker, pyfn.describe, not 'os'"),
    (json.dumps({"module": "pyfn.describe", "arguments": [1], "environment": {}, "cwd": "/"}).encode() + b"\n",
     "arguments must be a list of strings"),
])
def test_a_request_that_is_not_valid_is_refused_naming_what_is_wrong(server, request_line, reason):
    path, _ = server
    answers, out, _ = ask(path, request_line)
    assert len(answers) == 1 and reason in answers[0]["error"], answers
    assert out == ""


def test_a_request_without_its_descriptors_is_refused(server, tmp_path):
    path, _ = server
    answers, _, _ = ask(path, describe_request(tmp_path, ["add"]), fds=[])
    assert answers == [{"error": "a request carries two file descriptors (output, errors), this one 0"}]


def test_a_folder_that_others_can_enter_is_refused(tmp_path):
    folder = tmp_path / "open"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    finished = subprocess.run([sys.executable, "-m", "pyfn.worker", "fork-server", "--socket", str(folder / "s.sock")],
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert "only it can enter (mode 0700)" in finished.stderr
    assert not (folder / "s.sock").exists()


def test_a_second_server_at_the_same_socket_leaves_the_first_serving(server):
    path, _ = server
    finished = subprocess.run([sys.executable, "-m", "pyfn.worker", "fork-server", "--socket", path],
                              capture_output=True, text=True, timeout=60)
    assert "another server already answers at" in finished.stderr
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.connect(path)
    probe.close()


def test_an_idle_server_exits_and_takes_its_socket_away(server):
    path, process = server
    assert process.wait(timeout=30) == 0
    assert not os.path.exists(path)


def test_a_changed_harness_file_makes_the_server_stale(tmp_path):
    source = tmp_path / "watched.py"
    source.write_text("x = 1\n")
    stamps = {str(source): os.stat(source).st_mtime}
    assert not fork_server.is_stale(stamps)
    os.utime(source, (time.time() + 5, time.time() + 5))
    assert fork_server.is_stale(stamps)
    source.unlink()
    assert fork_server.is_stale(stamps)


# ------------------------------------------------------------------------- with the runner (`pyfn run`)

FORKED_UDF = '''import os

from pyfn import DataTypes, udf

# Who imported this module: the describing (while the job is planned) and the worker, each in its own process.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "importers.txt"), "a") as log:
    log.write("%d %d\\n" % (os.getpid(), os.getppid()))


@udf(result_type=DataTypes.BIGINT())
def add_parent(a):
    return a * 1000 + (os.getppid() % 1000)
'''

FORKED_JOB = '''SET 'python.files' = '{folder}';
SET 'python.worker.fork-server' = 'true';
SET 'python.worker.fork-server.idle-timeout' = '60 s';
CREATE TABLE src (a BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '5', 'fields.a.kind' = 'sequence',
    'fields.a.start' = '1', 'fields.a.end' = '5');
CREATE TABLE out (r BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
CREATE FUNCTION add_parent AS 'forked_udfs.add_parent' LANGUAGE PYTHON;
INSERT INTO out SELECT add_parent(a) FROM src;
'''


@pytest.mark.one_version  # its jobs' Python is the project's .venv whatever runs pytest
def test_a_job_with_the_fork_server_on_starts_one_and_the_next_job_forks_its_python_from_it(tmp_path):
    from table_api_support import locate_runner

    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    udfs = tmp_path / "udfs"
    udfs.mkdir()
    (udfs / "forked_udfs.py").write_text(FORKED_UDF)
    (tmp_path / "job.sql").write_text(FORKED_JOB.format(folder=udfs))
    venv_python = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                               ".venv", "bin", "python")
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime),
               PYFN_PYTHON=venv_python if os.path.exists(venv_python) else sys.executable)
    try:
        first = subprocess.run([locate_runner(), "run", "job.sql"], cwd=str(tmp_path), env=env, capture_output=True,
                               text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        deadline = time.monotonic() + 60
        while not fork_server.servers_under(str(runtime)) or not os.path.exists(runtime / "pyfn"):
            assert time.monotonic() < deadline, "the first job started no fork server"
            time.sleep(0.1)
        [server_pid] = fork_server.servers_under(str(runtime))
        assert oct(os.stat(runtime / "pyfn").st_mode & 0o777) == "0o700"
        sockets = [name for name in os.listdir(runtime / "pyfn") if name.endswith(".sock")]
        while not sockets and time.monotonic() < deadline:
            time.sleep(0.1)
            sockets = [name for name in os.listdir(runtime / "pyfn") if name.endswith(".sock")]
        assert len(sockets) == 1, os.listdir(runtime / "pyfn")
        first_importers = (udfs / "importers.txt").read_text().split("\n")
        (tmp_path / "out.csv").unlink()

        second = subprocess.run([locate_runner(), "run", "job.sql"], cwd=str(tmp_path), env=env, capture_output=True,
                                text=True, timeout=120)
        assert second.returncode == 0, second.stderr
        rows = sorted(int(line) for line in (tmp_path / "out.csv").read_text().split())
        assert [row // 1000 for row in rows] == [1, 2, 3, 4, 5]
        assert {row % 1000 for row in rows} == {server_pid % 1000}, (rows, server_pid)
        importers = [line.split() for line in (udfs / "importers.txt").read_text().split("\n")[len(first_importers) - 1:] if line]
        # The describing and the worker: two children of the server, and neither is the server itself.
        assert len(importers) == 2 and all(int(parent) == server_pid for _, parent in importers), (importers, server_pid)
        assert all(int(parent) != server_pid for _, parent in (line.split() for line in first_importers if line))
    finally:
        for pid in fork_server.servers_under(str(runtime)):
            os.kill(pid, signal.SIGTERM)


@pytest.mark.skipif(os.getuid() != 0, reason="needs to become another user")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")  # the child only connects
def test_another_user_cannot_reach_the_server(server):
    path, _ = server
    pid = os.fork()
    if pid == 0:
        try:
            os.setuid(65534)
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            probe.connect(path)
            os._exit(3)  # it connected: a failure
        except PermissionError:
            os._exit(0)
        except BaseException:
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_stale_server_refuses_saying_so_and_takes_its_socket_away(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    path = str(folder / "stale.sock")
    watched = tmp_path / "harness_module.py"
    watched.write_text("x = 1\n")
    server = fork_server.ForkServer(fork_server.listen(path), path, idle_seconds=60)
    server.stamps = {str(watched): os.stat(watched).st_mtime}
    os.utime(watched, (time.time() + 5, time.time() + 5))  # the harness changed since the server imported it
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(path)
    out_read, out_write = os.pipe()
    socket.send_fds(client, [(json.dumps(describe_request(tmp_path, ["add"])) + "\n").encode()], [out_write, out_write])
    os.close(out_write)
    server.accept()
    assert json.loads(client.makefile("r").readline()) == {"error": "stale"}
    assert not server.serving and not os.path.exists(path)
    assert server.children == {}
    client.close()
    os.close(out_read)
