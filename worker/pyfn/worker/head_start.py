"""`python -m pyfn.worker --await-boot`: a worker the runner starts before its job needs one (HeadStartedWorker in
the runner). It imports what the harness needs while the runner describes and plans the job, then waits for one
line on stdin — `{"arguments": [...], "environment": {...}}`, the command line and environment an ordinary worker
gets (the worker's secret is in that environment, so it never shows on a command line) — and boots with them.
The end of stdin before that line means the runner had no use for it (or is gone): it exits quietly."""

from __future__ import annotations

import json
import os
import sys
from typing import IO, List, Optional


def prepare() -> None:
    """Imports what a worker needs before its first bundle (boot's warm-up, the channels, the Provision and
    Control clients), so that the boot line finds them loaded. Pandas is deferred first, as boot does: the
    warm-up converts a list."""
    from pyfn.worker import boot
    from pyfn.worker.pandas_deferral import defer_pandas

    defer_pandas()
    boot.warm_up()
    import pyfn.worker.channels  # noqa: F401 - imported for their cost
    import pyfn.worker.control  # noqa: F401
    import pyfn.worker.log_forwarding  # noqa: F401
    # What boot imports once the boot line is in, before Control opens: about 25 ms of CPU under load 11
    # (grpc.experimental 6-7 ms, grpc._channel — the first channel's — 3-6, zoneinfo 6, json_format 3, the
    # Provision stub 2-3, stack_dumps 0.6).
    import zoneinfo  # noqa: F401 - the job's session zone (local_zoned)

    import google.protobuf.json_format  # noqa: F401
    import grpc._channel  # noqa: F401
    import grpc.experimental  # noqa: F401
    import pyfn.proto.beam.beam_provision_api_pb2_grpc  # noqa: F401
    import pyfn.worker.stack_dumps  # noqa: F401


def await_boot(stream: Optional[IO[str]] = None) -> Optional[List[str]]:
    """Reads the boot line from `stream` (stdin), puts its environment into os.environ and returns its arguments;
    None at the end of input. Raises ValueError naming what is wrong with a line that is not a boot line."""
    line = (stream or sys.stdin).readline()
    if not line.strip():
        return None
    try:
        message = json.loads(line)
        arguments, environment = message["arguments"], message["environment"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError("pyfn.worker --await-boot: the boot line is not {\"arguments\": [...], \"environment\": {...}} "
                         "(%s): %r" % (error, line[:200])) from None
    if not all(isinstance(a, str) for a in arguments) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in dict(environment).items()):
        raise ValueError("pyfn.worker --await-boot: arguments and environment values must be strings: %r" % line[:200])
    os.environ.update(environment)
    return list(arguments)
