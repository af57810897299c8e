"""`flat_map`: zero or more output records per input record (the function returns an iterable or is a
generator; None means none)."""

from __future__ import annotations

from pyfn.datastream.functions import FlatMapFunction
from pyfn.worker.datastream.step_base import Step


class FlatMapStep(Step):
    """Calls the function on each record and collects what it yields."""

    method = (FlatMapFunction, "flat_map")

    def run(self, values, keys):
        if self.environment.record_times is not None:
            return self.run_timed(values, keys)
        state = self.environment.state
        set_key = state.set_current_key if keys is not None and state is not None and state.descriptors else None
        out: list = []
        extend, call = out.extend, self.call
        index = 0
        try:
            for index, value in enumerate(values):
                if set_key is not None:
                    set_key(None, keys[index])
                produced = call(value)
                if produced is not None:
                    extend(produced)
        except Exception as error:
            raise self.failed(error, values[index], index) from None
        return out, None

    def run_timed(self, values, keys):
        """As `run`, each output record with its input record's event-time timestamp."""
        state = self.environment.state
        set_key = state.set_current_key if keys is not None and state is not None and state.descriptors else None
        out: list = []
        times: list = []
        index = 0
        try:
            for index, (value, stamp) in enumerate(zip(values, self.environment.record_times)):
                if set_key is not None:
                    set_key(None, keys[index])
                produced = self.call(value)
                if produced is not None:
                    before = len(out)
                    out.extend(produced)
                    times.extend([stamp] * (len(out) - before))
        except Exception as error:
            raise self.failed(error, values[index], index) from None
        self.environment.record_times = times
        return out, None
