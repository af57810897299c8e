"""`flat_map`: zero or more output records per input record (the function returns an iterable or is a
generator; None means none)."""

from __future__ import annotations

from pyfn.datastream.functions import FlatMapFunction
from pyfn.worker.datastream.step_base import Step


class FlatMapStep(Step):
    """Calls the function on each record and collects what it yields."""

    method = (FlatMapFunction, "flat_map")

    def run(self, values, keys, call=None):
        """The records the function (or `call`, one record's output records) makes from `values`; with event time
        (`record_times`), each output record gets its input record's timestamp."""
        state = self.environment.state
        set_key = state.set_current_key if keys is not None and state is not None and state.descriptors else None
        stamps = self.environment.record_times
        out: list = []
        times: list = []
        extend, call = out.extend, call or self.call
        index = 0
        try:
            for index, value in enumerate(values):
                if set_key is not None:
                    set_key(None, keys[index])
                produced = call(value)
                if produced is None:
                    continue
                if stamps is None:
                    extend(produced)
                else:
                    before = len(out)
                    extend(produced)
                    times.extend([stamps[index]] * (len(out) - before))
        except Exception as error:
            raise self.failed(error, values[index], index) from None
        if stamps is not None:
            self.environment.record_times = times
        return out, None
