"""Prints, base64, the chain the datastream_map benchmark runs — what `ds.map(lambda x: x + 1, output_type=
Types.LONG())` ships (`typed`), or the same map without an output type over pickled records (`pickled`) — as
pyfn.datastream builds it."""

import base64
import sys

import cloudpickle

from pyfn.common import Types
from pyfn.datastream.graph import record_format
from pyfn.worker.datastream.spec import ChainSpec, StepSpec


def main():
    typed = sys.argv[1] == "typed"
    records = record_format(Types.LONG() if typed else None)
    chain = ChainSpec([StepSpec("map", lambda x: x + 1, "add_one", records)], records)
    print(base64.b64encode(cloudpickle.dumps(chain)).decode("ascii"))


if __name__ == "__main__":
    main()
