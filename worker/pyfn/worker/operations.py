"""The registry of function kinds: which operation class runs a `pyfn:transform:*` URN.

One place lists every kind the harness runs; each kind is one module with one operation class. Modules are
imported on first use, so a harness that never runs pandas functions never imports pandas. An operation class
is built as `Class(functions_message, lifecycle)` (or with `transform_id=` when its `needs_state` is true) and
runs a bundle with `process(batches, writer)` (or `process(batches, writer_for, state)` when it keeps state).

To add a kind: write its module and add one line to OPERATIONS.
"""

from __future__ import annotations

import importlib
from typing import Dict, Tuple

from pyfn.worker.errors import BundleError

#: URN -> (module, class name) of its operation.
OPERATIONS: Dict[str, Tuple[str, str]] = {
    "pyfn:transform:scalar_function:v1": ("pyfn.worker.scalar_operation", "ScalarOperation"),
    "pyfn:transform:table_function:v1": ("pyfn.worker.table_operation", "TableOperation"),
    "pyfn:transform:pandas_scalar_function:v1": ("pyfn.worker.pandas_operation", "PandasOperation"),
    "pyfn:transform:async_scalar_function:v1": ("pyfn.worker.async_operation", "AsyncScalarOperation"),
    "pyfn:transform:arrow_scalar_function:v1": ("pyfn.worker.arrow_operation", "ArrowOperation"),
    "pyfn:transform:aggregate_function:v1": ("pyfn.worker.aggregate_operation", "AggregateOperation"),
    "pyfn:transform:group_aggregate:v1": ("pyfn.worker.group_aggregate_operation", "GroupAggregateOperation"),
    "pyfn:transform:table_aggregate:v1": ("pyfn.worker.table_aggregate_operation", "TableAggregateOperation"),
    "pyfn:transform:datastream:v1": ("pyfn.worker.datastream.operation", "DataStreamOperation"),
    "pyfn:transform:keyed_datastream:v1": ("pyfn.worker.datastream.operation", "KeyedDataStreamOperation"),
}


def operation_class(urn: str):
    """The operation class registered for `urn`; an unknown URN raises BundleError listing the known ones."""
    entry = OPERATIONS.get(urn)
    if entry is None:
        raise BundleError("unsupported function transform %r (this harness runs %s)"
                          % (urn, ", ".join(sorted(OPERATIONS))))
    module_name, class_name = entry
    return getattr(importlib.import_module(module_name), class_name)
