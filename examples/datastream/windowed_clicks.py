"""Clicks per user per 10-second window of event time, as PyFlink 2.x writes it (imports changed to pyfn):
timestamps and a 2-second watermark delay from `assign_timestamps_and_watermarks`, `key_by` → `window(
TumblingEventTimeWindows…)` → a ProcessWindowFunction, and the clicks that arrive after their window fired sent
to a side output. `python windowed_clicks.py [--parallelism N]` prints `(user,window start,clicks)` per window and
`late: (user,time)` per late click."""

import argparse
from typing import Iterable

from pyfn.common import Duration, Time, Types, WatermarkStrategy
from pyfn.common.watermark_strategy import TimestampAssigner
from pyfn.datastream import OutputTag, ProcessWindowFunction, StreamExecutionEnvironment
from pyfn.datastream.window import TimeWindow, TumblingEventTimeWindows

CLICK = Types.TUPLE([Types.STRING(), Types.LONG()])
LATE = OutputTag("late-clicks", CLICK)


def clicks():
    """(user, event time in ms): three users over a minute, slightly out of order, and two clicks that come a
    minute late."""
    out = [("user%d" % (i % 3), 1000 * i + (700 if i % 4 == 0 else 0)) for i in range(60)]
    out[10], out[11] = out[11], out[10]
    return out + [("user1", 5_000), ("user2", 12_000)]


class ClickTime(TimestampAssigner):
    def extract_timestamp(self, value, record_timestamp) -> int:
        return value[1]


class CountClicks(ProcessWindowFunction[tuple, tuple, str, TimeWindow]):
    def process(self, key: str, context: ProcessWindowFunction.Context[TimeWindow],
                elements: Iterable[tuple]) -> Iterable[tuple]:
        yield key, context.window().start, len(list(elements))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--parallelism", type=int, default=1)
    args = parser.parse_args()

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(args.parallelism)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "10")
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_seconds(2)).with_timestamp_assigner(
        ClickTime())
    counts = (env.from_collection(clicks(), type_info=CLICK)
              .assign_timestamps_and_watermarks(strategy)
              .key_by(lambda click: click[0], key_type=Types.STRING())
              .window(TumblingEventTimeWindows.of(Time.seconds(10)))
              .side_output_late_data(LATE)
              .process(CountClicks(), Types.TUPLE([Types.STRING(), Types.LONG(), Types.INT()])))
    counts.print()
    counts.get_side_output(LATE).map(lambda click: "late: (%s,%d)" % click, output_type=Types.STRING()).print()
    env.execute("windowed_clicks")


if __name__ == "__main__":
    main()
