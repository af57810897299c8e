"""Turns the program's transformations into the request's DataStream graph (docs/job-submission.md).

Consecutive functions run chained in one Python node (one worker call per bundle, PyFlink's
`python.operator-chaining.enabled`) when the second reads only the first, over a forward edge, at the same
parallelism, neither one asking not to be chained, and the second not starting a keyed part (its edge would be
a hash edge) nor following a batch-mode reduce (whose values go on only once the input ends). Sources and sinks
are nodes of their own; a print or text file sink gets a formatting function (records as Flink prints them)
chained onto the function before it, or in a node of its own after a source.

A `partition_custom` step ends its node (its records go on over a `custom` edge, to the subtask its Partitioner
names out of the reader's parallelism, which the builder tells it). A cached stream (`cache()`) computed by the job
gets a sink writing its records to a file (`arrow_file`); once kept, it is a source reading that file.

`keep_row_kinds` (a stream read by `from_changelog_stream`): ROW records a collection or a function emits cross
pickled, as Rows that keep their RowKind (an Arrow struct column has no place for it); the table they become
checks them against their ROW type.
"""

from __future__ import annotations

import base64
import os
import tempfile
from typing import Dict, List, Optional

import cloudpickle

from pyfn.common.typeinfo import TupleTypeInfo
from pyfn.datastream.formatting import format_name, formatter_for
from pyfn.datastream.transformations import Transformation
from pyfn.types import RowType
from pyfn.worker.datastream.spec import PICKLED, ChainSpec, RecordFormat, StepSpec

__all__ = ["record_format", "build_graph"]

#: Steps whose records go on over an edge of their own (hash, custom): nothing chains after them.
_REPARTITIONING_STEPS = ("key_by", "partition_custom")


def record_format(type_info) -> RecordFormat:
    """How records of `type_info` (None: pickled) cross as Arrow."""
    if type_info is None or type_info.to_data_type() is None:
        return PICKLED
    return RecordFormat(type_info.to_data_type(), as_tuple=isinstance(type_info, TupleTypeInfo),
                        type_name="Types.%r" % (type_info,))


def _location(transformation: Transformation) -> Optional[dict]:
    location = transformation.location
    return None if location is None else {"file": location.file, "line": location.line}


def _location_text(transformation: Transformation) -> str:
    location = transformation.location
    return "" if location is None else "%s:%d" % (location.file, location.line)


class _Node:
    """A node being built: a source, a chain of Python functions, or a sink."""

    def __init__(self, node_id: int, kind: str, parallelism: int, head: Transformation):
        self.id = node_id
        self.kind = kind
        self.parallelism = parallelism
        self.head = head
        self.members: List[Transformation] = [head]
        self.steps: List[StepSpec] = []
        self.inputs: List[dict] = []
        self.input_type = None
        self.output_type = None
        self.chainable = True
        self.keyed_input = False
        #: Its input carries event time (an assigner upstream), which its chain hands on.
        self.event_time = False


