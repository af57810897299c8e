"""Expected result of iot_interpolation.sql: the same pandas interpolation run directly on the whole file.

    python reference.py INPUT      # INPUT: the temperatures CSV (no header; empty temperature = missing)

Prints CSV `id,ts,temperature` with a header, in input order, temperature rounded to 9 decimals
(empty where a device has no reading at all).
"""

import signal
import sys

import pandas as pd


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    if len(sys.argv) != 2:
        sys.exit("usage: python reference.py INPUT")
    df = pd.read_csv(sys.argv[1], header=None, names=["id", "ts", "temperature"],
                     dtype={"id": str, "ts": "int64", "temperature": "float64"})
    df["temperature"] = (df.groupby("id")["temperature"]
                         .transform(lambda s: s.interpolate(limit_direction="both"))
                         .round(9))
    df.to_csv(sys.stdout, index=False)


if __name__ == "__main__":
    main()
