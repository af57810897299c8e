"""`python -m pyfn.worker`: start the harness; `python -m pyfn.worker pool --port N`: run a worker pool."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["pool"]:
        from pyfn.worker.pool import main as pool_main

        sys.exit(pool_main(sys.argv[2:]))
    from pyfn.worker.boot import main

    sys.exit(main())
