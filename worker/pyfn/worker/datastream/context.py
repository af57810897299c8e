"""The RuntimeContext DataStream functions get in `open`, and the Context of process functions."""

from __future__ import annotations

import copy
import pickle
from typing import Dict, Optional

from pyfn.datastream.functions import KeyedProcessFunction, RuntimeContext, TimerService
from pyfn.metrics import MetricGroup
from pyfn.worker.datastream.keyed_state import KeyedStateBackend


class StreamRuntimeContext(RuntimeContext):
    """A subtask's view of the job: its index and parallelism, job parameters, metrics and keyed state."""

    def __init__(self, task_name: str, index: int, parallelism: int, job_parameters: Dict[str, str],
                 metric_group: MetricGroup, state: Optional[KeyedStateBackend]):
        self._task_name = task_name
        self._index = index
        self._parallelism = parallelism
        self._job_parameters = job_parameters
        self._metric_group = metric_group
        self._state = state

    def get_task_name(self) -> str:
        return self._task_name

    def get_number_of_parallel_subtasks(self) -> int:
        return self._parallelism

    def get_index_of_this_subtask(self) -> int:
        return self._index

    def get_job_parameter(self, key: str, default_value: Optional[str] = None) -> Optional[str]:
        return self._job_parameters.get(key, default_value)

    def get_metrics_group(self) -> MetricGroup:
        return self._metric_group

    def without_keyed_state(self) -> "StreamRuntimeContext":
        """This context with no keyed state to hand out (a function on a stream that is not keyed, run by an
        operator that keeps state of its own)."""
        other = copy.copy(self)
        other._state = None
        return other

    def state_backend(self) -> Optional[KeyedStateBackend]:
        """The operator's keyed state (None on a stream without keys): broadcast state keeps its maps there."""
        return self._state

    def _keyed(self, what: str) -> KeyedStateBackend:
        if self._state is None:
            raise RuntimeError("%s: keyed state is only available on a keyed stream (after key_by)" % what)
        return self._state

    def get_state(self, state_descriptor):
        return self._keyed("get_state").state_for(state_descriptor)

    def get_list_state(self, state_descriptor):
        return self._keyed("get_list_state").state_for(state_descriptor)

    def get_map_state(self, state_descriptor):
        return self._keyed("get_map_state").state_for(state_descriptor)

    def get_reducing_state(self, state_descriptor):
        return self._keyed("get_reducing_state").state_for(state_descriptor)

    def get_aggregating_state(self, state_descriptor):
        return self._keyed("get_aggregating_state").state_for(state_descriptor)


class _KeylessTimers(TimerService):
    """The TimerService of a stream without keys: time can be read, timers cannot be set (as in Flink)."""

    def current_processing_time(self) -> int:
        import time
        return int(time.time() * 1000)

    def current_watermark(self) -> int:
        return -(2 ** 63)

    def _refuse(self, what: str, timestamp) -> None:
        raise RuntimeError("%s(%r): timers are only supported on a keyed stream (key_by(...).process("
                           "KeyedProcessFunction))" % (what, timestamp))

    def register_processing_time_timer(self, timestamp: int) -> None:
        self._refuse("register_processing_time_timer", timestamp)

    def register_event_time_timer(self, timestamp: int) -> None:
        self._refuse("register_event_time_timer", timestamp)

    def delete_processing_time_timer(self, timestamp: int) -> None:
        self._refuse("delete_processing_time_timer", timestamp)

    def delete_event_time_timer(self, timestamp: int) -> None:
        self._refuse("delete_event_time_timer", timestamp)


_TIMERS = _KeylessTimers()


class ProcessContext(KeyedProcessFunction.Context):
    """The Context of `process_element` without timers (a ProcessFunction, or a keyed function later in a chain):
    the record's event-time timestamp (None without one); the current key on keyed streams."""

    __slots__ = ("_key_bytes", "_key", "_timestamp")

    def __init__(self):
        self._key_bytes = None
        self._key = None
        self._timestamp = None

    def set_timestamp(self, timestamp: Optional[int]) -> None:
        """The record's event-time timestamp."""
        self._timestamp = timestamp

    def set_key(self, key_bytes: Optional[bytes]) -> None:
        """The record's pickled key (None on a stream that is not keyed)."""
        if key_bytes != self._key_bytes:
            self._key_bytes = key_bytes
            self._key = None if key_bytes is None else pickle.loads(key_bytes)

    def get_current_key(self):
        return self._key

    def timer_service(self) -> TimerService:
        return _TIMERS

    def timestamp(self) -> Optional[int]:
        return self._timestamp
