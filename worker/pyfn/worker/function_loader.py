"""Finds the Python object a `pyfn.v1.UserDefinedFunction` names and makes it callable row by row.

The body is a FunctionReference (import the module, follow the dotted name) or a cloudpickled object. The
object may be a pyfn wrapper (from @udf/@udtf/@udaf), a plain callable, or a ScalarFunction /
TableFunction / AggregateFunction instance or subclass (a subclass is instantiated without arguments).
Class-based functions are opened once with a FunctionContext and closed when the harness stops.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Dict, List, Optional

from pyfn.functions import AsyncScalarFunction, FunctionContext, ScalarFunction, TableFunction, UserDefinedFunction
from pyfn.metrics import MetricGroup
from pyfn.types import DataType, from_proto
from pyfn.worker import execution_context
from pyfn.worker.errors import BundleError, FunctionError, format_traceback
from pyfn.worker.task_info import TaskInfo, task_info
from pyfn.wrappers import UserDefinedFunctionWrapper


class LoadedFunction:
    """A user function ready to call: `call(*args)` for one row (or one batch for pandas kinds)."""

    def __init__(self, name: str, call, instance: Optional[UserDefinedFunction], result_type: DataType,
                 wrapper: Optional[UserDefinedFunctionWrapper]):
        self.name = name
        self.call = call
        self.instance = instance
        self.result_type = result_type
        self.wrapper = wrapper


def _resolve_reference(reference):
    module_name, qualified_name = reference.module, reference.qualified_name
    if not module_name or not qualified_name:
        raise BundleError("a FunctionReference needs both module and qualified_name, got %r.%r"
                          % (module_name, qualified_name))
    obj = importlib.import_module(module_name)
    for part in qualified_name.split("."):
        obj = getattr(obj, part)
    return obj


def _body_object(message):
    which = message.WhichOneof("body")
    if which == "reference":
        return _resolve_reference(message.reference)
    if which == "cloudpickle":
        import cloudpickle

        return cloudpickle.loads(message.cloudpickle)
    raise BundleError("function %r has no body (neither reference nor cloudpickle)" % message.name)


def load_function(message) -> LoadedFunction:
    """Loads the function `message` describes; failures become a BundleError naming it."""
    label = message.name or "<unnamed>"
    try:
        obj = _body_object(message)
    except BundleError:
        raise
    except Exception as error:
        raise FunctionError(label, "could not be loaded (%s: %s)" % (type(error).__name__, error),
                            trace=format_traceback(error)) from error
    wrapper = None
    if isinstance(obj, UserDefinedFunctionWrapper):
        wrapper = obj
        obj = obj.func
    if inspect.isclass(obj) and issubclass(obj, UserDefinedFunction):
        try:
            obj = obj()
        except Exception as error:
            raise FunctionError(label, "could not be instantiated", trace=format_traceback(error)) from error
    name = message.name or (wrapper.name if wrapper is not None else getattr(obj, "__name__", type(obj).__name__))
    instance = obj if isinstance(obj, UserDefinedFunction) else None
    if isinstance(obj, (ScalarFunction, AsyncScalarFunction, TableFunction)):
        call = obj.eval
    elif instance is not None:
        call = obj  # aggregates: the operation uses the instance's methods
    elif callable(obj):
        call = obj
    else:
        raise FunctionError(name, "is not callable: %r" % (obj,))
    if message.HasField("result_type") and message.result_type.type_name:
        result_type = from_proto(message.result_type)
    elif wrapper is not None:
        result_type = wrapper.result_type
    else:
        raise FunctionError(name, "has no result type (neither in the descriptor nor declared with @udf)")
    return LoadedFunction(name, call, instance, result_type, wrapper)


class FunctionLifecycle:
    """Opens each class-based function instance once and closes them all at the end."""

    def __init__(self, job_parameters: Dict[str, str], metric_group: MetricGroup, metric_enabled: bool = True,
                 task: Optional[TaskInfo] = None):
        self._job_parameters = job_parameters
        self._metric_group = metric_group
        #: With `python.metric.enabled` false, FunctionContext.get_metric_group() raises as PyFlink's does.
        self._metric_enabled = metric_enabled
        self._task = task if task is not None else task_info(job_parameters, "")
        self._opened: List[LoadedFunction] = []
        self._opened_ids = set()
        self._closers: List = []

    def open(self, function: LoadedFunction) -> None:
        instance = function.instance
        if instance is None or id(instance) in self._opened_ids:
            return
        # Each function gets its own context: its metrics carry its name, and so do its logs and prints.
        metric_group = self.metric_group_for(function.name) if self._metric_enabled else None
        context = FunctionContext(metric_group, self._job_parameters, **self._task.context_arguments())
        execution_context.set_function(function.name)
        try:
            instance.open(context)
        except Exception as error:
            raise FunctionError(function.name, "failed in open()", trace=format_traceback(error, 1)) from error
        finally:
            execution_context.set_function("")
        self._opened_ids.add(id(instance))
        self._opened.append(function)

    def metric_group_for(self, name: str) -> MetricGroup:
        """The metric group of a function called `name` (its metrics carry that name)."""
        return self._metric_group.for_function(name)

    def track_closer(self, name: str, close) -> None:
        """Has `close()` (returning a failure message or None) called when the functions are closed."""
        self._closers.append((name, close))

    def close(self) -> List[str]:
        """Closes every opened instance; returns the messages of close() calls that failed."""
        failures = []
        for _name, close in reversed(self._closers):
            failure = close()
            if failure:
                failures.append(failure)
        self._closers.clear()
        for function in reversed(self._opened):
            try:
                function.instance.close()
            except Exception as error:  # noqa: BLE001 - report and go on closing the others
                failures.append("function %r failed in close(): %s" % (function.name, format_traceback(error, 1)))
        self._opened.clear()
        self._opened_ids.clear()
        return failures
