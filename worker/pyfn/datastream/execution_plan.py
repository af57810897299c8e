"""`StreamExecutionEnvironment.get_execution_plan()`: the dataflow built so far in the shape of Flink's JSON plan
(what https://flink.apache.org/visualizer reads), one entry per PyFn node (a chain of functions is one node)."""

from __future__ import annotations

import json
from typing import List

__all__ = ["execution_plan"]

#: Flink's names of PyFn's edge partitionings (its ship strategies).
_SHIP_STRATEGIES = {"forward": "FORWARD", "rebalance": "REBALANCE", "shuffle": "SHUFFLE", "broadcast": "BROADCAST",
                    "hash": "HASH", "custom": "CUSTOM"}
#: Flink's `pact` of each kind of node.
_PACTS = {"source": "Data Source", "python": "Operator", "sink": "Data Sink"}


def execution_plan(env, sinks: List) -> str:
    """The JSON plan of the dataflow ending in `sinks` (nothing runs)."""
    from pyfn.datastream.graph import build_graph

    if not sinks:
        raise RuntimeError("No operators defined in streaming topology. Cannot generate execution plan.")
    graph = build_graph(env, sinks, env._batch_mode())
    env._pending_caches = []  # nothing runs: no cache gets kept
    nodes = []
    for node in graph["nodes"]:
        entry = {"id": node["id"] + 1, "type": node["name"], "pact": _PACTS[node["kind"]], "contents": node["name"],
                 "parallelism": node["parallelism"]}
        if node.get("inputs"):
            entry["predecessors"] = [{"id": edge["node"] + 1, "ship_strategy": _SHIP_STRATEGIES[edge["partitioning"]],
                                      "side": "second"} for edge in node["inputs"]]
        nodes.append(entry)
    return json.dumps({"nodes": nodes}, indent=2)
