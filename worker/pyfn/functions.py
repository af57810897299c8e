"""PyFlink's function base classes and FunctionContext."""

from __future__ import annotations

import abc
from typing import Dict, Iterable, List, Optional

from pyfn.metrics import MetricGroup

__all__ = ["FunctionContext", "UserDefinedFunction", "ScalarFunction", "AsyncScalarFunction", "TableFunction",
           "AggregateFunction", "TableAggregateFunction"]


#: What `get_metric_group()` raises when the job runs with `python.metric.enabled` false (PyFlink's words).
METRICS_DISABLED_MESSAGE = ("Metric has not been enabled. You can enable metric with the "
                            "'python.metric.enabled' configuration.")


class FunctionContext:
    """What a function learns about the job in `open()`: job parameters, its metric group and its task.

    The arguments are PyFlink's, in its order. A `base_metric_group` of None means metrics are off
    (`python.metric.enabled` false): `get_metric_group()` then raises as PyFlink's does."""

    def __init__(self, base_metric_group: Optional[MetricGroup] = None,
                 job_parameters: Optional[Dict[str, str]] = None,
                 task_name: Optional[str] = None, task_name_with_subtasks: Optional[str] = None,
                 number_of_parallel_subtasks: Optional[int] = None,
                 max_number_of_parallel_subtasks: Optional[int] = None,
                 index_of_this_subtask: Optional[int] = None, attempt_number: Optional[int] = None):
        self._base_metric_group = base_metric_group
        self._job_parameters = dict(job_parameters or {})
        self._task_name = task_name
        self._task_name_with_subtasks = task_name_with_subtasks
        self._number_of_parallel_subtasks = number_of_parallel_subtasks
        self._max_number_of_parallel_subtasks = max_number_of_parallel_subtasks
        self._index_of_this_subtask = index_of_this_subtask
        self._attempt_number = attempt_number

    def get_metric_group(self) -> MetricGroup:
        """The group to register this function's counters, gauges, meters and distributions in.

        Raises RuntimeError when the job runs with `python.metric.enabled` false."""
        if self._base_metric_group is None:
            raise RuntimeError(METRICS_DISABLED_MESSAGE)
        return self._base_metric_group

    def get_job_parameter(self, key: str, default_value: Optional[str] = None) -> Optional[str]:
        """The job parameter `key` (`pipeline.global-job-parameters`), or `default_value` when the job does not
        set it."""
        return self._job_parameters.get(key, default_value)

    def get_task_name(self) -> Optional[str]:
        """The name of the task (operator) the function runs in."""
        return self._task_name

    def get_task_name_with_subtasks(self) -> Optional[str]:
        """The task name with the subtask indicator, such as "MyTask (3/6)"."""
        return self._task_name_with_subtasks

    def get_number_of_parallel_subtasks(self) -> Optional[int]:
        """The parallelism of the task."""
        return self._number_of_parallel_subtasks

    def get_max_number_of_parallel_subtasks(self) -> Optional[int]:
        """The max parallelism of the task."""
        return self._max_number_of_parallel_subtasks

    def get_index_of_this_subtask(self) -> Optional[int]:
        """This subtask's index, 0 to parallelism - 1."""
        return self._index_of_this_subtask

    def get_attempt_number(self) -> Optional[int]:
        """How often this subtask was restarted (0: the first attempt)."""
        return self._attempt_number


class UserDefinedFunction(abc.ABC):
    """Base of class-based functions: `open` before the first row, `close` at the end."""

    def open(self, function_context: FunctionContext) -> None:
        """One-time setup; `function_context` gives job parameters and the metric group."""

    def close(self) -> None:
        """Tear-down after the last call."""

    def is_deterministic(self) -> bool:
        """True when the same arguments always give the same result (the default)."""
        return True


class ScalarFunction(UserDefinedFunction):
    """Maps zero or more values of one row to one value: implement `eval(*args)`."""

    @abc.abstractmethod
    def eval(self, *args):
        """The function's value for one row's arguments."""


class AsyncScalarFunction(UserDefinedFunction):
    """Maps the values of one row to one value asynchronously: implement `async def eval(*args)`.

    For lookups against services and models: the worker runs many calls at once on an event loop (up to
    `table.exec.async-scalar.max-concurrent-operations`), with a timeout and retries, and keeps the input order."""

    @abc.abstractmethod
    async def eval(self, *args):
        """The function's value for one row's arguments, awaited."""


class TableFunction(UserDefinedFunction):
    """Maps the values of one row to zero or more rows: implement `eval(*args)` yielding rows."""

    @abc.abstractmethod
    def eval(self, *args) -> Iterable:
        """Yields (or returns an iterable of) the rows for one input row: tuples, Rows or single values."""


class AggregateFunction(UserDefinedFunction):
    """Aggregates the rows of a group through an accumulator."""

    @abc.abstractmethod
    def get_value(self, accumulator):
        """The aggregate's result from the accumulator."""

    @abc.abstractmethod
    def create_accumulator(self):
        """A fresh, empty accumulator."""

    @abc.abstractmethod
    def accumulate(self, accumulator, *args) -> None:
        """Adds one row's arguments to the accumulator."""

    def retract(self, accumulator, *args) -> None:
        """Removes one row's arguments from the accumulator (needed for retraction streams)."""
        raise NotImplementedError("%s does not implement retract" % type(self).__name__)

    def merge(self, accumulator, accumulators: List) -> None:
        """Merges other accumulators into `accumulator` (needed for session windows and two-phase aggregation)."""
        raise NotImplementedError("%s does not implement merge" % type(self).__name__)

    def get_result_type(self):
        """The result's DataType when the function declares it itself (else pass result_type to udaf)."""
        return None

    def get_accumulator_type(self):
        """The accumulator's DataType when the function declares it itself."""
        return None


class TableAggregateFunction(UserDefinedFunction):
    """Aggregates the rows of a group into zero or more rows (PyFlink's `udtaf`, used with `flat_aggregate`):
    `create_accumulator()`, `accumulate(acc, *args)` per row, then `emit_value(acc)` yields the group's rows."""

    @abc.abstractmethod
    def emit_value(self, accumulator) -> Iterable:
        """Yields (or returns an iterable of) the group's result rows: tuples, Rows or single values."""

    @abc.abstractmethod
    def create_accumulator(self):
        """A fresh, empty accumulator."""

    @abc.abstractmethod
    def accumulate(self, accumulator, *args) -> None:
        """Adds one row's arguments to the accumulator."""

    def retract(self, accumulator, *args) -> None:
        """Removes one row's arguments from the accumulator (needed for retraction streams)."""
        raise NotImplementedError("%s does not implement retract" % type(self).__name__)

    def get_result_type(self):
        """The result's DataType (a ROW of the output columns) when the function declares it itself."""
        return None

    def get_accumulator_type(self):
        """The accumulator's DataType when the function declares it itself."""
        return None
