"""Python UDFs of the CDN log analysis example (written against pyflink itself, for python.harness = pyflink).

`ip_to_province` resolves an IPv4 address to a province of mainland China from the IP-range table
`ip_ranges.csv` shipped next to this file (start_ip,end_ip,province; sorted, non-overlapping, inclusive).
The table is loaded once in `open()`; lookups are a binary search. No network access.
"""

import bisect
import csv
import os

from pyflink.table import DataTypes
from pyflink.table.udf import FunctionContext, ScalarFunction, udf

#: Absolute at import time, so the path survives the function being pickled by value; next to this file, or
#: the CDN example's own table when this file stays in examples/pyflink.
_HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_IP_RANGES = next((path for path in (os.path.join(_HERE, "ip_ranges.csv"),
                                            os.path.join(_HERE, "..", "cdn", "ip_ranges.csv"))
                          if os.path.isfile(path)), os.path.join(_HERE, "ip_ranges.csv"))

UNKNOWN = "unknown"


def ip_to_int(ip):
    """The IPv4 address `a.b.c.d` as an integer, or None when `ip` is not four decimal numbers 0-255."""
    if not isinstance(ip, str):
        return None
    parts = ip.split(".")
    if len(parts) != 4:
        return None
    value = 0
    for part in parts:
        if not (1 <= len(part) <= 3 and part.isascii() and part.isdigit()):
            return None
        number = int(part)
        if number > 255:
            return None
        value = value * 256 + number
    return value


class IpToProvince(ScalarFunction):
    """client_ip STRING -> province STRING ('unknown' for NULL, malformed or unlisted addresses)."""

    def __init__(self):
        self._starts, self._ends, self._provinces = [], [], []

    def open(self, function_context: FunctionContext):
        # The job may point at another table with SET 'cdn.ip-ranges' = '/abs/path.csv'.
        path = function_context.get_job_parameter("cdn.ip-ranges", DEFAULT_IP_RANGES)
        self.load(path)

    def load(self, path):
        """Reads the range table; checks that it is sorted and non-overlapping."""
        starts, ends, provinces = [], [], []
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                start, end = ip_to_int(row["start_ip"]), ip_to_int(row["end_ip"])
                if start is None or end is None or end < start or (ends and start <= ends[-1]):
                    raise ValueError("%s: bad or unsorted range %r" % (path, row))
                starts.append(start)
                ends.append(end)
                provinces.append(row["province"])
        self._starts, self._ends, self._provinces = starts, ends, provinces

    def eval(self, client_ip):
        address = ip_to_int(client_ip)
        if address is None:
            return UNKNOWN
        i = bisect.bisect_right(self._starts, address) - 1
        if i >= 0 and address <= self._ends[i]:
            return self._provinces[i]
        return UNKNOWN


ip_to_province = udf(IpToProvince(), result_type=DataTypes.STRING())
