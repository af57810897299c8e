"""User metrics with PyFlink's API: counters, gauges, meters and distributions, recorded locally.

`MetricGroup.add_group(name)` nests a group; `add_group(key, value)` makes a key-value pair of groups. A
metric's namespace is its group path joined with dots (`key.value`), its name the name given, its function the
UDF whose `open()` got the group (empty for a group made by hand). The harness reads every metric of a registry
with `MetricRegistry.metrics()` to report them. Recording is a plain attribute update: no lock, no clock read
except in `Meter.mark_event`.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Dict, List, Optional, Tuple

__all__ = ["MetricGroup", "MetricRegistry", "Counter", "Gauge", "Meter", "Distribution"]


class Metric:
    """Base of every metric: where it lives."""

    kind = ""

    def __init__(self, namespace: str, name: str, function: str = ""):
        self.namespace = namespace
        self.name = name
        self.function = function


class Counter(Metric):
    """A count that goes up and down."""

    kind = "counter"

    def __init__(self, namespace, name, function=""):
        super().__init__(namespace, name, function)
        self._count = 0

    def inc(self, n: int = 1) -> None:
        self._count += n

    def dec(self, n: int = 1) -> None:
        self._count -= n

    def get_count(self) -> int:
        return self._count


class Gauge(Metric):
    """A value read from a function when metrics are reported."""

    kind = "gauge"

    def __init__(self, namespace, name, obj: Callable[[], int], function=""):
        super().__init__(namespace, name, function)
        if not callable(obj):
            raise TypeError("gauge %r needs a function returning an int, got %r" % (name, obj))
        self._obj = obj

    def get_value(self) -> int:
        return int(self._obj())


class Meter(Metric):
    """Counts events and their rate per second over the last `time_span_in_seconds`."""

    kind = "meter"

    def __init__(self, namespace, name, time_span_in_seconds: int = 60, function=""):
        super().__init__(namespace, name, function)
        self.time_span_in_seconds = max(1, int(time_span_in_seconds))
        self._count = 0
        # (second, events in that second), oldest first
        self._buckets: List[List[int]] = []

    def mark_event(self, value: int = 1) -> None:
        self._count += value
        second = int(time.monotonic())
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += value
        else:
            self._buckets.append([second, value])
            self._expire(second)

    def _expire(self, now: int) -> None:
        horizon = now - self.time_span_in_seconds
        while self._buckets and self._buckets[0][0] <= horizon:
            self._buckets.pop(0)

    def get_count(self) -> int:
        return self._count

    def get_rate(self) -> float:
        """Events per second over the time span."""
        self._expire(int(time.monotonic()))
        return sum(events for _, events in self._buckets) / float(self.time_span_in_seconds)


class Distribution(Metric):
    """Count, sum, min and max of the values it was updated with."""

    kind = "distribution"

    def __init__(self, namespace, name, function=""):
        super().__init__(namespace, name, function)
        self.count = 0
        self.sum = 0
        self.min: Optional[int] = None
        self.max: Optional[int] = None
        # [count, sum, min, max] since the last report
        self._window: Optional[List[int]] = None

    def update(self, value: int) -> None:
        value = int(value)
        self.count += 1
        self.sum += value
        if self.min is None or value < self.min:
            self.min = value
        if self.max is None or value > self.max:
            self.max = value
        window = self._window
        if window is None:
            self._window = [1, value, value, value]
        else:
            window[0] += 1
            window[1] += value
            if value < window[2]:
                window[2] = value
            if value > window[3]:
                window[3] = value

    def take_window(self) -> Optional[Tuple[int, int, int, int]]:
        """(count, sum, min, max) of the updates since the last call, or None when there were none."""
        window, self._window = self._window, None
        return None if window is None else tuple(window)

    def peek_window(self) -> Optional[Tuple[int, int, int, int]]:
        """(count, sum, min, max) of the updates since the last `take_window`, leaving them in place (for
        progress reports read from another thread while the function updates it)."""
        window = self._window
        return None if window is None else tuple(window)


class MetricRegistry:
    """Every metric registered by the functions of one operator."""

    def __init__(self):
        self._lock = threading.Lock()
        self._metrics: Dict[Tuple[str, str, str, str], Metric] = {}

    def get_or_add(self, kind: str, namespace: str, name: str, make: Callable[[], Metric],
                   function: str = "") -> Metric:
        key = (kind, function, namespace, name)
        with self._lock:
            metric = self._metrics.get(key)
            if metric is None:
                metric = self._metrics[key] = make()
            return metric

    def metrics(self) -> List[Metric]:
        with self._lock:
            return list(self._metrics.values())

    def snapshot(self) -> List[tuple]:
        """[(kind, namespace, name, value)]: counters and meters their count, gauges their value,
        distributions (count, sum, min, max)."""
        out = []
        for metric in self.metrics():
            if isinstance(metric, Counter):
                value = metric.get_count()
            elif isinstance(metric, Meter):
                value = metric.get_count()
            elif isinstance(metric, Gauge):
                value = metric.get_value()
            else:
                value = (metric.count, metric.sum, metric.min or 0, metric.max or 0)
            out.append((metric.kind, metric.namespace, metric.name, value))
        return out


class MetricGroup:
    """A named group of metrics (PyFlink's `MetricGroup`)."""

    def __init__(self, registry: Optional[MetricRegistry] = None, path: Tuple[str, ...] = (), function: str = ""):
        self._registry = registry if registry is not None else MetricRegistry()
        self._path = tuple(path)
        self._function = function

    @property
    def registry(self) -> MetricRegistry:
        return self._registry

    def get_namespace(self) -> str:
        return ".".join(self._path)

    def add_group(self, name: str, extra: Optional[str] = None) -> "MetricGroup":
        """A subgroup `name`, or with `extra` the key-value group `name.extra`."""
        if not isinstance(name, str) or not name:
            raise ValueError("a metric group name must be a non-empty string, got %r" % (name,))
        if extra is None:
            return MetricGroup(self._registry, self._path + (name,), self._function)
        return MetricGroup(self._registry, self._path + (name, str(extra)), self._function)

    def for_function(self, function: str) -> "MetricGroup":
        """This group, its metrics tagged with the UDF `function` (the harness gives each UDF its own)."""
        return MetricGroup(self._registry, self._path, function)

    def _get(self, kind: str, name: str, make: Callable[[str, str], Metric]) -> Metric:
        namespace, function = self.get_namespace(), self._function
        return self._registry.get_or_add(kind, namespace, name, lambda: make(namespace, function), function)

    def counter(self, name: str) -> Counter:
        return self._get("counter", name, lambda namespace, function: Counter(namespace, name, function))

    def gauge(self, name: str, obj: Callable[[], int]) -> Gauge:
        gauge = self._get("gauge", name, lambda namespace, function: Gauge(namespace, name, obj, function))
        if not callable(obj):
            raise TypeError("gauge %r needs a function returning an int, got %r" % (name, obj))
        gauge._obj = obj
        return gauge

    def meter(self, name: str, time_span_in_seconds: int = 60) -> Meter:
        return self._get("meter", name, lambda namespace, function: Meter(namespace, name, time_span_in_seconds,
                                                                          function))

    def distribution(self, name: str) -> Distribution:
        return self._get("distribution", name, lambda namespace, function: Distribution(namespace, name, function))
