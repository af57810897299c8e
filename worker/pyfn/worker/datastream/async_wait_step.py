"""`AsyncDataStream.unordered_wait` / `ordered_wait`: the batch's records are answered all at once by the
AsyncFunction (concurrently, in the worker's event loop), then go out as a flat_map's would: each record's output
records in input order, with its timestamp; a record whose call raised fails the step naming it."""

from __future__ import annotations

from pyfn.datastream.async_data_stream import AsyncWait
from pyfn.worker.datastream.flat_map_step import FlatMapStep


class AsyncWaitStep(FlatMapStep):
    """Runs the AsyncFunction over a batch."""

    method = (AsyncWait, "invoke_all")

    def run(self, values, keys, call=None):
        answers = iter(self.call(values))

        def answer(value):
            produced = next(answers)
            if isinstance(produced, Exception):
                raise produced
            return produced

        return super().run(values, keys, call=answer)
