"""`reduce` on a keyed stream: each key's value so far combined with its next record, kept in the runner's state.

Streaming mode emits the new value after every record (PyFlink's behaviour); batch mode emits, per bundle, the
latest value of each key it touched, keyed, and the runner keeps the last per key until the input ends.
"""

from __future__ import annotations

from pyfn.datastream.functions import ReduceFunction
from pyfn.worker.datastream.keyed_state import _ABSENT
from pyfn.worker.datastream.step_base import Step
from pyfn.worker.errors import BundleError

#: The state name under which a reduce keeps each key's value.
REDUCE_STATE = "__reduce__"


class ReduceStep(Step):
    """Reduces each record into its key's value."""

    method = (ReduceFunction, "reduce")

    def __init__(self, spec, environment):
        super().__init__(spec, environment)
        if environment.state is None:
            raise BundleError("reduce %r needs a keyed stream (call key_by first)" % self.name)

    def run(self, values, keys):
        if keys is None:
            raise BundleError("reduce %r got records without keys" % self.name)
        state = self.environment.state
        state.prefetch(keys, [REDUCE_STATE])
        set_key, read, write, call = state.set_current_key, state.read, state.write, self.call
        out: list = []
        latest: dict = {}
        index = 0
        try:
            for index, (value, key) in enumerate(zip(values, keys)):
                set_key(None, key)
                current = read(REDUCE_STATE)
                current = value if current is _ABSENT else call(current, value)
                write(REDUCE_STATE, current)
                out.append(current)
                latest[key] = current
        except Exception as error:
            raise self.failed(error, values[index], index) from None
        if self.environment.batch_mode:
            if self.environment.record_times is not None:  # one final value per key: no record's timestamp
                self.environment.record_times = [None] * len(latest)
            return list(latest.values()), list(latest.keys())
        return out, None
