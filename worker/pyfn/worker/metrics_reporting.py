"""User metrics as Beam MonitoringInfos, for ProcessBundleResponse and ProcessBundleProgressResponse.

Every value a bundle reports covers what happened since the previous bundle's final report (Beam's per-bundle
"attempted" values): counters and meters `beam:metric:user:sum_int64:v1`, the change of their count;
distributions `beam:metric:user:distribution_int64:v1`, (count, sum, min, max) of the updates; gauges
`beam:metric:user:latest_int64:v1`, (time in ms since the epoch, value). A progress report of a running bundle
carries the same values so far and commits nothing; the bundle's final report replaces them (the runner keeps a
bundle's latest progress values only until its final ones arrive).

Labels: Beam's PTRANSFORM, NAMESPACE (the group path, e.g. `key.value`) and NAME, plus PyFn's own
`PYFN_FUNCTION` (the UDF whose `open()` got the metric group; absent for other groups) and, for meters,
`PYFN_METRIC_TYPE=meter` with `PYFN_TIME_SPAN_SECONDS` (the span of its rate). Payloads are Beam's varints
(an int64 as its unsigned 64-bit two's complement).
"""

from __future__ import annotations

import threading
import time
from typing import Dict, List

from pyfn.metrics import Counter, Distribution, Gauge, Meter, MetricRegistry
from pyfn.proto.beam import metrics_pb2

SUM_URN, SUM_TYPE = "beam:metric:user:sum_int64:v1", "beam:metrics:sum_int64:v1"
DISTRIBUTION_URN, DISTRIBUTION_TYPE = "beam:metric:user:distribution_int64:v1", "beam:metrics:distribution_int64:v1"
LATEST_URN, LATEST_TYPE = "beam:metric:user:latest_int64:v1", "beam:metrics:latest_int64:v1"

#: PyFn's extra labels (Beam allows labels beyond those a URN requires).
FUNCTION_LABEL = "PYFN_FUNCTION"
METRIC_TYPE_LABEL = "PYFN_METRIC_TYPE"
TIME_SPAN_LABEL = "PYFN_TIME_SPAN_SECONDS"

_INT64_MASK = (1 << 64) - 1


def encode_varint(value: int) -> bytes:
    """Beam's VarInt encoding of an int64."""
    value &= _INT64_MASK
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varints(data: bytes) -> List[int]:
    """The int64s of a sequence of Beam varints (for tests and tools)."""
    values, value, shift = [], 0, 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            value &= _INT64_MASK
            if value >= 1 << 63:
                value -= 1 << 64
            values.append(value)
            value, shift = 0, 0
    return values


def _clamp_int64(value: int) -> int:
    """`value` kept within int64 (Python ints are unbounded; Beam's are not)."""
    return max(-(1 << 63), min((1 << 63) - 1, int(value)))


class MetricsReporter:
    """Turns a registry's metrics into MonitoringInfos, bundle after bundle. `bundle_infos` (the bundle thread)
    and `progress_infos` (the Control thread) may run at the same time."""

    def __init__(self, registry: MetricRegistry, transform_id: str):
        self._registry = registry
        self._transform_id = transform_id
        # count of each counter and meter at the last final report, by metric identity
        self._reported: Dict[int, int] = {}
        self._lock = threading.Lock()

    def _info(self, urn: str, type_urn: str, payload: bytes, metric):
        info = metrics_pb2.MonitoringInfo(urn=urn, type=type_urn, payload=payload)
        labels = info.labels
        labels["PTRANSFORM"] = self._transform_id
        labels["NAMESPACE"] = metric.namespace
        labels["NAME"] = metric.name
        if metric.function:
            labels[FUNCTION_LABEL] = metric.function
        if isinstance(metric, Meter):
            labels[METRIC_TYPE_LABEL] = "meter"
            labels[TIME_SPAN_LABEL] = str(metric.time_span_in_seconds)
        return info

    def bundle_infos(self) -> list:
        """The final values of the bundle that just ended; the next bundle starts from zero."""
        with self._lock:
            return self._infos(commit=True)

    def progress_infos(self) -> list:
        """The values of the running bundle so far, committing nothing."""
        with self._lock:
            return self._infos(commit=False)

    # Kept for callers of the earlier name.
    monitoring_infos = bundle_infos

    def _infos(self, commit: bool) -> list:
        infos = []
        reported = self._reported
        for metric in self._registry.metrics():
            if isinstance(metric, (Counter, Meter)):
                count = metric.get_count()
                delta = count - reported.get(id(metric), 0)
                if commit:
                    reported[id(metric)] = count
                if delta:
                    infos.append(self._info(SUM_URN, SUM_TYPE, encode_varint(_clamp_int64(delta)), metric))
            elif isinstance(metric, Distribution):
                window = metric.take_window() if commit else metric.peek_window()
                if window is not None:
                    payload = b"".join(encode_varint(_clamp_int64(v)) for v in window)
                    infos.append(self._info(DISTRIBUTION_URN, DISTRIBUTION_TYPE, payload, metric))
            elif isinstance(metric, Gauge):
                try:
                    value = metric.get_value()
                except Exception:  # noqa: BLE001 - a failing gauge is left out
                    continue
                payload = encode_varint(int(time.time() * 1000)) + encode_varint(_clamp_int64(value))
                infos.append(self._info(LATEST_URN, LATEST_TYPE, payload, metric))
        return infos
