"""PyFlink's DataStream API (`pyflink.datastream`), run by PyFn's Swift runner.

`StreamExecutionEnvironment` makes sources (`from_collection`, `read_text_file`, `from_source`); `DataStream` and
`KeyedStream` add functions (`map`, `flat_map`, `filter`, `key_by`, `reduce`, `process`, `window`, `connect`, …)
and sinks (`print`, `sink_to`, `execute_and_collect`); `env.execute()` runs the dataflow in the runner, each
function in a Python worker, consecutive functions chained in one worker call.
"""

from pyfn.common.execution_mode import RuntimeExecutionMode
from pyfn.datastream.data_stream import CloseableIterator, DataStream, DataStreamSink, KeyedStream
from pyfn.datastream.connected_streams import ConnectedStreams
from pyfn.datastream.broadcast_stream import BroadcastConnectedStream, BroadcastStream
from pyfn.datastream.functions import (AggregateFunction, AllWindowFunction, BroadcastProcessFunction,
                                       CoFlatMapFunction, CoMapFunction, KeyedBroadcastProcessFunction,
                                       CoProcessFunction, FilterFunction, FlatMapFunction, Function,
                                       KeyedCoProcessFunction, KeyedProcessFunction, KeySelector, MapFunction,
                                       Partitioner, ProcessAllWindowFunction, ProcessFunction, ProcessWindowFunction,
                                       ReduceFunction, RuntimeContext, TimerService, WindowFunction)
from pyfn.datastream.output_tag import OutputTag
from pyfn.datastream.state import (AggregatingState, AggregatingStateDescriptor, ListState, ListStateDescriptor,
                                   MapState, MapStateDescriptor, ReducingState, ReducingStateDescriptor,
                                   BroadcastState, ReadOnlyBroadcastState,
                                   StateTtlConfig, ValueState, ValueStateDescriptor)
from pyfn.datastream.time_domain import TimeDomain
from pyfn.datastream.window import (CountSlidingWindowAssigner, CountTumblingWindowAssigner, CountWindow,
                                    EventTimeSessionWindows, GlobalWindow, GlobalWindows, MergingWindowAssigner,
                                    ProcessingTimeSessionWindows, SlidingEventTimeWindows, SlidingProcessingTimeWindows,
                                    TimeWindow, TumblingEventTimeWindows, TumblingProcessingTimeWindows, Window,
                                    WindowAssigner)
from pyfn.datastream.triggers import (ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger, CountTrigger,
                                      EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger, PurgingTrigger, Trigger,
                                      TriggerResult)
from pyfn.datastream.windowed_stream import AllWindowedStream, WindowedStream
from pyfn.datastream.cached_data_stream import CachedDataStream
from pyfn.datastream.async_data_stream import AsyncDataStream
from pyfn.datastream.functions import AsyncFunction, AsyncRetryPredicate, AsyncRetryStrategy
from pyfn.datastream.unsupported import SinkFunction, SourceFunction
from pyfn.datastream.stream_execution_environment import (ExecutionConfig, JobClient, JobExecutionResult,
                                                          StreamExecutionEnvironment)

__all__ = ["StreamExecutionEnvironment", "ExecutionConfig", "JobClient", "JobExecutionResult", "RuntimeExecutionMode",
           "DataStream", "KeyedStream", "DataStreamSink", "CloseableIterator", "Function", "RuntimeContext",
           "MapFunction", "FlatMapFunction", "FilterFunction", "ReduceFunction", "KeySelector", "ProcessFunction",
           "KeyedProcessFunction", "TimerService", "TimeDomain", "ValueStateDescriptor", "ListStateDescriptor",
           "MapStateDescriptor", "ReducingStateDescriptor", "AggregatingStateDescriptor", "StateTtlConfig",
           "ValueState", "ListState", "MapState", "ReducingState", "AggregatingState", "WindowedStream",
           "AllWindowedStream", "AggregateFunction", "WindowFunction",
           "AllWindowFunction", "ProcessWindowFunction", "ProcessAllWindowFunction", "Window", "TimeWindow",
           "CountWindow", "WindowAssigner", "TumblingEventTimeWindows", "SlidingEventTimeWindows",
           "TumblingProcessingTimeWindows", "SlidingProcessingTimeWindows", "EventTimeSessionWindows",
           "ProcessingTimeSessionWindows", "CountTumblingWindowAssigner", "CountSlidingWindowAssigner",
           "ConnectedStreams", "CoMapFunction", "CoFlatMapFunction", "CoProcessFunction", "KeyedCoProcessFunction",
           "OutputTag", "GlobalWindow", "GlobalWindows", "Trigger", "TriggerResult", "EventTimeTrigger",
           "ProcessingTimeTrigger", "ContinuousEventTimeTrigger", "ContinuousProcessingTimeTrigger", "PurgingTrigger",
           "CountTrigger", "NeverTrigger", "BroadcastStream", "BroadcastConnectedStream", "BroadcastProcessFunction",
           "KeyedBroadcastProcessFunction", "BroadcastState", "ReadOnlyBroadcastState", "Partitioner",
           "CachedDataStream", "AsyncDataStream", "AsyncFunction", "AsyncRetryPredicate", "AsyncRetryStrategy",
           "SinkFunction", "SourceFunction", "MergingWindowAssigner"]
