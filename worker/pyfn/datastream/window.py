"""PyFlink's windows and window assigners (`pyflink.datastream.window`): which windows a record falls into.

A `TimeWindow` is `[start, end)` in milliseconds and fires once time passes `max_timestamp()` (`end - 1`): event
time when the watermark passes it, processing time when the clock does. A `CountWindow` is numbered and fires when
it holds its size of records. Session assigners merge windows that overlap (`MergingWindowAssigner`). The windows
run in the worker as a keyed process function over the runner's keyed state and timers (`window_operator.py`).
"""

from __future__ import annotations

from typing import List

from pyfn.datastream.triggers import (ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger, CountTrigger,
                                      EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger, PurgingTrigger, Trigger,
                                      TriggerResult)

MIN_LONG_VALUE = -(2 ** 63)
MAX_LONG_VALUE = 2 ** 63 - 1

__all__ = ["Window", "TimeWindow", "CountWindow", "WindowAssigner", "MergingWindowAssigner",
           "TumblingEventTimeWindows", "SlidingEventTimeWindows", "TumblingProcessingTimeWindows",
           "SlidingProcessingTimeWindows", "EventTimeSessionWindows", "ProcessingTimeSessionWindows",
           "DynamicEventTimeSessionWindows", "DynamicProcessingTimeSessionWindows",
           "SessionWindowTimeGapExtractor", "CountTumblingWindowAssigner", "CountSlidingWindowAssigner", "GlobalWindow",
           "GlobalWindows", "TriggerResult", "Trigger", "EventTimeTrigger", "ProcessingTimeTrigger",
           "ContinuousEventTimeTrigger", "ContinuousProcessingTimeTrigger", "PurgingTrigger", "CountTrigger",
           "NeverTrigger"]


def _millis(span) -> int:
    """A `Time`, `Duration` or int of milliseconds as milliseconds."""
    return span if isinstance(span, int) else span.to_milliseconds()


class Window:
    """A group of records that is evaluated together."""

    def max_timestamp(self) -> int:
        """The largest timestamp that still belongs to this window."""
        raise NotImplementedError


class TimeWindow(Window):
    """The time window `[start, end)` in epoch milliseconds."""

    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int):
        self.start = start
        self.end = end

    def max_timestamp(self) -> int:
        return self.end - 1

    def intersects(self, other: "TimeWindow") -> bool:
        """Whether the two windows overlap or touch (such session windows merge)."""
        return self.start <= other.end and self.end >= other.start

    def cover(self, other: "TimeWindow") -> "TimeWindow":
        """The smallest window holding both."""
        return TimeWindow(min(self.start, other.start), max(self.end, other.end))

    @staticmethod
    def get_window_start_with_offset(timestamp: int, offset: int, window_size: int) -> int:
        """The start of the window of `window_size` (shifted by `offset`) that holds `timestamp`."""
        remainder = (timestamp - offset) % window_size
        return timestamp - remainder

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    def __eq__(self, other) -> bool:
        return isinstance(other, TimeWindow) and (self.start, self.end) == (other.start, other.end)

    def __lt__(self, other: "TimeWindow") -> bool:
        return (self.start, self.end) < (other.start, other.end)

    def __repr__(self) -> str:
        return "TimeWindow(start=%d, end=%d)" % (self.start, self.end)


class CountWindow(Window):
    """A count window, numbered from 0 per key."""

    __slots__ = ("id",)

    def __init__(self, id: int):
        self.id = id

    def max_timestamp(self) -> int:
        return MAX_LONG_VALUE

    def __hash__(self) -> int:
        return hash(self.id)

    def __eq__(self, other) -> bool:
        return isinstance(other, CountWindow) and self.id == other.id

    def __lt__(self, other: "CountWindow") -> bool:
        return self.id < other.id

    def __repr__(self) -> str:
        return "CountWindow(id=%d)" % self.id


class GlobalWindow(Window):
    """The one window of a key that GlobalWindows puts every record in."""

    __slots__ = ()

    @staticmethod
    def get() -> "GlobalWindow":
        """The global window."""
        return GlobalWindow()

    def max_timestamp(self) -> int:
        return MAX_LONG_VALUE

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other) -> bool:
        return isinstance(other, GlobalWindow)

    def __lt__(self, other: "GlobalWindow") -> bool:
        return False

    def __repr__(self) -> str:
        return "GlobalWindow"


class WindowAssigner:
    """Assigns a record to zero or more windows. `is_event_time()` says which clock fires them; `count` is the
    number of records a count window fires at and `slide` how many records apart they start (None for time
    windows)."""

    count = None
    slide = None

    def assign_windows(self, element, timestamp: int, context=None) -> List[Window]:
        """The windows `element`, at `timestamp`, belongs to."""
        raise NotImplementedError

    def is_event_time(self) -> bool:
        """Whether the windows fire by the watermark (else by the clock or by count)."""
        raise NotImplementedError


