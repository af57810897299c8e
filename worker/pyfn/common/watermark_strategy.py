"""`WatermarkStrategy` (`pyflink.common.watermark_strategy`): accepted by `from_source`; PyFn's DataStream sources
are bounded and carry no event time yet, so every strategy means "no watermarks"."""

from __future__ import annotations

__all__ = ["WatermarkStrategy", "TimestampAssigner"]


class TimestampAssigner:
    """Extracts a record's event time (kept for compatibility; not used yet)."""

    def extract_timestamp(self, value, record_timestamp: int) -> int:
        """The record's timestamp in milliseconds."""
        return record_timestamp


class WatermarkStrategy:
    """How watermarks are made (kept for compatibility)."""

    def __init__(self, name: str):
        self._name = name

    @staticmethod
    def no_watermarks() -> "WatermarkStrategy":
        """No watermarks."""
        return WatermarkStrategy("no_watermarks")

    @staticmethod
    def for_monotonous_timestamps() -> "WatermarkStrategy":
        """Ascending timestamps."""
        return WatermarkStrategy("for_monotonous_timestamps")

    @staticmethod
    def for_bounded_out_of_orderness(max_out_of_orderness) -> "WatermarkStrategy":
        """Timestamps out of order by at most the given duration."""
        return WatermarkStrategy("for_bounded_out_of_orderness")

    def with_timestamp_assigner(self, timestamp_assigner: TimestampAssigner) -> "WatermarkStrategy":
        """Sets the timestamp assigner."""
        return self

    def with_idleness(self, idle_timeout) -> "WatermarkStrategy":
        """Sets the idleness timeout."""
        return self
