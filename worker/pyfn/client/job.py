"""A submitted job: the `pyfn submit` child process, its result batches (stdout) and its status (stderr).

The runner is never left behind: `close()` (also on leaving a `with` block, on garbage collection and at
interpreter exit) stops it with SIGTERM, then SIGKILL. Jobs marked `finish_at_exit` (INSERT jobs a program
started and never waited for, as PyFlink's mini-cluster would run them) are waited for at exit instead.
"""

from __future__ import annotations

import atexit
import collections
import subprocess
import sys
import threading
import weakref
from typing import Iterator, Optional

from pyfn.client.request import JobRequest
from pyfn.client.runner_binary import find_runner
from pyfn.client.status import JobStatus, parse_status_line
from pyfn.util.exceptions import JavaException, TableException

__all__ = ["RunningJob", "submit"]

_STOP_GRACE_SECONDS = 5.0
_LAST_LINES = 20
_live_jobs: "weakref.WeakSet[RunningJob]" = weakref.WeakSet()
_jobs_to_finish: set = set()  # strong references: a started INSERT runs on even when its result is dropped


class RunningJob:
    """One `pyfn submit` process. Read `batches()` (when the request collects), then `wait()` for the status."""

    def __init__(self, request: JobRequest, runner: Optional[str] = None, forward_stderr=None):
        self.request = request
        self.runner = runner or find_runner()
        self._finish_at_exit = False
        # A DataStream graph with a collect sink (execute_and_collect) streams its records on stdout too.
        self._collects = request.collect is not None or bool(request.extra.get("datastream", {}).get("collect"))
        self._forward = forward_stderr if forward_stderr is not None else sys.stderr
        self._last_lines = collections.deque(maxlen=_LAST_LINES)
        self._status: Optional[JobStatus] = None
        self._reader = None
        self._stdout_done = not self._collects
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            [self.runner, "submit"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE if self._collects else subprocess.DEVNULL, stderr=subprocess.PIPE,
            cwd=request.base_directory)
        _live_jobs.add(self)
        self._stderr_thread = threading.Thread(target=self._read_stderr, name="pyfn-runner-stderr", daemon=True)
        self._stderr_thread.start()
        try:
            self._process.stdin.write(request.encode())
            self._process.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the runner stopped before reading it all; its status (or exit) says why

    @property
    def finish_at_exit(self) -> bool:
        """Whether the program waits for this job at exit (and keeps it running when its handle is dropped)."""
        return self._finish_at_exit

    @finish_at_exit.setter
    def finish_at_exit(self, value: bool) -> None:
        self._finish_at_exit = bool(value)
        (_jobs_to_finish.add if value else _jobs_to_finish.discard)(self)

    # -- stderr: log lines forwarded, the status line kept -----------------------------------------------
    def _read_stderr(self) -> None:
        for raw in iter(self._process.stderr.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            status = parse_status_line(text)
            if status is not None:
                self._status = status
                continue
            self._last_lines.append(text)
            if self._forward is not False:
                try:
                    self._forward.write(text + "\n")
                    self._forward.flush()
                except (ValueError, OSError):
                    pass
        self._process.stderr.close()

    # -- results ---------------------------------------------------------------------------------------
    def _open_reader(self):
        if self._reader is None:
            import pyarrow as pa

            if not self._collects:
                raise TableException("this job collects no query; it has no result batches")
            try:
                self._reader = pa.ipc.open_stream(self._process.stdout)
            except (pa.ArrowInvalid, OSError) as error:
                self._stdout_done = True
                self.wait()  # raises the runner's error when it reported one
                raise TableException("the pyfn runner sent no result stream: %s" % error) from None
        return self._reader

    @property
    def schema(self):
        """The collected query's Arrow schema (waits for the runner to plan the job)."""
        return self._open_reader().schema

    def batches(self) -> Iterator:
        """The collected query's rows as pyarrow RecordBatches, as the runner produces them; after the last one
        the job's status is checked (a failed job raises here)."""
        reader = self._open_reader()
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except Exception as error:  # a cut stream: the runner failed or was stopped
                self._stdout_done = True
                self.wait()
                raise TableException("the result stream from the pyfn runner broke off: %s" % error) from None
            yield batch
        self._stdout_done = True
        self.wait()

    # -- the end ---------------------------------------------------------------------------------------
    def wait(self, timeout: Optional[float] = None) -> JobStatus:
        """Waits for the runner to exit; returns its status, or raises the job's error as a Python exception
        (ValidationException, JobExecutionException, TableException for a crash)."""
        try:
            if not self._stdout_done:
                self._drain_stdout()
            self._process.wait(timeout)
            self._stderr_thread.join()
            _jobs_to_finish.discard(self)
        except BaseException:  # interrupted (Ctrl-C, a timeout): the runner must not outlive the wait
            self.finish_at_exit = False
            self.close()
            raise
        _live_jobs.discard(self)
        status = self._status
        if status is None:
            tail = "\n".join(self._last_lines) or "(nothing)"
            code = self._process.returncode
            how = "was killed by signal %d" % -code if code < 0 else "exited with status %d" % code
            raise TableException("the pyfn runner (%s) %s without reporting a result; its last lines:\n%s"
                                 % (self.runner, how, tail))
        error = status.exception()
        if error is not None:
            raise error
        return status

    def _drain_stdout(self) -> None:
        self._stdout_done = True
        stream = self._process.stdout
        while stream is not None and stream.read(1 << 16):
            pass

    @property
    def status(self) -> Optional[JobStatus]:
        """The status once the runner reported it, else None."""
        return self._status

    def is_running(self) -> bool:
        """Whether the runner process is still alive."""
        return self._process.poll() is None

    @property
    def pid(self) -> int:
        """The runner's process id."""
        return self._process.pid

    def close(self) -> None:
        """Stops the runner if it still runs (SIGTERM, then SIGKILL after a grace period) and releases pipes."""
        with self._lock:
            process = self._process
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(_STOP_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout is not None:
                process.stdout.close()
            self._stderr_thread.join(_STOP_GRACE_SECONDS)
            _live_jobs.discard(self)
            _jobs_to_finish.discard(self)

    def __enter__(self) -> "RunningJob":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            if self._process.poll() is None:
                self.close()
        except Exception:
            pass


def submit(request: JobRequest, runner: Optional[str] = None, forward_stderr=None) -> RunningJob:
    """Starts `pyfn submit` with `request` and returns the running job (results and status come from it).

    `forward_stderr`: where the runner's log lines go (default the program's stderr; False drops them)."""
    return RunningJob(request, runner, forward_stderr)


@atexit.register
def _finish_jobs_at_exit() -> None:
    for job in list(_live_jobs) + [j for j in _jobs_to_finish if j not in _live_jobs]:
        if job.finish_at_exit:
            try:
                job.wait()
            except JavaException as error:
                print("pyfn: job %r failed: %s" % (job.request.name, error), file=sys.stderr)
        job.close()
