"""`pyflink.datastream.timerservice`'s module path: the TimerService a KeyedProcessFunction's Context hands out."""

from pyfn.datastream.functions import TimerService

__all__ = ["TimerService"]
