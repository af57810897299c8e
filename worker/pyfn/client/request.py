"""The job request a program sends to `pyfn submit` (docs/job-submission.md, "Request")."""

from __future__ import annotations

import base64
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from pyfn.client.location import Location
from pyfn.wrappers import (UserDefinedAggregateFunctionWrapper, UserDefinedFunctionWrapper,
                           UserDefinedScalarFunctionWrapper, UserDefinedTableFunctionWrapper)

__all__ = ["Statement", "FunctionSpec", "JobRequest", "describe_function"]

# The same kind names `python -m pyfn.describe` prints.
_KINDS = {"scalar": "SCALAR", "pandas_scalar": "PANDAS_SCALAR", "table": "TABLE", "aggregate": "AGGREGATE",
          "pandas_aggregate": "PANDAS_AGGREGATE", "async_scalar": "ASYNC_SCALAR", "arrow_scalar": "ARROW_SCALAR",
          "table_aggregate": "TABLE_AGGREGATE"}


@dataclass
class Statement:
    """One SQL statement and the program line that made it."""

    sql: str
    location: Optional[Location] = None

    def to_json(self) -> dict:
        """The statement as the request carries it."""
        out = {"sql": self.sql}
        if self.location is not None:
            out["location"] = self.location.to_json()
        return out


@dataclass
class FunctionSpec:
    """A function defined in the program, shipped by value: its description and its cloudpickled wrapper."""

    name: str
    description: dict
    location: Optional[Location] = None

    def to_json(self) -> dict:
        """The function as the request carries it."""
        out = dict(self.description, name=self.name)
        if self.location is not None:
            out["location"] = self.location.to_json()
        return out


def program_modules(objects) -> list:
    """The modules `objects` (functions, classes, instances) come from that workers may not be able to import: the
    program's own (not pyfn, not installed in site-packages or the standard library), so they travel by value.
    An object with a `carried_functions()` method (a pyfn wrapper) adds the functions it carries."""
    names = set()
    pending = list(objects)
    while pending:
        obj = pending.pop()
        names.update((getattr(obj, "__module__", None), type(obj).__module__))
        # pyfn's own wrappers (a window operator) name the user's functions they carry.
        carried = getattr(obj, "carried_functions", None)
        if callable(carried) and not isinstance(obj, type):
            pending.extend(carried())
    modules = []
    for name in filter(None, names):
        module = sys.modules.get(name)
        if module is None or name == "__main__" or name == "pyfn" or name.startswith("pyfn."):
            continue  # __main__ is always pickled by value
        path = getattr(module, "__file__", None)
        if not path:
            continue
        path = os.path.abspath(path)
        if "site-packages" in path or "dist-packages" in path \
                or path.startswith(os.path.abspath(sys.base_prefix) + os.sep):
            continue
        modules.append(module)
    return modules


def pickle_by_value(obj, objects) -> bytes:
    """cloudpickle of `obj`, with the program's modules of `objects` (see program_modules) pickled by value."""
    import cloudpickle

    modules = program_modules(objects)
    for module in modules:
        cloudpickle.register_pickle_by_value(module)
    try:
        return cloudpickle.dumps(obj)
    finally:
        for module in modules:
            cloudpickle.unregister_pickle_by_value(module)


def _pickle(wrapper: UserDefinedFunctionWrapper) -> bytes:
    return pickle_by_value(wrapper, [wrapper, wrapper.func])


def describe_function(name: str, wrapper: UserDefinedFunctionWrapper,
                      location: Optional[Location] = None) -> FunctionSpec:
    """The request's description of a udf/udtf/udaf wrapper registered as `name`."""
    if not isinstance(wrapper, UserDefinedFunctionWrapper):
        what = getattr(wrapper, "__name__", type(wrapper).__name__)
        raise TypeError("%r is not a declared function: wrap it with @udf(result_type=...), "
                        "@udtf(result_types=[...]) or udaf(...) so its result type is known" % (what,))
    description = {
        "kind": _KINDS[wrapper.kind],
        "function_name": wrapper.name,
        "result_type": wrapper.result_type.sql(),
        "deterministic": wrapper.deterministic,
        "pickle": base64.b64encode(_pickle(wrapper)).decode("ascii"),
    }
    if wrapper.input_types is not None:
        description["input_types"] = [t.sql() for t in wrapper.input_types]
    if isinstance(wrapper, UserDefinedTableFunctionWrapper):
        description["result_types"] = [t.sql() for t in wrapper.result_types]
        description["result_fields"] = [{"name": f.name, "type": f.data_type.sql()}
                                        for f in wrapper.result_type.fields]
    if isinstance(wrapper, UserDefinedAggregateFunctionWrapper) and wrapper.accumulator_type is not None:
        description["accumulator_type"] = wrapper.accumulator_type.sql()
    if isinstance(wrapper, UserDefinedScalarFunctionWrapper):
        description["func_type"] = wrapper.func_type
    return FunctionSpec(name, description, location)


@dataclass
class JobRequest:
    """Everything `pyfn submit` needs: settings, functions, statements and an optional query to collect."""

    name: str = "pyfn-job"
    base_directory: str = field(default_factory=os.getcwd)
    settings: Dict[str, str] = field(default_factory=dict)
    functions: List[FunctionSpec] = field(default_factory=list)
    statements: List[Statement] = field(default_factory=list)
    collect: Optional[Statement] = None
    #: further top-level members (e.g. a DataStream graph), merged into the JSON as they are
    extra: Dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict:
        """The request document."""
        settings = dict(self.settings)
        settings.setdefault("python.executable", sys.executable)
        out = {
            "version": 1,
            "name": self.name,
            "base_directory": os.path.abspath(self.base_directory),
            "settings": settings,
            "functions": [f.to_json() for f in self.functions],
            "statements": [s.to_json() for s in self.statements],
        }
        if self.collect is not None:
            out["collect"] = self.collect.to_json()
        out.update(self.extra)
        return out

    def encode(self) -> bytes:
        """The request as the UTF-8 JSON bytes written to the runner's stdin."""
        return json.dumps(self.to_json()).encode("utf-8")
