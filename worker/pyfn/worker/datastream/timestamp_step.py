"""`assign_timestamps_and_watermarks`: the strategy's TimestampAssigner gives each record its event time. The
records go on unchanged; their timestamps leave the operator in a `__ts` column, from which the runner makes the
watermark (only 1:1 steps — map, key_by — may follow in the same chain, so the timestamps stay aligned)."""

from __future__ import annotations

import numbers

from pyfn.common.watermark_strategy import TimestampAssigner
from pyfn.worker.datastream.step_base import Step
from pyfn.worker.errors import BundleError

#: The timestamp a record has before an assigner gives it one (Flink's "no timestamp").
NO_TIMESTAMP = -(2 ** 63)


class TimestampStep(Step):
    """Calls `extract_timestamp(value, record_timestamp)` per record and keeps the results for the output."""

    method = (TimestampAssigner, "extract_timestamp")

    def _callable(self, function):
        if function is None:
            return None
        return super()._callable(function)

    def run(self, values, keys):
        if self.call is None:
            self.environment.record_times = [None] * len(values)
            return values, keys
        times: list = []
        call = self.call
        try:
            for value in values:
                stamp = call(value, NO_TIMESTAMP)
                if isinstance(stamp, bool) or not isinstance(stamp, numbers.Integral):
                    raise BundleError("the timestamp must be an int of milliseconds, got %r" % (stamp,))
                times.append(int(stamp))
        except Exception as error:
            raise self.failed(error, values[len(times)], len(times)) from None
        self.environment.record_times = times
        return values, keys