class MergingWindowAssigner(WindowAssigner):
    """An assigner whose windows merge when they overlap (sessions)."""


class _TimeAssigner(WindowAssigner):
    """Tumbling (slide == size) and sliding time windows."""

    _event_time = True

    def __init__(self, size: int, slide: int, offset: int):
        if size <= 0 or slide <= 0:
            raise ValueError("%s parameters must satisfy size > 0 and slide > 0, got size %d ms, slide %d ms"
                             % (type(self).__name__, size, slide))
        if abs(offset) >= slide:
            raise ValueError("%s parameters must satisfy abs(offset) < %s" % (type(self).__name__,
                                                                                 "size" if slide == size else "slide"))
        self._size = size
        self._slide = slide
        self._offset = offset

    def assign_windows(self, element, timestamp: int, context=None) -> List[Window]:
        last_start = TimeWindow.get_window_start_with_offset(timestamp, self._offset, self._slide)
        return [TimeWindow(start, start + self._size)
                for start in range(last_start, timestamp - self._size, -self._slide)]

    def is_event_time(self) -> bool:
        return self._event_time

    def __repr__(self) -> str:
        if self._slide == self._size:
            return "%s(%d, %d)" % (type(self).__name__, self._size, self._offset)
        return "%s(%d, %d, %d)" % (type(self).__name__, self._size, self._slide, self._offset)


class TumblingEventTimeWindows(_TimeAssigner):
    """Windows of a fixed size that do not overlap, by the records' event time:
    `key_by(...).window(TumblingEventTimeWindows.of(Time.minutes(1)))`."""

    @staticmethod
    def of(size, offset=None) -> "TumblingEventTimeWindows":
        """Windows of `size` (a Time or Duration), starts shifted by `offset`."""
        return TumblingEventTimeWindows(_millis(size), _millis(size), _millis(offset or 0))


class SlidingEventTimeWindows(_TimeAssigner):
    """Windows of a fixed size starting every `slide`, by the records' event time (a record is in size/slide
    windows)."""

    @staticmethod
    def of(size, slide, offset=None) -> "SlidingEventTimeWindows":
        """Windows of `size` starting every `slide` (Times or Durations), starts shifted by `offset`."""
        return SlidingEventTimeWindows(_millis(size), _millis(slide), _millis(offset or 0))


class TumblingProcessingTimeWindows(_TimeAssigner):
    """Tumbling windows by the worker's clock when the record arrives."""

    _event_time = False

    @staticmethod
    def of(size, offset=None) -> "TumblingProcessingTimeWindows":
        """Windows of `size`, starts shifted by `offset`."""
        return TumblingProcessingTimeWindows(_millis(size), _millis(size), _millis(offset or 0))


class SlidingProcessingTimeWindows(_TimeAssigner):
    """Sliding windows by the worker's clock when the record arrives."""

    _event_time = False

    @staticmethod
    def of(size, slide, offset=None) -> "SlidingProcessingTimeWindows":
        """Windows of `size` starting every `slide`, starts shifted by `offset`."""
        return SlidingProcessingTimeWindows(_millis(size), _millis(slide), _millis(offset or 0))


class SessionWindowTimeGapExtractor:
    """The gap of a session with dynamic gaps: `extract(element)` in milliseconds."""

    def extract(self, element) -> int:
        """The session gap after `element`, in milliseconds (positive)."""
        raise NotImplementedError


class _SessionAssigner(MergingWindowAssigner):
    """A window `[t, t + gap)` per record; windows that overlap or touch merge into one session. The gap is fixed,
    or an extractor's for each record (`with_dynamic_gap`)."""

    _event_time = True

    def __init__(self, gap: int, extractor: SessionWindowTimeGapExtractor = None):
        if extractor is None and gap <= 0:
            raise ValueError("%s parameters must satisfy 0 < size, got a gap of %d ms" % (type(self).__name__, gap))
        self._gap = gap
        self._extractor = extractor

    def assign_windows(self, element, timestamp: int, context=None) -> List[Window]:
        if self._extractor is None:
            return [TimeWindow(timestamp, timestamp + self._gap)]
        gap = self._extractor.extract(element)
        if gap <= 0:
            raise ValueError("%s: the session gap of %r is %r ms; it must be positive"
                             % (type(self).__name__, element, gap))
        return [TimeWindow(timestamp, timestamp + gap)]

    def carried_functions(self) -> list:
        """The user's gap extractor (its module travels by value)."""
        return [] if self._extractor is None else [self._extractor]

    def is_event_time(self) -> bool:
        return self._event_time

    def __repr__(self) -> str:
        return "%s(%d)" % (type(self).__name__, self._gap)


