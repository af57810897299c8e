"""Boot: flags, provisioning, the Logging and Control streams, and the harness's lifetime.

The harness asks `GetProvisionInfo` for the job's `python.*` options (`python.files` goes to the front of
sys.path) and the endpoints, opens Logging then Control, and exits when Control ends or when the process that
started it dies (no orphans).
"""

from __future__ import annotations

import argparse
import signal
import logging
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Dict, List, Optional

if TYPE_CHECKING:
    from pyfn.worker.channels import ChannelFactory

_log = logging.getLogger(__name__)

#: Seconds to wait for the runner's Provision service.
PROVISION_TIMEOUT = 60.0
#: Seconds between checks that the parent process is alive.
PARENT_POLL_SECONDS = 0.5
#: Seconds to let a running bundle finish after Control ended.
SHUTDOWN_GRACE_SECONDS = 5.0


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pyfn.worker",
                                     description="PyFn's Python harness (Beam Fn API, Arrow batches).")
    parser.add_argument("--id", "--worker_id", dest="id", required=True, help="this worker's id (worker_id header)")
    parser.add_argument("--provision_endpoint", required=True, help="host:port of the Provision service")
    parser.add_argument("--control_endpoint", default="", help="host:port of Control when provisioning omits it")
    parser.add_argument("--logging_endpoint", default="", help="host:port of Logging when provisioning omits it")
    parser.add_argument("--artifact_endpoint", default="", help="accepted for Beam compatibility; unused")
    parser.add_argument("--semi_persist_dir", default="", help="a folder the harness may keep files in")
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        print("pyfn.worker: ignoring unknown arguments %s" % " ".join(unknown), file=sys.stderr)
    return args


def flatten_options(options: Dict) -> Dict[str, str]:
    """Pipeline options as {"python.files": "..."}: flat keys, an `options` sub-map, or nested maps."""
    flat: Dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(key if not prefix or prefix == "options" else prefix + "." + key, inner)
        elif value is not None:
            flat[prefix] = value if isinstance(value, str) else str(value)

    walk("", options)
    return flat


def apply_python_files(value: str) -> List[str]:
    """Puts the comma-separated paths of `python.files` at the front of sys.path, in their order."""
    paths = [p.strip() for p in value.split(",") if p.strip()]
    for path in reversed(paths):
        path = os.path.abspath(path)
        if path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)
    return paths


#: The `python.log.level` values that set the root logger's level.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def apply_options(options: Dict[str, str]) -> None:
    """Applies the job's `python.*` options that concern the process: `python.files` (see
    `apply_python_files`) and `python.log.level` (the root logger's level, when it is one of LOG_LEVELS)."""
    if options.get("python.files"):
        apply_python_files(options["python.files"])
    level = str(options.get("python.log.level", "")).upper()
    if level in LOG_LEVELS:
        logging.getLogger().setLevel(level)


def watch_parent(poll_seconds: float = PARENT_POLL_SECONDS, runner_pid: int = 0) -> None:
    """Exits the process as soon as the process that started it is gone — or `runner_pid`, when a fork server
    started it for that runner (the server is its parent, and outlives jobs)."""
    parent = runner_pid or os.getppid()
    if parent <= 1:
        return

    def gone() -> bool:
        if not runner_pid:
            return os.getppid() != parent
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # it exists (as another user's: pid reuse); the Control stream's end is the backstop
        return False

    def watch():
        while True:
            time.sleep(poll_seconds)
            if gone():
                try:
                    sys.stderr.write("pyfn.worker: parent process %d is gone; exiting\n" % parent)
                    sys.stderr.flush()
                finally:
                    os._exit(1)

    threading.Thread(target=watch, name="pyfn-parent-watch", daemon=True).start()


def provision(channels: ChannelFactory, endpoint: str):
    from pyfn.proto.beam import beam_provision_api_pb2, beam_provision_api_pb2_grpc

    stub = beam_provision_api_pb2_grpc.ProvisionServiceStub(channels.channel(endpoint))
    response = stub.GetProvisionInfo(beam_provision_api_pb2.GetProvisionInfoRequest(), timeout=PROVISION_TIMEOUT,
                                     wait_for_ready=True)
    return response.info


