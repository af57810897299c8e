"""`python -m pyfn.worker pool`: a long-running worker pool (external mode), for this host or others.

It serves Beam's BeamFnExternalWorkerPool: `StartWorker` starts a harness (`python -m pyfn.worker`) that dials the
runner's endpoints named in the request, under the runner's worker id, with the worker's secret (the request's
`params["pyfn.worker-secret"]`) in its environment rather than on its command line; `StopWorker` stops it
(SIGTERM, then SIGKILL after a grace period). Both need the pool's token in the `pyfn-pool-token` header,
compared in constant time: without it nothing starts. The token comes from `PYFN_POOL_TOKEN` or `--token-file F`
(made with a fresh random token, readable only by its owner, when F does not exist) — never from a flag that `ps`
shows. The pool listens on 127.0.0.1 unless `--host` says otherwise, serves TLS with `--tls-cert`/`--tls-key`
(and asks runners for a client certificate signed by `--tls-client-ca`), and gives its harnesses `--tls-ca`
(the CA that vouches for runners) and its own certificate for runners that speak TLS. The pool runs until it is
interrupted, and stops its harnesses when it goes.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
from concurrent import futures
from typing import Dict, List, Optional

import grpc

from pyfn.proto.beam import beam_fn_api_pb2, beam_fn_api_pb2_grpc
from pyfn.worker import transport

_log = logging.getLogger(__name__)

#: Seconds a stopped harness gets to exit before it is killed.
STOP_GRACE_SECONDS = 5.0
#: The environment variable the token is read from.
TOKEN_VARIABLE = "PYFN_POOL_TOKEN"
#: The StartWorkerRequest params a PyFn runner sends.
SECRET_PARAM = "pyfn.worker-secret"
TLS_PARAM = "pyfn.fn-api.tls"


class WorkerPool(beam_fn_api_pb2_grpc.BeamFnExternalWorkerPoolServicer):
    """Starts and stops harness processes for callers that present `token`; harnesses reach TLS runners with
    `harness_tls` (the CA that vouches for runners, and the pool's own certificate as their client certificate)."""

    def __init__(self, token: str, python: str = sys.executable, harness_tls: Optional[transport.TLSFiles] = None):
        if not token:
            raise ValueError("a worker pool needs a token")
        self._token = token
        self._python = python
        self._harness_tls = harness_tls
        self._lock = threading.Lock()
        self._workers: Dict[str, subprocess.Popen] = {}

    def _refuse_stranger(self, context, call: str) -> None:
        if not transport.token_matches(self._token, context.invocation_metadata()):
            _log.warning("refused %s from %s: no or a wrong pool token", call, context.peer())
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "%s needs this pool's token (header %s)"
                          % (call, transport.POOL_TOKEN_HEADER))

    def _harness_environment(self, request) -> Dict[str, str]:
        environment = {key: value for key, value in os.environ.items()
                       if key not in (TOKEN_VARIABLE, transport.SECRET_VARIABLE, transport.SECRET_FILE_VARIABLE)}
        for key in (transport.TLS_VARIABLE, transport.CA_VARIABLE, transport.CERT_VARIABLE, transport.KEY_VARIABLE):
            environment.pop(key, None)
        secret = request.params.get(SECRET_PARAM, "")
        if secret:
            environment[transport.SECRET_VARIABLE] = secret
        if request.params.get(TLS_PARAM, "") == "true":
            environment.update(transport.tls_environment(self._harness_tls or transport.TLSFiles()))
        return environment

    def StartWorker(self, request, context):
        self._refuse_stranger(context, "StartWorker")
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
                self._workers[worker_id] = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                                            env=self._harness_environment(request))
            except OSError as error:
                return beam_fn_api_pb2.StartWorkerResponse(error="cannot start %s: %s" % (self._python, error))
        _log.info("started worker %s for %s", worker_id, request.provision_endpoint.url)
        return beam_fn_api_pb2.StartWorkerResponse()

    def StopWorker(self, request, context):
        self._refuse_stranger(context, "StopWorker")
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


