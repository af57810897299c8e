"""`python -m pyfn.worker fork-server --socket PATH`: a warm interpreter that forks workers for runners.

A worker's first bundle waits for its interpreter's start and imports (pyarrow, grpc, protobuf, the harness: about
0.2 s of CPU, most of a small job's time; see `benchmarks/run job_overhead`). The fork server pays that once: it
imports what a worker and `pyfn.describe` need, then listens on a Unix socket and, per request, forks a child that
is already past those imports. Runners opt in with `python.worker.fork-server` (ForkServer.swift); the first job
starts the server and later jobs use it, until it has been idle for `--idle-seconds`.

Who may ask: the socket lives in a folder only this user can enter (made 0700 by the runner, checked here) and every
connection's peer must run as this user (SO_PEERCRED) — the same people who could start the interpreter anyway.
The worker's secret travels in the request's environment, never on a command line.

The protocol, one request per connection:
- the runner sends one JSON line, `{"module": "pyfn.worker" | "pyfn.describe", "arguments": [...],
  "environment": {...}, "cwd": "...", "watch_pid": N}`, with two file descriptors attached (SCM_RIGHTS): the
  child's standard output and standard error;
- the server forks and answers `{"pid": P}` (or `{"error": "..."}` and closes: then nothing was started);
- when the child exits the server sends `{"exit": S}` (S as a process's exit status, or the number of the signal
  that ended it) and closes the connection.

The child gets the request's environment (and PYTHONPATH's entries in sys.path, as an interpreter started with it
would have them), its working folder, `sys.argv`, and runs the module's `main` as `python -m module` would. A worker
child watches `watch_pid` (the runner) instead of its parent. The server itself never runs a user's code, and
starts no thread (forking a process with threads is unsafe): one `select` loop serves the socket and reaps
children. It exits when it was idle (no connection, no child) for `--idle-seconds`, or when a harness source file
changed since it imported it (it then refuses requests with "stale", and the runner starts one that is current).
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import signal
import socket
import stat
import sys
import time
from typing import Dict, List, Optional

#: The modules a request may run.
MODULES = ("pyfn.worker", "pyfn.describe")
#: Most bytes a request line may have.
MAX_REQUEST_BYTES = 1 << 20
#: Seconds without connections and children after which the server exits, unless --idle-seconds says otherwise.
DEFAULT_IDLE_SECONDS = 600.0


def check_folder(path: str) -> None:
    """Refuses to serve from a folder that others could enter or that is not this user's."""
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise SystemExit("pyfn fork server: %s must be a folder of this user's that only it can enter (mode 0700)" % path)


