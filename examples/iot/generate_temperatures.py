"""Writes deterministic temperature readings with gaps for the IoT example (CSV, no header).

    python generate_temperatures.py [--devices D] [--points P] [--seed S] OUT

Columns: id (device-001 ...), ts (epoch ms, one reading a minute), temperature (a random walk, 2 decimals).
Rows are ordered by ts, then device, so devices are interleaved. About 10% of the temperatures are missing
(empty field): single gaps, runs of up to 5, and gaps at the start and end of a device's series.
"""

import argparse
import os
import random

START_TS = 1_700_000_000_000
STEP_MS = 60_000


def series(rng, points):
    """One device's readings: a list of floats with None for the missing ones."""
    level = rng.uniform(15.0, 30.0)
    values = []
    for _ in range(points):
        level += rng.gauss(0, 0.3)
        values.append(round(level, 2))
    i = 0
    while i < points:
        if rng.random() < 0.06:
            run = rng.choice([1, 1, 1, 2, 3, 5])
            values[i:i + run] = [None] * len(values[i:i + run])
            i += run
        i += 1
    if points > 4 and rng.random() < 0.3:
        values[0] = values[1] = None  # leading gap
    if points > 4 and rng.random() < 0.3:
        values[-1] = None  # trailing gap
    return values


def generate(out, devices, points, seed):
    rng = random.Random(seed)
    ids = ["device-%03d" % (d + 1) for d in range(devices)]
    readings = [series(rng, points) for _ in ids]
    with open(out, "w", encoding="utf-8", newline="") as f:
        for p in range(points):
            ts = START_TS + p * STEP_MS
            for device, values in zip(ids, readings):
                value = values[p]
                f.write("%s,%d,%s\n" % (device, ts, "" if value is None else repr(value)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10, help="number of devices (default 10)")
    parser.add_argument("--points", type=int, default=100, help="readings per device (default 100)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("out", help="CSV file to write (its folder is created)")
    args = parser.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    generate(args.out, args.devices, args.points, args.seed)


if __name__ == "__main__":
    main()
