"""pandas reference for the cdn_job benchmark: the CDN log analysis (examples/cdn/reference.py's logic).

    python cdn_pandas_baseline.py LOG IP_RANGES

Prints `rows N`, `read_seconds R` (pandas.read_csv of the log), `compute_seconds C` (IP → province, GROUP BY
province with count/sums, speed) and `total_seconds T` = R + C, best of 3 runs each; `groups G`.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "cdn"))

import pandas as pd  # noqa: E402

from reference import COLUMNS, ip_numbers, provinces  # noqa: E402


def read(path):
    return pd.read_csv(path, header=None, names=COLUMNS, dtype={"client_ip": str, "uuid": str}, keep_default_na=False)


def compute(log, ranges):
    province = provinces(ip_numbers(log["client_ip"]), ranges)
    frame = log.assign(province=province)
    stats = frame.groupby("province").agg(access_count=("uuid", "count"),
                                          total_download=("response_size", "sum"),
                                          total_time=("request_time", "sum"))
    stats["download_speed"] = stats["total_download"] / stats["total_time"]
    return stats


def main():
    log_path, ranges_path = sys.argv[1], sys.argv[2]
    ranges = pd.read_csv(ranges_path, dtype=str)
    read_times, compute_times = [], []
    for _ in range(3):
        start = time.perf_counter()
        log = read(log_path)
        read_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        stats = compute(log, ranges)
        compute_times.append(time.perf_counter() - start)
    print("rows", len(log))
    print("groups", len(stats))
    print("read_seconds", min(read_times))
    print("compute_seconds", min(compute_times))
    print("total_seconds", min(read_times) + min(compute_times))


if __name__ == "__main__":
    main()
