"""What a program ships for one DataStream operator: the chain of its functions (pickled by the client).

The function transform's payload (`pyfn.v1.UserDefinedFunctions`) has one UserDefinedFunction whose cloudpickle
body is a `ChainSpec`. The runner does not read it; it knows the operator's input and output columns from the
job request.
"""

from __future__ import annotations

from typing import Any, List, Optional

from pyfn.types import DataType, RowType

__all__ = ["RecordFormat", "StepSpec", "ChainSpec", "STEP_KINDS", "PICKLED"]

#: The step kinds, as a program names them.
STEP_KINDS = ("map", "flat_map", "filter", "key_by", "reduce", "process", "keyed_process", "timestamps",
              "partition_custom", "async_wait")


class RecordFormat:
    """How records of a stream cross as Arrow: a typed column of `data_type`, or (data_type None) pickled values
    in a binary column. `as_tuple`: a ROW type whose records are Python tuples (Types.TUPLE)."""

    def __init__(self, data_type: Optional[DataType], as_tuple: bool = False, type_name: str = ""):
        self.data_type = data_type
        self.as_tuple = as_tuple and isinstance(data_type, RowType)
        #: How the program spelt the type (`Types.LONG()`), for error messages.
        self.type_name = type_name or ("PICKLED_BYTE_ARRAY" if data_type is None else data_type.sql())

    @property
    def pickled(self) -> bool:
        """Whether records cross pickled."""
        return self.data_type is None

    def __repr__(self) -> str:
        return "RecordFormat(%s)" % self.type_name


#: Untyped records.
PICKLED = RecordFormat(None)


class StepSpec:
    """One function of a chain: its kind (one of STEP_KINDS), the user's function (a Function subclass instance,
    a lambda or a plain function), the name it is known by, and the format of its output records."""

    def __init__(self, kind: str, function: Any, name: str, output: RecordFormat, location: str = ""):
        if kind not in STEP_KINDS:
            raise ValueError("unknown DataStream step kind %r (known: %s)" % (kind, ", ".join(STEP_KINDS)))
        self.kind = kind
        self.function = function
        self.name = name
        self.output = output
        #: Where the program made this step (`prog.py:12`), for error messages.
        self.location = location


class ChainSpec:
    """The functions of one operator, run one after the other on each record in one worker call.

    `input` is the format of the records fed in; `keyed_input`: the input has a `__key` column (the pickled key
    of each record, from the upstream key selector) and the first step is keyed (reduce, keyed process, or a
    map/flat_map/filter of a KeyedStream). When the last step is a key selector, the output has a `__key`
    column before the records. `batch_mode`: a keyed reduce emits only the latest value of each key it touched
    in a bundle (the runner keeps the last per key); otherwise one value per record, as in streaming mode.
    `event_time`: the input records carry event-time timestamps (`__ts`, from an assigner upstream), which every
    step hands on with the records it makes (a flat_map's or process's outputs: the input's timestamp; a
    KeyedProcessFunction's: the record's or the firing timer's), so the output carries them too.
    """

    def __init__(self, steps: List[StepSpec], input: RecordFormat, keyed_input: bool = False,
                 batch_mode: bool = False, task_name: str = "", event_time: bool = False):
        if not steps:
            raise ValueError("a DataStream chain needs at least one function")
        self.steps = list(steps)
        self.input = input
        self.keyed_input = keyed_input
        self.batch_mode = batch_mode
        self.task_name = task_name or " -> ".join(s.name for s in steps)
        kinds = [step.kind for step in self.steps]
        #: The first step is a KeyedProcessFunction on a keyed input: the operator has timers (its input and
        #: output carry timer rows, docs/wire-contract.md "DataStream timers").
        self.timers = keyed_input and kinds[0] == "keyed_process"
        #: The input carries event-time timestamps (`__ts`; with timers: the `__time` of record rows).
        self.event_time = event_time
        #: The records have event-time timestamps (assigned here or upstream): the output carries them in a `__ts`
        #: column (with timers: in the `__time` of its record rows).
        self.timestamps = "timestamps" in kinds or event_time
        if "timestamps" in kinds:
            first = kinds.index("timestamps")
            if self.timers:
                raise ValueError("assign_timestamps_and_watermarks after a KeyedProcessFunction in the same operator "
                                 "is not supported by PyFn (%s)" % self.steps[first].location)

    @property
    def output(self) -> RecordFormat:
        """The format of the records the chain emits."""
        return self.steps[-1].output

    @property
    def keyed_output(self) -> bool:
        """Whether the output has a `__key` column: the chain ends with a key selector, with a `partition_custom`
        step (the subtask index), or with a reduce in batch mode (the runner keeps the last value per key)."""
        last = self.steps[-1].kind
        return last in ("key_by", "partition_custom") or (last == "reduce" and self.batch_mode)
