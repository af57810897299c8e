"""User metrics as Beam MonitoringInfos for a ProcessBundleResponse.

Counters and meters: `beam:metric:user:sum_int64:v1`, the change since the previous bundle. Distributions:
`beam:metric:user:distribution_int64:v1`, (count, sum, min, max) of this bundle's updates. Gauges:
`beam:metric:user:latest_int64:v1`, (time in ms, value). Labels PTRANSFORM, NAMESPACE (the group path) and
NAME. Payloads are Beam's varints (int64 as its unsigned 64-bit two's complement).
"""

from __future__ import annotations

import time
from typing import Dict, List, Tuple

from pyfn.metrics import Counter, Distribution, Gauge, Meter, MetricRegistry
from pyfn.proto.beam import metrics_pb2

SUM_URN, SUM_TYPE = "beam:metric:user:sum_int64:v1", "beam:metrics:sum_int64:v1"
DISTRIBUTION_URN, DISTRIBUTION_TYPE = "beam:metric:user:distribution_int64:v1", "beam:metrics:distribution_int64:v1"
LATEST_URN, LATEST_TYPE = "beam:metric:user:latest_int64:v1", "beam:metrics:latest_int64:v1"


def encode_varint(value: int) -> bytes:
    """Beam's VarInt encoding of an int64."""
    value &= (1 << 64) - 1
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
            if value >= 1 << 63:
                value -= 1 << 64
            values.append(value)
            value, shift = 0, 0
    return values


class MetricsReporter:
    """Turns a registry's metrics into MonitoringInfos, bundle after bundle."""

    def __init__(self, registry: MetricRegistry, transform_id: str):
        self._registry = registry
        self._transform_id = transform_id
        self._reported: Dict[Tuple[str, str, str], int] = {}

    def _info(self, urn: str, type_urn: str, payload: bytes, namespace: str, name: str):
        info = metrics_pb2.MonitoringInfo(urn=urn, type=type_urn, payload=payload)
        info.labels["PTRANSFORM"] = self._transform_id
        info.labels["NAMESPACE"] = namespace
        info.labels["NAME"] = name
        return info

    def monitoring_infos(self) -> list:
        infos = []
        for metric in self._registry.metrics():
            key = (metric.kind, metric.namespace, metric.name)
            if isinstance(metric, (Counter, Meter)):
                count = metric.get_count()
                delta = count - self._reported.get(key, 0)
                self._reported[key] = count
                if delta:
                    infos.append(self._info(SUM_URN, SUM_TYPE, encode_varint(delta), metric.namespace, metric.name))
            elif isinstance(metric, Distribution):
                window = metric.take_window()
                if window is not None:
                    payload = b"".join(encode_varint(v) for v in window)
                    infos.append(self._info(DISTRIBUTION_URN, DISTRIBUTION_TYPE, payload, metric.namespace,
                                            metric.name))
            elif isinstance(metric, Gauge):
                try:
                    value = metric.get_value()
                except Exception:  # noqa: BLE001 - a failing gauge is left out
                    continue
                payload = encode_varint(int(time.time() * 1000)) + encode_varint(value)
                infos.append(self._info(LATEST_URN, LATEST_TYPE, payload, metric.namespace, metric.name))
        return infos
