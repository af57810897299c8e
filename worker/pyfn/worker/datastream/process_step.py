"""`process`: a ProcessFunction (or, on a keyed stream, a KeyedProcessFunction with the record's key current and
keyed state) called with each record and a Context; it returns an iterable, yields, or returns None."""

from __future__ import annotations

from pyfn.datastream.functions import KeyedProcessFunction, ProcessFunction
from pyfn.worker.datastream.context import ProcessContext
from pyfn.worker.datastream.step_base import Step


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
        index = 0
        try:
            for index, value in enumerate(values):
                if keys is not None:
                    key = keys[index]
                    context.set_key(key)
                    if set_key is not None:
                        set_key(None, key)
                produced = call(value, context)
                if produced is not None:
                    extend(produced)
        except Exception as error:
            raise self.failed(error, values[index], index) from None
        return out, None


class KeyedProcessStep(ProcessStep):
    """The same for a KeyedProcessFunction."""

    method = (KeyedProcessFunction, "process_element")
