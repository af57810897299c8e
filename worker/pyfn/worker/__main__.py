"""`python -m pyfn.worker`: start the harness; `python -m pyfn.worker pool --port N`: run a worker pool;
`python -m pyfn.worker fork-server --socket PATH`: fork workers for this user's runners (see fork_server);
`python -m pyfn.worker --await-boot`: import first, then start the harness with the arguments and environment the
runner writes to stdin (see head_start)."""

import os
import sys

#: gRPC's EventEngine client reads each message on one thread and hands it to another before the completion queue
#: sees it; the older I/O path reads it on the thread that polls. For one-row bundles that is 40-50 us of a
#: 0.3 ms round trip (benchmarks/run bundle_latency). Set before gRPC loads; a GRPC_EXPERIMENTS of the user's wins.
GRPC_EXPERIMENTS = "-event_engine_client,-event_engine_for_all_other_endpoints"

if __name__ == "__main__":
    os.environ.setdefault("GRPC_EXPERIMENTS", GRPC_EXPERIMENTS)
    from pyfn.worker.thread_limits import limit_library_threads

    limit_library_threads()  # before anything imports numpy
    from pyfn.worker.numpy_deferral import defer_numpy

    defer_numpy()  # pyarrow without numpy, until something imports numpy
    if sys.argv[1:2] == ["fork-server"]:
        from pyfn.worker.fork_server import main as fork_server_main

        sys.exit(fork_server_main(sys.argv[2:]))
    if sys.argv[1:2] == ["pool"]:
        from pyfn.worker.pool import main as pool_main

        sys.exit(pool_main(sys.argv[2:]))
    arguments = None
    if sys.argv[1:2] == ["--await-boot"]:
        from pyfn.worker import head_start

        head_start.prepare()
        arguments = head_start.await_boot()
        if arguments is None:
            sys.exit(0)  # the runner needed no worker
        sys.argv[1:] = arguments
    from pyfn.worker.boot import main

    sys.exit(main(arguments))
