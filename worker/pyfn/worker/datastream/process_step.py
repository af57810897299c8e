"""`process`: a ProcessFunction (or, on a keyed stream, a KeyedProcessFunction with the record's key current and
keyed state) called with each record and a Context; it returns an iterable, yields, or returns None."""

from __future__ import annotations

import pickle

from pyfn.datastream.functions import KeyedProcessFunction, ProcessFunction
from pyfn.worker.datastream.context import ProcessContext
from pyfn.worker.datastream.step_base import Step
from pyfn.worker.datastream.timers import RECORD, TimerContext


class ProcessStep(Step):
    """Calls `process_element(value, ctx)` per record and collects what it produces."""

    method = (ProcessFunction, "process_element")

    def __init__(self, spec, environment):
        super().__init__(spec, environment)
        self.context = ProcessContext()

    def run(self, values, keys):
        out: list = []
        extend, call, context = out.extend, self.call, self.context
        state = self.environment.state
        if keys is not None and state is not None and state.descriptors:
            state.prefetch(keys)
        set_key = state.set_current_key if state is not None and keys is not None else None
        stamps = self.environment.record_times
        times: list = []
        index = 0
        try:
            for index, value in enumerate(values):
                if keys is not None:
                    key = keys[index]
                    context.set_key(key)
                    if set_key is not None:
                        set_key(None, key)
                if stamps is not None:
                    context.set_timestamp(stamps[index])
                before = len(out)
                produced = call(value, context)
                if produced is not None:
                    extend(produced)
                    if stamps is not None:
                        times.extend([stamps[index]] * (len(out) - before))
        except Exception as error:
            raise self.failed(error, values[index], index) from None
        if stamps is not None:
            self.environment.record_times = times
        return out, None


class KeyedProcessStep(ProcessStep):
    """The same for a KeyedProcessFunction; on a stream with timers (the chain's first step, the input carrying
    `__timer` rows), a firing timer's row calls `on_timer(timestamp, ctx)` instead, and the Context has the
    record's timestamp, the watermark and a TimerService."""

    method = (KeyedProcessFunction, "process_element")

    def __init__(self, spec, environment):
        super().__init__(spec, environment)
        self.timers = environment.timers
        if self.timers is not None:
            self.timer_context = TimerContext(self.timers)
            function = spec.function
            self.on_timer = function.on_timer if isinstance(function, KeyedProcessFunction) else None

    def run(self, values, keys):
        rows = self.environment.timer_rows
        if self.timers is None or rows is None:
            return super().run(values, keys)
        out: list = []
        extend, call, on_timer, context, timers = out.extend, self.call, self.on_timer, self.timer_context, self.timers
        state = self.environment.state
        if state is not None and state.descriptors:
            state.prefetch(keys)
        kinds, times, watermarks = rows.kinds, rows.times, rows.watermarks
        out_times: list = []  # each output's timestamp: its record's, or the firing timer's
        index = 0
        last_key_bytes, key = None, None
        try:
            for index, value in enumerate(values):
                key_bytes = keys[index]
                if key_bytes != last_key_bytes:
                    last_key_bytes, key = key_bytes, pickle.loads(key_bytes)
                if state is not None:
                    state.set_current_key(None, key_bytes)
                timers.key_bytes = key_bytes
                timers.watermark = watermarks[index]
                kind = kinds[index]
                context.set_row(key, times[index], kind)
                if kind == RECORD:
                    produced = call(value, context)
                elif on_timer is not None:
                    produced = on_timer(times[index], context)
                else:
                    produced = None
                if produced is not None:
                    before = len(out)
                    extend(produced)
                    out_times.extend([times[index]] * (len(out) - before))
        except Exception as error:
            what = values[index] if kinds[index] == RECORD else "<timer at %s for key %r>" % (times[index], key)
            raise self.failed(error, what, index) from None
        self.environment.record_times = out_times
        return out, None
