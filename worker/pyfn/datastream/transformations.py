"""The program's dataflow as it is built: one Transformation per source, function, repartitioning, union or sink.

`graph` turns them into the request's nodes (chaining consecutive functions into one Python node).
"""

from __future__ import annotations

import itertools
from typing import List, Optional, Tuple

__all__ = ["Transformation"]

_ids = itertools.count(1)

#: The partitioning of the edge out of a step that picks where its records go (else `forward`).
_EDGE_OF_STEP = {"key_by": "hash", "partition_custom": "custom"}


class Transformation:
    """One step of the dataflow.

    `kind`: `source` (`source`: a connectors Source, or a collection), `python` (`step`: one function),
    `partition` (a repartitioning: `partitioning`), `union` (several inputs), `sink` (`sink`: a spec maker),
    `cache` (`cache`: a StreamCache; read as a source once kept, else looked through).
    `type_info`: the records it emits (None: pickled). `inputs`: the transformations it reads.
    """

    def __init__(self, kind: str, name: str, inputs: List["Transformation"], type_info=None, location=None):
        self.id = next(_ids)
        self.kind = kind
        self.name = name
        self.inputs = list(inputs)
        self.type_info = type_info
        self.location = location
        self.parallelism: Optional[int] = None
        # A step split from another (side outputs) runs at that one's parallelism unless given its own.
        self.parallelism_of: Optional["Transformation"] = None
        self.uid: Optional[str] = None
        self.chaining = True
        self.start_new_chain = False
        # python
        self.step_kind = ""
        self.function = None
        self.keyed_input = False
        # partition
        self.partitioning = "forward"
        # source / sink
        self.source = None
        self.sink = None

    def effective_type(self):
        """The type of the records this transformation emits (a repartitioning or union: its input's)."""
        if self.kind in ("partition", "union", "cache"):
            return self.inputs[0].effective_type()
        return self.type_info

    def upstream(self) -> List[Tuple["Transformation", str]]:
        """The (function, source or sink) transformations this one reads, each with the partitioning of the edge:
        repartitionings and unions are looked through."""
        edges = []
        if self.kind == "cache" and self.cache.path is not None:
            return edges  # a cached stream read back: a source
        for transformation in self.inputs:
            if transformation.kind == "cache" and transformation.cache.path is None:
                edges.extend(transformation.upstream())  # computed in this job: read its input
            elif transformation.kind == "partition":
                for source, _ in transformation.upstream():
                    edges.append((source, transformation.partitioning))
            elif transformation.kind == "union":
                edges.extend(transformation.upstream())
            else:
                edges.append((transformation, _EDGE_OF_STEP.get(transformation.step_kind, "forward")))
        return edges
