"""`python -m pyfn.worker`: start the harness."""

import sys

from pyfn.worker.boot import main

if __name__ == "__main__":
    sys.exit(main())
