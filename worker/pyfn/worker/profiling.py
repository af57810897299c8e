"""`python.profile.enabled`: cProfile around UDF evaluation, summed over the bundles of one operator.

The runner asks for the statistics with a `harness_monitoring_infos` instruction before it stops a worker; the
answer's `monitoring_data` maps `pyfn:profile:<descriptor id>` to a JSON document (docs/wire-contract.md):
`{"bundles": N, "total_seconds": T, "functions": [{"function", "file", "line", "calls", "primitive_calls",
"tottime", "cumtime"}, ...]}` with the functions that took the most cumulative time first.
"""

from __future__ import annotations

import json
import os
import time
from typing import Dict, List

#: Key prefix of a profile in HarnessMonitoringInfosResponse.monitoring_data.
PROFILE_KEY_PREFIX = "pyfn:profile:"
#: Functions per profile sent to the runner at most.
TOP_FUNCTIONS = 60


class BundleProfiler:
    """One cProfile.Profile enabled around each bundle's evaluation (on whichever thread runs it)."""

    def __init__(self):
        import cProfile  # here, not at module level: only profiled jobs pay for cProfile and pstats

        self._profile = cProfile.Profile()
        self.bundles = 0
        self.seconds = 0.0
        self._started = 0.0

    def __enter__(self):
        self._started = time.perf_counter()
        self._profile.enable()
        return self

    def __exit__(self, *exc):
        self._profile.disable()
        self.seconds += time.perf_counter() - self._started
        self.bundles += 1
        return False

    def rows(self, limit: int = TOP_FUNCTIONS) -> List[Dict]:
        """The `limit` functions with the most cumulative time, most first."""
        if not self.bundles:
            return []
        import pstats

        stats = pstats.Stats(self._profile).stats
        rows = []
        for (filename, line, function), (primitive, calls, tottime, cumtime, _callers) in stats.items():
            rows.append({"function": function, "file": _short_path(filename), "line": line, "calls": calls,
                         "primitive_calls": primitive, "tottime": round(tottime, 6), "cumtime": round(cumtime, 6)})
        rows.sort(key=lambda row: (-row["cumtime"], -row["tottime"]))
        return rows[:limit]

    def to_json(self, limit: int = TOP_FUNCTIONS) -> bytes:
        return json.dumps({"bundles": self.bundles, "total_seconds": round(self.seconds, 6),
                           "functions": self.rows(limit)}).encode()


def _short_path(filename: str) -> str:
    """A file name without the folders before `site-packages` or the working directory."""
    if filename.startswith("<") or filename.startswith("~"):
        return filename
    marker = "site-packages" + os.sep
    at = filename.rfind(marker)
    if at >= 0:
        return filename[at + len(marker):]
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if relative.startswith(".." + os.sep + "..") else relative
