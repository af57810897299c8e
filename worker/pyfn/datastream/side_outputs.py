"""Side outputs (`yield output_tag, value` in a process function, `stream.get_side_output(output_tag)`).

The first `get_side_output` on a process step splits it: the user's function runs in a new step whose outputs are
`(tag id, value)` pairs (None for the main output), pickled; the original transformation becomes a flat_map that
keeps the main output in the declared type (so every stream already built on it reads the main output), and each
side output is a flat_map keeping its tag's records. The steps follow the process step's parallelism and keep the
records' timestamps.
"""

from __future__ import annotations

from pyfn.client.location import caller_location
from pyfn.datastream.functions import FlatMapFunction, FunctionWrapper, KeyedProcessFunction, ProcessFunction
from pyfn.datastream.output_tag import OutputTag
from pyfn.datastream.transformations import Transformation

__all__ = ["side_output_of"]


def _tagged(produced):
    if produced is None:
        return None
    return [(out[0].tag_id, out[1]) if type(out) is tuple and len(out) == 2 and isinstance(out[0], OutputTag)
            else (None, out) for out in produced]


class _TagsOutputs(FunctionWrapper, ProcessFunction):
    """The user's process function, each output paired with its side output's tag id (None: the main output)."""

    def process_element(self, value, ctx):
        return _tagged(self.function.process_element(value, ctx))


class _KeyedTagsOutputs(_TagsOutputs, KeyedProcessFunction):
    """The same for a KeyedProcessFunction, whose timers' outputs are tagged too."""

    def on_timer(self, timestamp: int, ctx):
        on_timer = getattr(self.function, "on_timer", None)
        return None if on_timer is None else _tagged(on_timer(timestamp, ctx))


class _KeepsTag(FlatMapFunction):
    """The values of the pairs tagged `tag_id` (None: the main output)."""

    def __init__(self, tag_id):
        self.tag_id = tag_id

    def flat_map(self, value):
        return (value[1],) if value[0] == self.tag_id else ()


def _split(transformation: Transformation) -> Transformation:
    """The step that runs `transformation`'s function with tagged outputs; `transformation` now keeps the main
    output."""
    tagged = Transformation("python", transformation.name, transformation.inputs, None, transformation.location)
    for field in ("step_kind", "keyed_input", "uid", "chaining", "start_new_chain", "key_type"):
        if hasattr(transformation, field):
            setattr(tagged, field, getattr(transformation, field))
    keyed = transformation.step_kind == "keyed_process"
    tagged.function = (_KeyedTagsOutputs if keyed else _TagsOutputs)(transformation.function)
    tagged.parallelism_of = transformation
    transformation.inputs = [tagged]
    transformation.step_kind = "flat_map"
    transformation.function = _KeepsTag(None)
    transformation.keyed_input = False
    transformation.start_new_chain = False
    transformation.tagged_outputs = tagged
    return tagged


def side_output_of(stream, output_tag: OutputTag):
    """The DataStream of the records `stream`'s process function emitted to `output_tag`."""
    from pyfn.datastream.data_stream import DataStream

    if not isinstance(output_tag, OutputTag):
        raise TypeError("get_side_output takes an OutputTag, got %r" % (output_tag,))
    transformation = stream._transformation
    tagged = getattr(transformation, "tagged_outputs", None)
    if tagged is None:
        if transformation.kind != "python" or transformation.step_kind not in ("process", "keyed_process"):
            raise ValueError("get_side_output(%r): side outputs come from a process function (ProcessFunction, "
                             "KeyedProcessFunction, a window's ProcessWindowFunction), not from %r"
                             % (output_tag.tag_id, transformation.name))
        tagged = _split(transformation)
    side = Transformation("python", "SideOutput(%s)" % output_tag.tag_id, [tagged], output_tag.type_info,
                          caller_location())
    side.step_kind = "flat_map"
    side.function = _KeepsTag(output_tag.tag_id)
    side.parallelism_of = transformation
    return DataStream(stream._env, side)
