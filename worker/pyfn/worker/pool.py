"""`python -m pyfn.worker pool --port N`: a long-running worker pool (external mode).

It serves Beam's BeamFnExternalWorkerPool: `StartWorker` starts a harness (`python -m pyfn.worker`) that dials the
runner's endpoints named in the request, under the runner's worker id; `StopWorker` stops it (SIGTERM, then
SIGKILL after a grace period). The pool runs until it is interrupted, and stops its harnesses when it goes.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import threading
from concurrent import futures
from typing import Dict, List, Optional

import grpc

from pyfn.proto.beam import beam_fn_api_pb2, beam_fn_api_pb2_grpc

_log = logging.getLogger(__name__)

#: Seconds a stopped harness gets to exit before it is killed.
STOP_GRACE_SECONDS = 5.0


class WorkerPool(beam_fn_api_pb2_grpc.BeamFnExternalWorkerPoolServicer):
    """Starts and stops harness processes on request."""

    def __init__(self, python: str = sys.executable):
        self._python = python
        self._lock = threading.Lock()
        self._workers: Dict[str, subprocess.Popen] = {}

    def StartWorker(self, request, context):
        worker_id = request.worker_id
        if not worker_id or not request.provision_endpoint.url:
            return beam_fn_api_pb2.StartWorkerResponse(error="StartWorker needs a worker_id and a provision endpoint")
        command = [self._python, "-m", "pyfn.worker", "--id=%s" % worker_id,
                   "--provision_endpoint=%s" % request.provision_endpoint.url]
        for flag, endpoint in (("--control_endpoint", request.control_endpoint),
                               ("--logging_endpoint", request.logging_endpoint)):
            if endpoint.url:
                command.append("%s=%s" % (flag, endpoint.url))
        with self._lock:
            running = self._workers.get(worker_id)
            if running is not None and running.poll() is None:
                return beam_fn_api_pb2.StartWorkerResponse(error="worker %s is already running" % worker_id)
            try:
                self._workers[worker_id] = subprocess.Popen(command, stdin=subprocess.DEVNULL)
            except OSError as error:
                return beam_fn_api_pb2.StartWorkerResponse(error="cannot start %s: %s" % (self._python, error))
        _log.info("started worker %s for %s", worker_id, request.provision_endpoint.url)
        return beam_fn_api_pb2.StartWorkerResponse()

    def StopWorker(self, request, context):
        with self._lock:
            process = self._workers.pop(request.worker_id, None)
        if process is None:
            return beam_fn_api_pb2.StopWorkerResponse(error="no worker %s in this pool" % request.worker_id)
        _stop(process)
        return beam_fn_api_pb2.StopWorkerResponse()

    def stop_all(self) -> None:
        """Stops every harness the pool started."""
        with self._lock:
            processes = list(self._workers.values())
            self._workers.clear()
        for process in processes:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pyfn.worker pool",
                                     description="Serve Beam's BeamFnExternalWorkerPool: start pyfn harnesses on request.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="pyfn.worker.pool %(levelname)s: %(message)s")
    pool = WorkerPool()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    beam_fn_api_pb2_grpc.add_BeamFnExternalWorkerPoolServicer_to_server(pool, server)
    port = server.add_insecure_port("%s:%d" % (args.host, args.port))
    if port == 0:
        print("pyfn worker pool: cannot listen on %s:%d" % (args.host, args.port), file=sys.stderr)
        return 2
    server.start()
    print("pyfn worker pool listening on %s:%d" % (args.host, port), flush=True)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    # A parent that blocks these signals in its threads (Swift's Process does) passes that mask on: undo it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    stopped.wait()
    server.stop(grace=1.0)
    pool.stop_all()
    return 0
