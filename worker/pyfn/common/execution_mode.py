"""`RuntimeExecutionMode`: whether a job runs as a bounded batch job or as a stream (PyFlink's enum)."""

from enum import Enum

__all__ = ["RuntimeExecutionMode"]


class RuntimeExecutionMode(Enum):
    """STREAMING, BATCH or AUTOMATIC (batch when every source is bounded), with PyFlink's values."""

    STREAMING = 0
    BATCH = 1
    AUTOMATIC = 2

    def setting(self) -> str:
        """The value of the `execution.runtime-mode` setting (`streaming`, `batch`, `automatic`)."""
        return self.name.lower()
