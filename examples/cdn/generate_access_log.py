"""Writes a deterministic, realistic CDN access log for the CDN example (CSV, no header).

    python generate_access_log.py [--rows N] [--seed S] [--ip-ranges CSV] OUT

Columns: uuid, client_ip, request_time (ms), response_size (bytes), uri, event_ts (epoch ms).
Client IPs: ~95% inside the ranges of ip_ranges.csv (provinces weighted roughly by population),
~3.5% public addresses outside them, ~1.5% malformed ('', '999.12.1.3', '10.0.7', 'unknown', ...).
Response sizes are heavy-tailed (Pareto) and depend on the kind of file; request times grow with size.
"""

import argparse
import csv
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))

# Rough population weights (millions); provinces missing here get 10.
POPULATION = {
    "Guangdong": 126, "Shandong": 102, "Henan": 99, "Jiangsu": 85, "Sichuan": 84, "Hebei": 75, "Hunan": 66,
    "Zhejiang": 65, "Anhui": 61, "Hubei": 58, "Guangxi": 50, "Yunnan": 47, "Jiangxi": 45, "Liaoning": 43,
    "Fujian": 42, "Shaanxi": 40, "Guizhou": 39, "Shanxi": 35, "Chongqing": 32, "Heilongjiang": 31,
    "Xinjiang": 26, "Shanghai": 25, "Gansu": 25, "Inner Mongolia": 24, "Jilin": 24, "Beijing": 22,
    "Tianjin": 14, "Hainan": 10, "Ningxia": 7, "Qinghai": 6, "Tibet": 4,
}

# (uri prefix, extensions, typical size in bytes, Pareto shape): smaller shape = heavier tail.
CONTENT = [
    ("/static/js/", ["app.js", "vendor.js", "chunk-%d.js"], 40_000, 2.5),
    ("/static/css/", ["main.css", "theme-%d.css"], 15_000, 3.0),
    ("/images/", ["banner-%d.jpg", "thumb-%d.webp", "logo.png", "avatar-%d.png"], 80_000, 1.8),
    ("/video/", ["clip-%d.mp4", "seg-%d.ts"], 4_000_000, 1.3),
    ("/download/", ["installer-%d.exe", "patch-%d.zip", "dataset-%d.tar.gz"], 20_000_000, 1.1),
    ("/api/v1/", ["config", "feed?page=%d", "user/%d"], 1_500, 3.0),
]
CONTENT_WEIGHTS = [25, 10, 35, 15, 3, 12]

OUTSIDE_PREFIXES = [8, 13, 23, 31, 45, 52, 64, 77, 91, 104, 151, 185, 193, 212]   # not in ip_ranges.csv
MALFORMED = ["", "-", "unknown", "999.12.1.3", "10.0.7", "172.16.300.1", "1.2.3.4.5", "abc.def.1.2", "::1"]


def read_ranges(path):
    """{province: [(start, end), ...]} from the range table (integers, inclusive)."""
    def to_int(ip):
        a, b, c, d = (int(x) for x in ip.split("."))
        return (a << 24) | (b << 16) | (c << 8) | d
    ranges = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ranges.setdefault(row["province"], []).append((to_int(row["start_ip"]), to_int(row["end_ip"])))
    return ranges


def generate(out, rows, seed, ip_ranges):
    rng = random.Random(seed)
    ranges = read_ranges(ip_ranges)
    provinces = sorted(ranges)
    weights = [POPULATION.get(p, 10) for p in provinces]
    first_octets = {n >> 24 for spans in ranges.values() for span in spans for n in span}
    assert not first_octets & set(OUTSIDE_PREFIXES), "an outside prefix overlaps the IP ranges"
    rand, choice, getrandbits, log = rng.random, rng.choice, rng.getrandbits, math.log
    contents = rng.choices(CONTENT, CONTENT_WEIGHTS, k=rows)
    ts = 1_700_000_000_000
    buf = []
    with open(out, "w", encoding="utf-8", newline="") as f:
        for province, (prefix, names, typical, shape) in zip(rng.choices(provinces, weights, k=rows), contents):
            r = rand()
            if r < 0.95:
                spans = ranges[province]
                start, end = spans[int(rand() * len(spans))]
                n = start + int(rand() * (end - start + 1))
                ip = "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)
            elif r < 0.985:
                ip = "%d.%d.%d.%d" % (choice(OUTSIDE_PREFIXES), getrandbits(8), getrandbits(8), 1 + int(rand() * 254))
            else:
                ip = choice(MALFORMED)
            name = names[int(rand() * len(names))]
            uri = prefix + (name % getrandbits(10) if "%d" in name else name)
            # Pareto(shape) scaled to the typical size, capped at 4 GB
            size = min(4_000_000_000, max(64, int(typical * 0.3 / (1.0 - rand()) ** (1.0 / shape))))
            # exponential latency (mean 30 ms) + transfer at a random 0.2-50 MB/s (200-50000 bytes per ms)
            request_time = 1 + int(-30.0 * log(1.0 - rand()) + size / (200 + 49_800 * rand()))
            ts += int(-5.0 * log(1.0 - rand()))  # ~200 requests per second
            u = getrandbits(128)
            uuid = "%08x-%04x-4%03x-%04x-%012x" % (u >> 96, (u >> 80) & 0xFFFF, (u >> 64) & 0xFFF,
                                                  0x8000 | ((u >> 48) & 0x3FFF), u & 0xFFFFFFFFFFFF)
            buf.append("%s,%s,%d,%d,%s,%d\n" % (uuid, ip, request_time, size, uri, ts))
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="number of log lines (default 1000000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--ip-ranges", default=os.path.join(HERE, "ip_ranges.csv"),
                        help="IP-range table (default: ip_ranges.csv next to this script)")
    parser.add_argument("out", help="CSV file to write (its folder is created)")
    args = parser.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    generate(args.out, args.rows, args.seed, args.ip_ranges)


if __name__ == "__main__":
    main()
