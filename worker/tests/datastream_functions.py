"""DataStream functions the harness tests ship by reference (the worker imports this module)."""

from pyfn.datastream import (KeyedProcessFunction, MapFunction, ReduceFunction, RuntimeContext,
                             ValueStateDescriptor)
from pyfn.datastream.state import ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor


class RunningCount(KeyedProcessFunction):
    """Counts each key's records in ValueState and emits (key, count so far)."""

    def open(self, runtime_context: RuntimeContext):
        self.count = runtime_context.get_state(ValueStateDescriptor("count", None))

    def process_element(self, value, ctx):
        current = (self.count.value() or 0) + 1
        self.count.update(current)
        yield ctx.get_current_key(), current


class EveryState(KeyedProcessFunction):
    """Uses a ListState, a MapState and a ReducingState of each key; emits what they hold."""

    def open(self, runtime_context: RuntimeContext):
        self.seen = runtime_context.get_list_state(ListStateDescriptor("seen", None))
        self.counts = runtime_context.get_map_state(MapStateDescriptor("counts", None, None))
        self.total = runtime_context.get_reducing_state(ReducingStateDescriptor("total", lambda a, b: a + b, None))

    def process_element(self, value, ctx):
        word, n = value
        self.seen.add(word)
        self.counts.put(word, (self.counts.get(word) or 0) + 1)
        self.total.add(n)
        return [(ctx.get_current_key(), list(self.seen.get()), dict(self.counts.items()), self.total.get())]


class Subtask(MapFunction):
    """Tags each record with the subtask's index, the parallelism and a job parameter."""

    def open(self, runtime_context: RuntimeContext):
        self.tag = (runtime_context.get_index_of_this_subtask(), runtime_context.get_number_of_parallel_subtasks(),
                    runtime_context.get_job_parameter("tag", "none"))

    def map(self, value):
        return (value,) + self.tag


class Sum(ReduceFunction):
    """Adds the second fields."""

    def reduce(self, value1, value2):
        return value1[0], value1[1] + value2[1]


class TimerEcho(KeyedProcessFunction):
    """Echoes each record with its timestamp and the watermark, sets an event-time timer 10 ms later; each firing
    timer is echoed with its domain and deletes the processing-time timer at its own time."""

    def process_element(self, value, ctx):
        ctx.timer_service().register_event_time_timer(ctx.timestamp() + 10)
        yield "record", ctx.get_current_key(), value, ctx.timestamp(), ctx.timer_service().current_watermark()

    def on_timer(self, timestamp, ctx):
        ctx.timer_service().delete_processing_time_timer(timestamp)
        yield "timer", ctx.get_current_key(), timestamp, ctx.time_domain().name, ctx.timer_service().current_watermark()