def warm_up() -> None:
    """Imports and first calls that bundles would otherwise pay for, done before Control opens (pandas is not
    among them: see pandas_deferral)."""
    import pyarrow as pa

    from pyfn.worker import arrow_conversion, scalar_operation  # noqa: F401 - imported for their cost

    # A list, not a numpy array: pa.array(ndarray) imports numpy.ma (~15 ms), which plain functions never need.
    array = pa.array([0, 1], pa.int64())
    arrow_conversion.column_to_list(array)
    arrow_conversion.ResultConverter(arrow_conversion.BigIntType()).convert([1, 2])
    batch = pa.RecordBatch.from_arrays([array], names=["f0"])
    pa.ipc.open_stream(pa.py_buffer(batch.schema.serialize().to_pybytes() + batch.serialize().to_pybytes()))


def _setup_stderr_logging() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("pyfn.worker %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def main(argv: Optional[List[str]] = None, watch_pid: int = 0) -> int:
    """Runs the harness with `argv`'s flags until Control ends; `watch_pid` is the runner to outlive no longer than
    (default: the parent process)."""
    args = parse_args(argv)
    # A parent that blocks SIGTERM in its threads (Swift's Process does) passes the mask on; a harness that is
    # told to stop should stop.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    from pyfn.worker import stack_dumps

    stack_dumps.install()  # SIGUSR1: every thread's Python stack to stderr, for a runner that finds us hung
    stderr_handler = _setup_stderr_logging()
    watch_parent(runner_pid=watch_pid)
    from pyfn.worker.pandas_deferral import defer_pandas

    defer_pandas()
    if args.semi_persist_dir:
        os.makedirs(args.semi_persist_dir, exist_ok=True)
    try:
        warm_up()
    except Exception as error:  # noqa: BLE001 - only a head start; bundles import what they need anyway
        _log.warning("warm-up failed: %s", error)
    from pyfn.worker.channels import ChannelFactory
    from pyfn.worker.transport import TransportSettings

    channels = ChannelFactory(args.id, TransportSettings.from_environment(args.id))
    try:
        info = provision(channels, args.provision_endpoint)
    except Exception as error:  # noqa: BLE001 - report why the harness cannot start
        _log.error("GetProvisionInfo at %s failed: %s", args.provision_endpoint, error)
        os._exit(2)

    from google.protobuf import json_format

    options = flatten_options(json_format.MessageToDict(info.pipeline_options))
    apply_options(options)
    control_url = info.control_endpoint.url or args.control_endpoint
    logging_url = info.logging_endpoint.url or args.logging_endpoint
    if not control_url:
        _log.error("no control endpoint: neither in the provision info nor --control_endpoint")
        os._exit(2)

    logging_client = None
    if logging_url:
        from pyfn.worker.log_forwarding import LogForwardingHandler, LoggingClient, capture_function_output

        handler = LogForwardingHandler()
        logging.getLogger().addHandler(handler)
        logging_client = LoggingClient(channels.channel(logging_url), handler)
        capture_function_output(handler)
        # Logs now reach the runner; stderr keeps only what is severe.
        stderr_handler.setLevel(logging.ERROR)

    from pyfn.worker.control import ControlClient

    control = ControlClient(control_url, channels)
    _log.info("pyfn worker %s started (pid %d)", args.id, os.getpid())
    control.run()
    if not control.wait_for_bundles(SHUTDOWN_GRACE_SECONDS):
        _log.warning("a bundle was still running when Control ended")
    for failure in control.close():
        _log.error("%s", failure)
    if logging_client is not None:
        logging_client.close()
    channels.close()
    sys.stdout.flush()
    sys.stderr.flush()
    # gRPC and user threads may still be alive; the harness's work is done.
    os._exit(0)
