"""PyFlink's DataStream API (`pyflink.datastream`), run by PyFn's Swift runner."""

from pyfn.datastream.stream_execution_environment import StreamExecutionEnvironment

__all__ = ["StreamExecutionEnvironment"]
