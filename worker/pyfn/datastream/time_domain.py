"""`TimeDomain` (`pyflink.datastream.time_domain`): which clock a firing timer belongs to."""

from enum import Enum

__all__ = ["TimeDomain"]


class TimeDomain(Enum):
    """EVENT_TIME: the watermark passed the timer; PROCESSING_TIME: the wall clock did."""

    EVENT_TIME = 0
    PROCESSING_TIME = 1
