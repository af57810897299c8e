"""Expected result of cdn_log_analysis.sql, computed with pandas and numpy (no pyfn, no UDF code).

    python reference.py LOG IP_RANGES      # LOG: the access log CSV (no header); IP_RANGES: ip_ranges.csv

Prints CSV `province,access_count,total_download,download_speed` with a header, sorted by province;
download_speed = SUM(response_size) / SUM(request_time), rounded to 6 decimals. Addresses that are not four
decimal numbers 0-255, or that fall in no range, count as province 'unknown'.
"""

import signal
import sys

import numpy as np
import pandas as pd

COLUMNS = ["uuid", "client_ip", "request_time", "response_size", "uri", "event_ts"]
IPV4 = r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"


def ip_numbers(ips: pd.Series) -> pd.Series:
    """The addresses as int64, -1 where an address is malformed (or missing)."""
    ips = ips.fillna("").astype(str)
    valid = ips.str.fullmatch(IPV4)
    octets = ips.where(valid, "0.0.0.0").str.split(".", expand=True).astype(np.int64)
    valid &= (octets <= 255).all(axis=1)
    numbers = octets[0] * 2**24 + octets[1] * 2**16 + octets[2] * 2**8 + octets[3]
    return numbers.where(valid, -1)


def provinces(numbers: pd.Series, ranges: pd.DataFrame) -> pd.Series:
    """The province of each address number by sorted-range search, 'unknown' where none contains it."""
    starts = ip_numbers(ranges["start_ip"]).to_numpy()
    ends = ip_numbers(ranges["end_ip"]).to_numpy()
    order = np.argsort(starts)
    starts, ends, names = starts[order], ends[order], ranges["province"].to_numpy()[order]
    n = numbers.to_numpy()
    i = np.searchsorted(starts, n, side="right") - 1
    hit = (n >= 0) & (i >= 0) & (n <= ends[np.clip(i, 0, None)])
    return pd.Series(np.where(hit, names[np.clip(i, 0, None)], "unknown"), index=numbers.index)


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    if len(sys.argv) != 3:
        sys.exit("usage: python reference.py LOG IP_RANGES")
    log = pd.read_csv(sys.argv[1], header=None, names=COLUMNS, dtype={"client_ip": str, "uuid": str},
                      keep_default_na=False)
    ranges = pd.read_csv(sys.argv[2], dtype=str)
    log["province"] = provinces(ip_numbers(log["client_ip"]), ranges)
    stats = log.groupby("province").agg(access_count=("uuid", "count"),
                                        total_download=("response_size", "sum"),
                                        total_time=("request_time", "sum"))
    stats["download_speed"] = (stats["total_download"] / stats["total_time"]).round(6)
    stats = stats.sort_index().reset_index()
    stats[["province", "access_count", "total_download", "download_speed"]].to_csv(sys.stdout, index=False)


if __name__ == "__main__":
    main()