def peer_uid(connection: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket."""
    import struct

    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", credentials)[2]


def source_stamps() -> Dict[str, float]:
    """Modification times of the loaded harness modules' files (pyfn's own), to notice an upgrade or an edit."""
    stamps = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and getattr(module, "__name__", "").startswith("pyfn"):
            try:
                stamps[path] = os.stat(path).st_mtime
            except OSError:
                pass
    return stamps


def is_stale(stamps: Dict[str, float]) -> bool:
    for path, mtime in stamps.items():
        try:
            if os.stat(path).st_mtime != mtime:
                return True
        except OSError:
            return True
    return False


def prepare() -> None:
    """Imports what a worker (head_start's list) and `pyfn.describe` need before they run."""
    from pyfn.worker import head_start

    head_start.prepare()
    import pyfn.describe  # noqa: F401 - imported for its cost
    import runpy  # noqa: F401


def read_request(connection: socket.socket):
    """(request dict, [stdout fd, stderr fd]) from a connection; raises ValueError naming what is wrong."""
    data, fds = b"", []
    while not data.endswith(b"\n"):
        chunk, received, _, _ = socket.recv_fds(connection, 65536, 2)
        fds += received
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            break
    try:
        if not data.endswith(b"\n"):
            raise ValueError("the request is not one line of at most %d bytes" % MAX_REQUEST_BYTES)
        if len(fds) != 2:
            raise ValueError("a request carries two file descriptors (output, errors), this one %d" % len(fds))
        request = json.loads(data)
        if not isinstance(request, dict):
            raise ValueError("the request must be a JSON object")
        if request.get("module") not in MODULES:
            raise ValueError("the module must be one of %s, not %r" % (", ".join(MODULES), request.get("module")))
        arguments, environment = request.get("arguments"), request.get("environment")
        if not isinstance(arguments, list) or not all(isinstance(a, str) for a in arguments):
            raise ValueError("arguments must be a list of strings")
        if not isinstance(environment, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in environment.items()):
            raise ValueError("environment must map strings to strings")
        if not isinstance(request.get("cwd"), str) or not isinstance(request.get("watch_pid", 0), int):
            raise ValueError("cwd must be a string and watch_pid a number")
    except ValueError:
        for fd in fds:
            os.close(fd)
        raise
    return request, fds


def become_child(request: dict, output: int, errors: int, startup_pythonpath: List[str]) -> None:
    """In the forked child: takes the request's descriptors, folder, environment and arguments, runs the module's
    main, and exits; never returns into the server's loop."""
    status = 1
    try:
        os.dup2(output, 1)
        os.dup2(errors, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd in (output, errors, null):
            if fd > 2:
                os.close(fd)
        for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["environment"])
        from pyfn.worker.__main__ import GRPC_EXPERIMENTS
        from pyfn.worker.thread_limits import limit_library_threads

        os.environ.setdefault("GRPC_EXPERIMENTS", GRPC_EXPERIMENTS)  # as `python -m pyfn.worker` sets them
        limit_library_threads()
        # sys.path as `python -m` started here with this PYTHONPATH would have it: the folder, PYTHONPATH, the rest.
        rest = [p for p in sys.path[1:] if p not in startup_pythonpath]
        wanted = [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[:] = [os.getcwd()] + wanted + rest
        import importlib

        importlib.invalidate_caches()
        module = request["module"]
        sys.argv = [module] + list(request["arguments"])
        if module == "pyfn.worker":
            from pyfn.worker import boot

            status = boot.main(list(request["arguments"]), watch_pid=int(request.get("watch_pid") or 0))
        else:
            from pyfn import describe

            status = describe.main(list(request["arguments"]))
    except SystemExit as exit_request:
        code = exit_request.code
        status = code if isinstance(code, int) else (0 if code is None else 1)
        if not isinstance(code, int) and code is not None:
            print(code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - the child's failure is reported on its stderr, as an interpreter would
        import traceback

        traceback.print_exc()
        status = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status if isinstance(status, int) else 1)


def exit_status(wait_status: int) -> int:
    """A wait status as a process's exit status, or the number of the signal that ended it (as Foundation's
    Process reports both)."""
    code = os.waitstatus_to_exitcode(wait_status)
    return -code if code < 0 else code


class ForkServer:
    """The select loop: accepts requests on `listener`, forks children, reports their exits."""

    def __init__(self, listener: socket.socket, path: str, idle_seconds: float):
        self.listener = listener
        self.path = path
        self.idle_seconds = idle_seconds
        self.children: Dict[int, Optional[socket.socket]] = {}
        self.stamps = source_stamps()
        self.startup_pythonpath = [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        self.serving = True
        self.inode = os.stat(path).st_ino  # the socket file's, to leave a newer server's file alone
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_write, False)
        self.selector = selectors.DefaultSelector()

    def run(self) -> None:
        # A parent that blocks signals in its threads (Swift's Process does) passes its mask on: a blocked SIGCHLD
        # would leave every exit unreported until select's timeout (measured: 1 s for a 25 ms child).
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT})
        signal.set_wakeup_fd(self.wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: self.stop_listening())
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self.wake_read, selectors.EVENT_READ, "wake")
        idle_since = time.monotonic()
        while self.serving or self.children:
            for key, _ in self.selector.select(timeout=1.0):
                if key.data == "accept":
                    self.accept()
                else:
                    try:
                        os.read(self.wake_read, 4096)
                    except BlockingIOError:
                        pass
            self.reap()
            if self.children:
                idle_since = time.monotonic()
            elif self.serving and time.monotonic() - idle_since > self.idle_seconds:
                self.stop_listening()

    def stop_listening(self) -> None:
        """Takes the socket away so that runners start another server; children still running are reaped first."""
        if not self.serving:
            return
        self.serving = False
        try:
            if os.stat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        except OSError:
            pass
        try:
            self.selector.unregister(self.listener)
        except (KeyError, ValueError):
            pass
        self.listener.close()

    def accept(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        try:
            if peer_uid(connection) != os.getuid():
                connection.close()
                return
            connection.settimeout(5.0)
            request, fds = read_request(connection)
        except (OSError, ValueError) as error:
            self.answer(connection, {"error": str(error)})
            connection.close()
            return
        if is_stale(self.stamps):
            for fd in fds:
                os.close(fd)
            self.answer(connection, {"error": "stale"})
            connection.close()
            self.stop_listening()
            return
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            self.selector.close()
            for fd in (self.wake_read, self.wake_write):
                os.close(fd)
            self.listener.close()
            for other in self.children.values():
                if other is not None:
                    other.close()
            connection.close()
            become_child(request, fds[0], fds[1], self.startup_pythonpath)
        for fd in fds:
            os.close(fd)
        if self.answer(connection, {"pid": pid}):
            self.children[pid] = connection
        else:
            # The runner gave up waiting (or is gone) and starts its worker another way: this one must not run.
            os.kill(pid, signal.SIGKILL)
            self.children[pid] = None
            connection.close()

    @staticmethod
    def answer(connection: socket.socket, message: dict) -> bool:
        try:
            connection.sendall(json.dumps(message).encode() + b"\n")
            return True
        except OSError:
            return False

    def reap(self) -> None:
        while self.children:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            connection = self.children.pop(pid, None)
            if connection is not None:
                self.answer(connection, {"exit": exit_status(wait_status)})
                connection.close()


def servers_under(folder: str) -> List[int]:
    """Pids of the running fork servers whose socket is under `folder` (from /proc: their command lines)."""
    prefix = os.fsencode(os.path.abspath(folder))
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                command = handle.read().split(b"\0")
        except OSError:
            continue
        if b"fork-server" in command and any(part.startswith(prefix) for part in command):
            pids.append(int(entry))
    return pids


def listen(path: str) -> socket.socket:
    """A listening socket at `path`, replacing a stale socket file nobody answers on; SystemExit when another server
    already answers there."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        raise SystemExit("pyfn fork server: another server already answers at %s" % path)
    except (FileNotFoundError, ConnectionRefusedError):
        pass
    finally:
        probe.close()
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(old_mask)
    listener.listen(64)
    return listener


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pyfn.worker fork-server",
                                     description="A warm interpreter that forks PyFn workers for runners of this user.")
    parser.add_argument("--socket", required=True, help="the Unix socket to listen on, in a folder of mode 0700")
    parser.add_argument("--idle-seconds", type=float, default=DEFAULT_IDLE_SECONDS,
                        help="exit after this long without connections and children")
    args = parser.parse_args(argv)
    check_folder(os.path.dirname(os.path.abspath(args.socket)))
    # Not in the runner's process group, so a Ctrl-C meant for a job does not end the server. Swift's Process
    # already makes its children leaders of their own process group, where setsid is refused (and not needed).
    if os.getpgrp() != os.getpid():
        os.setsid()
    # The lock makes concurrent starts (two runners at once) end with one server: the second finds the first and
    # exits before it imports anything. Requests that come while this one imports wait in the listen backlog.
    import fcntl

    lock = os.open(args.socket + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        listener = listen(args.socket)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    prepare()
    ForkServer(listener, args.socket, args.idle_seconds).run()
    return 0
