"""`map`: one output record per input record."""

from __future__ import annotations

from pyfn.datastream.functions import MapFunction
from pyfn.worker.datastream.step_base import Step


class MapStep(Step):
    """Calls the function on each record; on a keyed stream with state, with the record's key current."""

    method = (MapFunction, "map")

    def run(self, values, keys):
        state = self.environment.state
        out: list = []
        if keys is not None and state is not None and state.descriptors:
            call, set_key = self.call, state.set_current_key
            try:
                for value, key in zip(values, keys):
                    set_key(None, key)
                    out.append(call(value))
            except Exception as error:
                raise self.failed(error, values[len(out)], len(out)) from None
            return out, None
        try:
            out.extend(map(self.call, values))
        except Exception as error:
            raise self.failed(error, values[len(out)], len(out)) from None
        return out, None
