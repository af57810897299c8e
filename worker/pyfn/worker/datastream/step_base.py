"""What every DataStream step shares: finding the user's method, opening and closing it, and naming the record
that failed."""

from __future__ import annotations

from typing import Callable, Optional

from pyfn.datastream.functions import Function
from pyfn.worker import execution_context
from pyfn.worker.datastream.spec import StepSpec
from pyfn.worker.errors import BundleError, FunctionError, describe_value, format_traceback


class StepEnvironment:
    """What a step is built with: the operator's RuntimeContext, its keyed state (None when not keyed), the
    chain's batch mode, its timers (a RunnerTimerService, None without timers), and per batch the input's timer
    rows (TimerRows) and the records' event-time timestamps a timestamps step assigned (None: none)."""

    def __init__(self, runtime_context, state, batch_mode: bool, keyed: bool, timers=None):
        self.runtime_context = runtime_context
        self.state = state
        self.batch_mode = batch_mode
        self.keyed = keyed
        self.timers = timers
        self.timer_rows = None
        self.record_times = None


class Step:
    """One function of the chain. Subclasses set `method` (the Function subclass and its method name) and
    implement `run(values, keys)` -> (values, keys): keys are the records' pickled keys, or None when the
    records are not keyed."""

    #: (Function subclass, method name) that a class-based function of this kind implements.
    method = (Function, "")

    def __init__(self, spec: StepSpec, environment: StepEnvironment):
        self.spec = spec
        self.name = spec.name
        self.environment = environment
        self.function = spec.function
        self.call = self._callable(spec.function)

    def _callable(self, function) -> Callable:
        base, method = self.method
        if isinstance(function, base):
            return getattr(function, method)
        if isinstance(function, Function):
            raise BundleError("%s %r is a %s, not a %s" % (self.spec.kind, self.name, type(function).__name__,
                                                          base.__name__))
        if not callable(function):
            raise BundleError("%s %r is neither a %s nor a callable: %s"
                              % (self.spec.kind, self.name, base.__name__, describe_value(function)))
        return function

    def open(self) -> None:
        """Opens a class-based function with the RuntimeContext."""
        if isinstance(self.function, Function):
            execution_context.set_function(self.name)
            try:
                self.function.open(self.environment.runtime_context)
            except Exception as error:
                raise FunctionError(self.name, "failed in open()", trace=format_traceback(error, 1)) from None
            finally:
                execution_context.set_function("")

    def close(self) -> Optional[str]:
        """Closes a class-based function; the failure's message, if it fails."""
        if isinstance(self.function, Function):
            try:
                self.function.close()
            except Exception as error:  # noqa: BLE001 - reported, the other functions still close
                return "function %r failed in close(): %s" % (self.name, format_traceback(error, 1))
        return None

    def call_each(self, values) -> list:
        """The function's answer for each record; its failure names the record (`failed`)."""
        answers: list = []
        try:
            answers.extend(map(self.call, values))
        except Exception as error:
            raise self.failed(error, values[len(answers)], len(answers)) from None
        return answers

    def failed(self, error: Exception, record, index: int) -> FunctionError:
        """The FunctionError of this step raising `error` on `record`, the `index`-th record it got in the
        batch."""
        where = " (made at %s)" % self.spec.location if self.spec.location else ""
        return FunctionError(self.name, "%s raised %s: %s on record %s (record %d of the batch)%s"
                             % (self.spec.kind, type(error).__name__, error, describe_value(record), index, where),
                             trace=format_traceback(error, 1))

    def run(self, values: list, keys: Optional[list]):
        raise NotImplementedError
