"""`Duration` (`pyflink.common.Duration`) and `Time` (`pyflink.common.time.Time`): spans of time, as watermark strategies and window assigners take them."""

from __future__ import annotations

__all__ = ["Duration", "Time"]


class Duration:
    """A span of time in milliseconds (`Duration.of_seconds(5)`), what `for_bounded_out_of_orderness` takes."""

    def __init__(self, millis: int):
        self._millis = int(millis)

    @staticmethod
    def of_millis(millis: int) -> "Duration":
        """`millis` milliseconds."""
        return Duration(millis)

    @staticmethod
    def of_seconds(seconds: int) -> "Duration":
        """`seconds` seconds."""
        return Duration(seconds * 1000)

    @staticmethod
    def of_minutes(minutes: int) -> "Duration":
        """`minutes` minutes."""
        return Duration(minutes * 60_000)

    @staticmethod
    def of_hours(hours: int) -> "Duration":
        """`hours` hours."""
        return Duration(hours * 3_600_000)

    @staticmethod
    def of_days(days: int) -> "Duration":
        """`days` days."""
        return Duration(days * 86_400_000)

    @staticmethod
    def zero() -> "Duration":
        """No time."""
        return Duration(0)

    def to_milliseconds(self) -> int:
        """The span in milliseconds."""
        return self._millis

    def __eq__(self, other) -> bool:
        return isinstance(other, Duration) and other._millis == self._millis

    def __hash__(self) -> int:
        return hash(self._millis)

    def __repr__(self) -> str:
        return "Duration(%d ms)" % self._millis


class Time:
    """A span of time in milliseconds as PyFlink's window assigners take it (`Time.seconds(5)`;
    `pyflink.common.time.Time`). `Duration` works wherever a `Time` does."""

    def __init__(self, milliseconds: int):
        self._milliseconds = int(milliseconds)

    def to_milliseconds(self) -> int:
        """The span in milliseconds."""
        return self._milliseconds

    @staticmethod
    def milliseconds(milliseconds: int) -> "Time":
        """`milliseconds` milliseconds."""
        return Time(milliseconds)

    @staticmethod
    def seconds(seconds: int) -> "Time":
        """`seconds` seconds."""
        return Time(seconds * 1000)

    @staticmethod
    def minutes(minutes: int) -> "Time":
        """`minutes` minutes."""
        return Time(minutes * 60_000)

    @staticmethod
    def hours(hours: int) -> "Time":
        """`hours` hours."""
        return Time(hours * 3_600_000)

    @staticmethod
    def days(days: int) -> "Time":
        """`days` days."""
        return Time(days * 86_400_000)

    def __eq__(self, other) -> bool:
        return isinstance(other, Time) and other._milliseconds == self._milliseconds

    def __hash__(self) -> int:
        return hash(self._milliseconds)

    def __str__(self) -> str:
        return "%d ms" % self._milliseconds
