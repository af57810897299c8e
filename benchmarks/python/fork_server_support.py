"""Benchmarks that run jobs with `python.worker.fork-server`: waiting for the server a first job started, and stopping
the servers of a benchmark's own runtime folder (XDG_RUNTIME_DIR), so a benchmark neither uses nor leaves behind a
server of the user's."""
import os
import signal
import socket
import sys
import time

from pyfn.worker.fork_server import servers_under as fork_server_pids  # noqa: F401 - for the benchmarks


def await_fork_server(runtime, seconds=60):
    """Waits until a fork server under `runtime` listens, then a second for its imports (about 0.3 s) to finish."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        folder = os.path.join(runtime, "pyfn")
        sockets = [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".sock")] if os.path.isdir(folder) else []
        for path in sockets:
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(path)
                time.sleep(1.0)
                return
            except OSError:
                pass
            finally:
                probe.close()
        time.sleep(0.05)
    sys.exit("benchmark: no fork server answered under %s within %d s" % (runtime, seconds))


def stop_fork_servers(runtime):
    """Stops (SIGTERM) the fork servers whose socket is under `runtime`."""
    for pid in fork_server_pids(runtime):
        os.kill(pid, signal.SIGTERM)