class EventTimeSessionWindows(_SessionAssigner):
    """Sessions by event time: records of a key closer than `gap` to each other fall into one window."""

    @staticmethod
    def with_gap(size) -> "EventTimeSessionWindows":
        """Sessions closed by a gap of `size` (a Time or Duration) without records."""
        return EventTimeSessionWindows(_millis(size))

    @staticmethod
    def with_dynamic_gap(extractor: SessionWindowTimeGapExtractor) -> "EventTimeSessionWindows":
        """Sessions whose gap after each record is `extractor.extract(record)` milliseconds."""
        return EventTimeSessionWindows(0, extractor)


class ProcessingTimeSessionWindows(_SessionAssigner):
    """Sessions by the worker's clock."""

    _event_time = False

    @staticmethod
    def with_gap(size) -> "ProcessingTimeSessionWindows":
        """Sessions closed by a gap of `size` without records."""
        return ProcessingTimeSessionWindows(_millis(size))

    @staticmethod
    def with_dynamic_gap(extractor: SessionWindowTimeGapExtractor) -> "ProcessingTimeSessionWindows":
        """Sessions whose gap after each record is `extractor.extract(record)` milliseconds."""
        return ProcessingTimeSessionWindows(0, extractor)


class DynamicEventTimeSessionWindows(EventTimeSessionWindows):
    """Event-time sessions whose gap after each record is `extractor.extract(record)` milliseconds (PyFlink's
    spelling of `EventTimeSessionWindows.with_dynamic_gap`)."""

    def __init__(self, session_window_time_gap_extractor: SessionWindowTimeGapExtractor):
        super().__init__(0, session_window_time_gap_extractor)

    @staticmethod
    def with_dynamic_gap(extractor: SessionWindowTimeGapExtractor) -> "DynamicEventTimeSessionWindows":
        """Sessions whose gap after each record is `extractor.extract(record)` milliseconds."""
        return DynamicEventTimeSessionWindows(extractor)


class DynamicProcessingTimeSessionWindows(ProcessingTimeSessionWindows):
    """Processing-time sessions with a gap per record (`ProcessingTimeSessionWindows.with_dynamic_gap`)."""

    def __init__(self, session_window_time_gap_extractor: SessionWindowTimeGapExtractor):
        super().__init__(0, session_window_time_gap_extractor)

    @staticmethod
    def with_dynamic_gap(extractor: SessionWindowTimeGapExtractor) -> "DynamicProcessingTimeSessionWindows":
        """Sessions whose gap after each record is `extractor.extract(record)` milliseconds."""
        return DynamicProcessingTimeSessionWindows(extractor)


class CountTumblingWindowAssigner(WindowAssigner):
    """Windows of `window_size` records per key, one after another (`count_window(size)`); a last window with
    fewer records never fires, as in Flink."""

    def __init__(self, window_size: int):
        if window_size <= 0:
            raise ValueError("a count window's size must be positive, got %d" % window_size)
        self.count = window_size
        self.slide = window_size

    @staticmethod
    def of(window_size: int) -> "CountTumblingWindowAssigner":
        """Windows of `window_size` records."""
        return CountTumblingWindowAssigner(window_size)

    def assign_windows(self, element, timestamp: int, context=None) -> List[Window]:
        """`timestamp` is the record's number under its key (0, 1, …): window i holds records
        i·slide … i·slide + size - 1."""
        last = timestamp // self.slide
        return [CountWindow(i) for i in range(last, -1, -1) if i * self.slide + self.count > timestamp]

    def is_event_time(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "CountTumblingWindowAssigner(%d)" % self.count


class CountSlidingWindowAssigner(CountTumblingWindowAssigner):
    """Windows of `window_size` records starting every `window_slide` records per key
    (`count_window(size, slide)`)."""

    def __init__(self, window_size: int, window_slide: int):
        super().__init__(window_size)
        if window_slide <= 0:
            raise ValueError("a count window's slide must be positive, got %d" % window_slide)
        self.slide = window_slide

    @staticmethod
    def of(window_size: int, window_slide: int) -> "CountSlidingWindowAssigner":
        """Windows of `window_size` records every `window_slide` records."""
        return CountSlidingWindowAssigner(window_size, window_slide)

    def __repr__(self) -> str:
        return "CountSlidingWindowAssigner(%d, %d)" % (self.count, self.slide)


class GlobalWindows(WindowAssigner):
    """Every record of a key in one GlobalWindow, which never ends: it fires only by a trigger set with
    `.trigger(...)` (the default, NeverTrigger, never fires)."""

    @staticmethod
    def create() -> "GlobalWindows":
        """The assigner."""
        return GlobalWindows()

    def assign_windows(self, element, timestamp: int, context=None) -> List[Window]:
        return [GlobalWindow()]

    def get_default_trigger(self, env=None) -> Trigger:
        """NeverTrigger: a global window fires only by the trigger the program sets."""
        return NeverTrigger()

    def is_event_time(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "GlobalWindows()"