def load_token(token_file: Optional[str], environ=os.environ) -> str:
    """The pool token: from `token_file` (created with a fresh random token, mode 0600, when it does not exist),
    else from PYFN_POOL_TOKEN; raises ValueError saying how to give one when there is none."""
    if token_file:
        try:
            descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            with open(token_file, encoding="utf-8") as file:
                token = file.read().strip()
            if not token:
                raise ValueError("the token file %s is empty" % token_file) from None
            return token
        token = secrets.token_hex(32)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(token + "\n")
        print("pyfn worker pool: wrote a new token to %s (give the runner the same file: "
              "python.worker-pool.token-file)" % token_file, file=sys.stderr, flush=True)
        return token
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise ValueError("the pool needs a token: set %s or pass --token-file FILE (a missing FILE is created "
                         "with a random token)" % TOKEN_VARIABLE)
    return token


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pyfn.worker pool",
                                     description="Serve Beam's BeamFnExternalWorkerPool: start pyfn harnesses on request.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    parser.add_argument("--token-file", default=None,
                        help="file holding the token callers must present (made, mode 0600, if missing); "
                             "default: the environment variable %s" % TOKEN_VARIABLE)
    parser.add_argument("--tls-cert", default=None, help="PEM certificate chain this pool serves TLS with "
                                                         "(also its harnesses' client certificate)")
    parser.add_argument("--tls-key", default=None, help="PEM private key of --tls-cert")
    parser.add_argument("--tls-client-ca", default=None,
                        help="require runners to present a certificate signed by this CA (mutual TLS)")
    parser.add_argument("--tls-ca", default=None, help="CA file that vouches for the runners' Fn API servers")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="pyfn.worker.pool %(levelname)s: %(message)s")
    try:
        token = load_token(args.token_file)
    except (OSError, ValueError) as error:
        print("pyfn worker pool: %s" % error, file=sys.stderr)
        return 2
    if bool(args.tls_cert) != bool(args.tls_key):
        print("pyfn worker pool: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    if args.tls_client_ca and not args.tls_cert:
        print("pyfn worker pool: --tls-client-ca needs --tls-cert and --tls-key", file=sys.stderr)
        return 2
    harness_tls = transport.TLSFiles(ca=args.tls_ca, cert=args.tls_cert, key=args.tls_key)
    pool = WorkerPool(token, harness_tls=harness_tls)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    beam_fn_api_pb2_grpc.add_BeamFnExternalWorkerPoolServicer_to_server(pool, server)
    address = "%s:%d" % (args.host, args.port)
    try:
        if args.tls_cert:
            credentials = transport.TLSFiles(ca=args.tls_client_ca, cert=args.tls_cert, key=args.tls_key)
            port = server.add_secure_port(address, credentials.server_credentials())
        else:
            port = server.add_insecure_port(address)
    except (OSError, RuntimeError) as error:
        print("pyfn worker pool: cannot listen on %s: %s" % (address, error), file=sys.stderr)
        return 2
    if port == 0:
        print("pyfn worker pool: cannot listen on %s" % address, file=sys.stderr)
        return 2
    if not args.tls_cert and not is_loopback(args.host):
        print("pyfn worker pool: WARNING: listening on %s WITHOUT TLS: the token and the workers' secrets cross "
              "the network in clear text, and anyone on the path can read or replay them; pass --tls-cert and "
              "--tls-key" % args.host, file=sys.stderr, flush=True)
    server.start()
    print("pyfn worker pool listening%s on %s:%d" % (" with TLS" if args.tls_cert else "", args.host, port), flush=True)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    # A parent that blocks these signals in its threads (Swift's Process does) passes that mask on: undo it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    stopped.wait()
    server.stop(grace=1.0)
    pool.stop_all()
    return 0
