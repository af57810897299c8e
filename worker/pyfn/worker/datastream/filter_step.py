"""`filter`: keeps the records the function returns a true value for; keys stay with their records."""

from __future__ import annotations

import itertools

from pyfn.datastream.functions import FilterFunction
from pyfn.worker.datastream.step_base import Step


class FilterStep(Step):
    """Evaluates the predicate over the batch, then keeps the records (and keys) it accepted."""

    method = (FilterFunction, "filter")

    def run(self, values, keys):
        state = self.environment.state
        flags: list = []
        try:
            if keys is not None and state is not None and state.descriptors:
                call, set_key = self.call, state.set_current_key
                for value, key in zip(values, keys):
                    set_key(None, key)
                    flags.append(call(value))
            else:
                flags.extend(map(self.call, values))
        except Exception as error:
            raise self.failed(error, values[len(flags)], len(flags)) from None
        kept = list(itertools.compress(values, flags))
        if self.environment.record_times is not None:
            self.environment.record_times = list(itertools.compress(self.environment.record_times, flags))
        return kept, (None if keys is None else list(itertools.compress(keys, flags)))
