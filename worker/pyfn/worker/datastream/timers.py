"""Timers of a KeyedProcessFunction in the worker: the TimerService its Contexts hand out, and the timer requests
a batch makes, which go back to the runner as rows of the output batch.

The timers themselves live in the runner (docs/wire-contract.md, "DataStream timers"): the worker only asks for
changes (`register_*`/`delete_*`, collected per batch as (operation, time, key) rows) and is told when a timer
fires (a row of the input batch). A batch's requests travel in its output, so the runner applies them only when
the bundle succeeds: a replayed bundle never registers twice.
"""

from __future__ import annotations

import numbers
import time
from typing import Callable, List, Optional, Tuple

from pyfn.datastream.functions import KeyedProcessFunction, TimerService
from pyfn.datastream.time_domain import TimeDomain

#: `__timer` of an input row: a record, or which kind of timer fires.
RECORD, EVENT_TIMER_FIRES, PROCESSING_TIMER_FIRES = 0, 1, 2
#: `__timer` of an output row: a record, or what the runner is asked to do with the current key's timer.
REGISTER_EVENT, REGISTER_PROCESSING, DELETE_EVENT, DELETE_PROCESSING = 1, 2, 3, 4

MIN_WATERMARK = -(2 ** 63)
_DOMAIN_OF_ROW = {EVENT_TIMER_FIRES: TimeDomain.EVENT_TIME, PROCESSING_TIMER_FIRES: TimeDomain.PROCESSING_TIME}


def _wall_clock_ms() -> int:
    return int(time.time() * 1000)


_clock: Callable[[], int] = _wall_clock_ms


def use_clock(clock: Optional[Callable[[], int]] = None) -> None:
    """Test hook: `current_processing_time()` answers `clock()` (ms, an int) from now on, in this interpreter (the
    runner's timers keep its wall clock); None restores the wall clock."""
    global _clock
    _clock = _wall_clock_ms if clock is None else clock


class RunnerTimerService(TimerService):
    """The TimerService of one operator: the current row's watermark and key, and the requests made so far."""

    def __init__(self):
        self.watermark = MIN_WATERMARK
        self.key_bytes = b""
        self.requests: List[Tuple[int, int, bytes]] = []

    def current_processing_time(self) -> int:
        return _clock()

    def current_watermark(self) -> int:
        return self.watermark

    def _request(self, operation: int, timestamp) -> None:
        if isinstance(timestamp, bool) or not isinstance(timestamp, numbers.Integral):
            raise TypeError("a timer's time is an int of milliseconds, got %r" % (timestamp,))
        self.requests.append((operation, int(timestamp), self.key_bytes))

    def register_event_time_timer(self, timestamp: int) -> None:
        self._request(REGISTER_EVENT, timestamp)

    def register_processing_time_timer(self, timestamp: int) -> None:
        self._request(REGISTER_PROCESSING, timestamp)

    def delete_event_time_timer(self, timestamp: int) -> None:
        self._request(DELETE_EVENT, timestamp)

    def delete_processing_time_timer(self, timestamp: int) -> None:
        self._request(DELETE_PROCESSING, timestamp)

    def take_requests(self) -> List[Tuple[int, int, bytes]]:
        """The requests made since the last call."""
        requests, self.requests = self.requests, []
        return requests


class TimerContext(KeyedProcessFunction.OnTimerContext):
    """The Context of `process_element` and `on_timer` on a stream with timers: key, timestamp, timer domain."""

    def __init__(self, timers: RunnerTimerService):
        self._timers = timers
        self._key = None
        self._timestamp: Optional[int] = None
        self._domain: Optional[TimeDomain] = None

    def set_row(self, key, timestamp: Optional[int], kind: int) -> None:
        """Makes the context that of one input row (its key already unpickled)."""
        self._key = key
        self._timestamp = timestamp
        self._domain = _DOMAIN_OF_ROW.get(kind)

    def get_current_key(self):
        return self._key

    def timer_service(self) -> TimerService:
        return self._timers

    def timestamp(self) -> Optional[int]:
        return self._timestamp

    def time_domain(self) -> TimeDomain:
        if self._domain is None:
            raise RuntimeError("time_domain() is only known in on_timer")
        return self._domain


class TimerRows:
    """The timer columns of one input batch (`__timer`, `__time`, `__watermark`), handed to the keyed process
    step."""

    def __init__(self, kinds: list, times: list, watermarks: list):
        self.kinds = kinds
        self.times = times
        self.watermarks = watermarks