class GraphBuilder:
    """Builds the request's graph from the sinks of an environment."""

    def __init__(self, env, sinks: List[Transformation], batch_mode: bool, keep_row_kinds: bool = False):
        self.env = env
        self.keep_row_kinds = keep_row_kinds
        self.sinks = sinks
        self.batch_mode = batch_mode
        self.nodes: List[_Node] = []
        self.node_of: Dict[int, _Node] = {}
        self.files = env._temporary_files()
        self.consumers: Dict[int, int] = {}
        #: (StreamCache, file) of each cached stream this job computes, to keep once it succeeds.
        self.pending_caches: list = []

    def _parallelism(self, transformation: Transformation) -> int:
        if transformation.parallelism:
            return transformation.parallelism
        if transformation.parallelism_of is not None:
            return self._parallelism(transformation.parallelism_of)
        if transformation.kind == "source" and transformation.source is None:
            return 1  # a collection is a non-parallel source unless its parallelism is set
        return self.env.get_parallelism()

    def _type_of(self, transformation: Transformation):
        """The type `transformation`'s records cross as: None (pickled) for the ROW records of a collection or a
        function when row kinds are kept, else their type."""
        type_info = transformation.type_info
        if self.keep_row_kinds and type_info is not None and isinstance(type_info.to_data_type(), RowType) and (
                transformation.kind == "python" or (transformation.kind == "source" and transformation.source is None
                                                    and getattr(transformation, "arrow_path", None) is None)):
            return None
        return type_info

    def _count_consumers(self, transformation: Transformation, seen: set) -> None:
        if transformation.id in seen:
            return
        seen.add(transformation.id)
        for source, _ in transformation.upstream():
            self.consumers[source.id] = self.consumers.get(source.id, 0) + 1
            self._count_consumers(source, seen)

    def build(self) -> dict:
        from pyfn.datastream.cached_data_stream import caches_to_fill
        cache_sinks, self.pending_caches = caches_to_fill(self.sinks, self.files.folder(), self.batch_mode)
        self.sinks = self.sinks + cache_sinks
        seen: set = set()
        for sink in self.sinks:
            self._count_consumers(sink, seen)
        for sink in self.sinks:
            self._visit(sink)
        for node in self.nodes:
            self._size_custom_partitions(node)
        timed = set()  # the nodes whose records have event-time timestamps (inputs come before their readers)
        for node in self.nodes:
            if node.kind != "python":
                continue
            node.event_time = any(edge["node"] in timed for edge in node.inputs)
            if node.event_time or any(m.step_kind == "timestamps" for m in node.members):
                timed.add(node.id)
        return {"runtime_mode": "batch" if self.batch_mode else "streaming",
                "nodes": [self._render(node) for node in self.nodes],
                "collect": any(sink.sink.get("type") == "collect" for sink in self.sinks)}

    def _size_custom_partitions(self, node: _Node) -> None:
        """Tells the partition_custom step before each `custom` edge into `node` how many subtasks it picks from:
        `node`'s parallelism (one count for all its readers)."""
        for edge in node.inputs:
            if edge["partitioning"] != "custom":
                continue
            function = self.nodes[edge["node"]].members[-1].function
            if function.num_partitions not in (None, node.parallelism):
                raise ValueError("partition_custom at %s is read by operators of parallelism %d and %d; PyFn "
                                 "partitions a stream for one parallelism" % (
                                     _location_text(self.nodes[edge["node"]].members[-1]), function.num_partitions,
                                     node.parallelism))
            function.num_partitions = node.parallelism

    # -- visiting ----------------------------------------------------------------------------------
    def _visit(self, transformation: Transformation) -> _Node:
        node = self.node_of.get(transformation.id)
        if node is not None:
            return node
        if transformation.kind in ("source", "cache"):  # a cache reached here was kept: read back
            node = self._new_node("source", transformation)
            node.output_type = self._type_of(transformation)
        elif transformation.kind == "python":
            node = self._python(transformation)
        elif transformation.kind == "sink":
            node = self._sink(transformation)
        else:
            raise ValueError("cannot place a %s transformation" % transformation.kind)
        self.node_of[transformation.id] = node
        return node

    def _new_node(self, kind: str, head: Transformation) -> _Node:
        node = _Node(len(self.nodes), kind, self._parallelism(head), head)
        self.nodes.append(node)
        return node

    def _edges(self, transformation: Transformation) -> List[dict]:
        return [{"node": self._visit(source).id, "partitioning": partitioning}
                for source, partitioning in transformation.upstream()]

    def _python(self, transformation: Transformation) -> _Node:
        edges = transformation.upstream()
        if len(edges) == 1:
            source, partitioning = edges[0]
            upstream = self._visit(source)
            if (upstream.kind == "python" and upstream.chainable and partitioning == "forward"
                    and upstream.parallelism == self._parallelism(transformation)
                    and self.consumers.get(source.id, 0) == 1 and upstream.members[-1] is source
                    and transformation.chaining and not transformation.start_new_chain
                    and not transformation.keyed_input and self.env._chaining_enabled()):
                self._append_step(upstream, transformation)
                return upstream
        edges = self._edges(transformation)
        node = self._new_node("python", transformation)
        node.inputs = edges
        node.input_type = self._type_of(transformation.upstream()[0][0])
        node.keyed_input = transformation.keyed_input
        node.members = []
        self._append_step(node, transformation)
        return node

    def _append_step(self, node: _Node, transformation: Transformation) -> None:
        node.members.append(transformation)
        node.steps.append(StepSpec(transformation.step_kind, transformation.function, transformation.name,
                                   record_format(self._type_of(transformation)), _location_text(transformation)))
        node.output_type = self._type_of(transformation)
        node.chainable = transformation.chaining and transformation.step_kind not in _REPARTITIONING_STEPS and not (
            self.batch_mode and transformation.step_kind == "reduce")
        self.node_of[transformation.id] = node

    def _sink(self, transformation: Transformation) -> _Node:
        source, partitioning = transformation.upstream()[0]
        if getattr(transformation, "needs_text", False):
            source = self._format_step(source, transformation)
            partitioning = "forward"
        elif getattr(transformation, "input_type", None) is not None \
                and source.effective_type() != transformation.input_type:
            source = self._conversion_step(source, transformation)
            partitioning = "forward"
        elif len(transformation.upstream()) > 1:
            # A union read by a sink: a sink node reads one input, so one step reads all of the union's.
            source = self._sink_input_step(source, transformation, "Union", _same_record,
                                           transformation.inputs[0].effective_type())
            partitioning = "forward"
        upstream = self._visit(source)
        node = self._new_node("sink", transformation)
        node.inputs = [{"node": upstream.id, "partitioning": partitioning}]
        return node

    def _format_step(self, source: Transformation, sink: Transformation) -> Transformation:
        """A function turning `source`'s records into the text Flink prints, consumed by `sink` alone."""
        from pyfn.common.typeinfo import Types

        type_info = source.effective_type()
        printing = (sink.sink or {}).get("type") == "print"
        return self._sink_input_step(source, sink, format_name(type_info), formatter_for(type_info, printing),
                                     Types.STRING())

    def _conversion_step(self, source: Transformation, sink: Transformation) -> Transformation:
        """A function handing `source`'s records on as the sink's type (`sink.input_type`), which checks each one
        (a record that does not fit names itself and the type)."""
        return self._sink_input_step(source, sink, "to %r" % (sink.input_type,), _same_record, sink.input_type)

    def _sink_input_step(self, source: Transformation, sink: Transformation, name: str, function,
                         type_info) -> Transformation:
        """A map of `source`'s records into `type_info` by `function`, consumed by `sink` alone."""
        step = Transformation("python", name, [sink.inputs[0]], type_info, sink.location)
        step.step_kind = "map"
        step.function = function
        step.parallelism = sink.parallelism or self._parallelism(source if source.kind != "source" else sink)
        sink.parallelism = step.parallelism
        self.consumers[step.id] = 1
        return step

    # -- rendering ---------------------------------------------------------------------------------
    def _render(self, node: _Node) -> dict:
        head = node.head
        out = {"id": node.id, "kind": node.kind, "name": " -> ".join(m.name for m in node.members),
               "parallelism": node.parallelism}
        location = _location(head)
        if location is not None:
            out["location"] = location
        if node.inputs:
            out["inputs"] = node.inputs
        if node.kind == "source":
            out["source"] = self._source_spec(head)
        elif node.kind == "python":
            chain = ChainSpec(node.steps, record_format(node.input_type), keyed_input=node.keyed_input,
                              batch_mode=self.batch_mode, task_name=out["name"], event_time=node.event_time)
            if node.event_time:
                out["event_time"] = True
            out["chain"] = base64.b64encode(_pickle_chain(chain)).decode("ascii")
            out["keyed_input"] = node.keyed_input
            out["keyed_output"] = chain.keyed_output
            out["final_per_key"] = self.batch_mode and chain.steps[-1].kind == "reduce"
            if chain.timers:
                out["timers"] = True
            stamping = next((m for m in node.members if m.step_kind == "timestamps"), None)
            if stamping is not None:
                out["watermarks"] = {"out_of_orderness_ms": stamping.out_of_orderness_ms}
        else:
            out["sink"] = head.sink
        if node.kind != "sink":
            data_type = None if node.output_type is None else node.output_type.to_data_type()
            if data_type is not None:
                out["output_type"] = data_type.sql()
        return out

    def _source_spec(self, transformation: Transformation) -> dict:
        if transformation.kind == "cache":
            return {"type": "collection", "path": transformation.cache.path}
        if transformation.source is not None:
            return transformation.source.source_spec(self.files)
        path = getattr(transformation, "arrow_path", None)  # a table's rows (to_data_stream)
        return {"type": "collection", "path": path or self._write_collection(transformation)}

    def _write_collection(self, transformation: Transformation) -> str:
        import pyarrow as pa

        from pyfn.worker.datastream.records import RecordCodec

        codec = RecordCodec(record_format(self._type_of(transformation)))
        try:
            column = codec.encode(list(transformation.collection))
        except ValueError as error:
            raise TypeError("from_collection: %s (type_info %r)" % (error, transformation.type_info)) from None
        batch = pa.record_batch([column], schema=pa.schema([codec.field("value")]))
        folder = self.files.folder()
        path = os.path.join(folder, "collection-%d.arrows" % transformation.id)
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return path


def _same_record(value):
    """The record itself (a sink's conversion step: the output type does the work)."""
    return value


def _pickle_chain(chain: ChainSpec) -> bytes:
    """The chain cloudpickled, the program's own modules by value (as the Table API ships functions): workers
    need not import the program's modules."""
    from pyfn.client.request import pickle_by_value

    return pickle_by_value(chain, [step.function for step in chain.steps])


class TemporaryFiles:
    """A folder for files the request refers to (collections), removed when the environment is done."""

    def __init__(self):
        self._folder: Optional[str] = None

    def folder(self) -> str:
        """The folder, made on first use."""
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="pyfn-datastream-")
        return self._folder

    def remove(self) -> None:
        """Removes the folder and its files."""
        if self._folder is not None:
            import shutil
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def build_graph(env, sinks: List[Transformation], batch_mode: bool, keep_row_kinds: bool = False) -> dict:
    """The request's `"datastream"` object for the dataflow ending in `sinks` (`keep_row_kinds`: see above)."""
    builder = GraphBuilder(env, sinks, batch_mode, keep_row_kinds)
    graph = builder.build()
    env._pending_caches = builder.pending_caches
    return graph
