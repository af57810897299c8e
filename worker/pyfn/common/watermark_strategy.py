"""`WatermarkStrategy` (`pyflink.common.watermark_strategy`): how a stream's records get event-time timestamps and
how its watermark follows them.

`DataStream.assign_timestamps_and_watermarks(strategy)` runs the strategy's TimestampAssigner on each record in the
worker; the runner keeps each subtask's watermark (the largest timestamp seen, minus the out-of-orderness, minus
1 ms, as Flink's BoundedOutOfOrdernessWatermarks) and fires event-time timers when it passes them. At the end of a
bounded input the watermark jumps to the end of time, so every event-time timer fires.
"""

from __future__ import annotations

from typing import Optional

__all__ = ["WatermarkStrategy", "TimestampAssigner"]


class TimestampAssigner:
    """Extracts a record's event time: implement `extract_timestamp(value, record_timestamp)`."""

    def extract_timestamp(self, value, record_timestamp: int) -> int:
        """The record's timestamp in milliseconds since the epoch."""
        return record_timestamp


class WatermarkStrategy:
    """How watermarks follow the timestamps: `for_monotonous_timestamps()`, `for_bounded_out_of_orderness(d)`, or
    `no_watermarks()`; `with_timestamp_assigner` sets where the timestamps come from."""

    def __init__(self, name: str, out_of_orderness_ms: Optional[int] = 0,
                 timestamp_assigner: Optional[TimestampAssigner] = None):
        self._name = name
        #: The lateness the watermark allows in ms; None: no watermarks.
        self.out_of_orderness_ms = out_of_orderness_ms
        self.timestamp_assigner = timestamp_assigner

    @staticmethod
    def no_watermarks() -> "WatermarkStrategy":
        """No watermarks: event time stands still until the input ends."""
        return WatermarkStrategy("no_watermarks", None)

    @staticmethod
    def for_monotonous_timestamps() -> "WatermarkStrategy":
        """Ascending timestamps: the watermark is the largest timestamp seen, minus 1 ms."""
        return WatermarkStrategy("for_monotonous_timestamps", 0)

    @staticmethod
    def for_bounded_out_of_orderness(max_out_of_orderness) -> "WatermarkStrategy":
        """Timestamps out of order by at most `max_out_of_orderness` (a Duration, or milliseconds)."""
        millis = max_out_of_orderness.to_milliseconds() if hasattr(max_out_of_orderness, "to_milliseconds") \
            else int(max_out_of_orderness)
        if millis < 0:
            raise ValueError("for_bounded_out_of_orderness: the out-of-orderness must not be negative, got %d ms"
                             % millis)
        return WatermarkStrategy("for_bounded_out_of_orderness", millis)

    def with_timestamp_assigner(self, timestamp_assigner: TimestampAssigner) -> "WatermarkStrategy":
        """The strategy with `timestamp_assigner` (a TimestampAssigner, or a function of (value, timestamp))."""
        if not isinstance(timestamp_assigner, TimestampAssigner) and not callable(timestamp_assigner):
            raise TypeError("with_timestamp_assigner takes a TimestampAssigner, got %r" % (timestamp_assigner,))
        return WatermarkStrategy(self._name, self.out_of_orderness_ms, timestamp_assigner)

    def with_idleness(self, idle_timeout) -> "WatermarkStrategy":
        """Accepted for PyFlink compatibility (PyFn's sources are bounded: none goes idle)."""
        return self

    def with_watermark_alignment(self, *args, **kwargs) -> "WatermarkStrategy":
        """Accepted for PyFlink compatibility."""
        return self

    def __repr__(self) -> str:
        return "WatermarkStrategy.%s(%s)" % (self._name, "" if self.out_of_orderness_ms is None
                                             else "%d ms" % self.out_of_orderness_ms)
