"""Describes declared functions as `pyfn.v1.UserDefinedFunction` messages, and lists a file's functions.

    python -m pyfn.describe path/to/udfs.py [NAME ...]
    python -m pyfn.describe my_package.udfs [NAME ...] [--types-only]

prints one JSON object per function (those named, else every udf/udtf/udaf the module defines), e.g.
`{"name": "add", "kind": "SCALAR", "result_type": "BIGINT NOT NULL", "input_types": ["BIGINT", "BIGINT"], ...}`.
The Swift job planner calls it to learn declared result types. Errors go to stderr with exit status 1.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import importlib.util
import inspect
import json
import os
import sys
from typing import Dict, List, Optional, Tuple

from pyfn.functions import AggregateFunction
from pyfn.wrappers import (UserDefinedAggregateFunctionWrapper, UserDefinedFunctionWrapper,
                           UserDefinedScalarFunctionWrapper, UserDefinedTableFunctionWrapper)

__all__ = ["describe", "find_functions", "load_module", "describe_to_json", "main"]

_KINDS = {
    "scalar": "SCALAR", "pandas_scalar": "PANDAS_SCALAR", "table": "TABLE",
    "aggregate": "AGGREGATE", "pandas_aggregate": "PANDAS_AGGREGATE",
    "async_scalar": "ASYNC_SCALAR", "arrow_scalar": "ARROW_SCALAR", "table_aggregate": "TABLE_AGGREGATE",
}
#: Kinds the descriptor's enum does not list: the operator's URN tells the worker how to call them, and each
#: function of them is called like a scalar function (one value per row).
_PROTO_KINDS = {"async_scalar": "SCALAR", "arrow_scalar": "SCALAR", "table_aggregate": "AGGREGATE"}


def _resolve(module_name: str, qualified_name: str):
    obj = importlib.import_module(module_name)
    for part in qualified_name.split("."):
        obj = getattr(obj, part)
    return obj


def _find_reference(obj) -> Optional[Tuple[str, str]]:
    """(module, qualified name) under which `obj` can be imported again, or None."""
    modules = [getattr(obj, "__module__", None)]
    func = getattr(obj, "func", None)
    if func is not None:
        modules += [getattr(func, "__module__", None), type(func).__module__]
    for module_name in dict.fromkeys(modules):
        if not module_name or module_name == "__main__" or module_name.startswith("pyfn."):
            continue
        module = sys.modules.get(module_name)
        if module is None:
            continue
        qualified = obj.__dict__.get("__qualname__") if hasattr(obj, "__dict__") else None
        candidates = [qualified] if isinstance(qualified, str) and "<" not in qualified else []
        candidates += [name for name, value in vars(module).items() if value is obj and name not in candidates]
        for name in candidates:
            try:
                if _resolve(module_name, name) is obj:
                    return module_name, name
            except Exception:
                continue
    return None


def describe(obj, name: Optional[str] = None, by_value: bool = False, reference: Optional[Tuple[str, str]] = None):
    """The `pyfn.v1.UserDefinedFunction` for a function declared with udf/udtf/udaf.

    The body is a FunctionReference when the object can be imported again by module and name (and `by_value`
    is false), else the cloudpickled wrapper (with `by_value`, the defining module is pickled by value too).
    `name` overrides the declared name. Inputs are left for the planner to fill in.
    """
    from pyfn.proto.pyfn import udf_pb2

    if not isinstance(obj, UserDefinedFunctionWrapper):
        what = getattr(obj, "__name__", type(obj).__name__)
        raise TypeError("%r is not a declared function: wrap it with @udf(result_type=...), "
                        "@udtf(result_types=[...]) or udaf(...) so its result type is known" % (what,))
    message = udf_pb2.UserDefinedFunction()
    message.name = name or obj.name
    message.kind = udf_pb2.UserDefinedFunction.Kind.Value(_PROTO_KINDS.get(obj.kind) or _KINDS[obj.kind])
    message.result_type.CopyFrom(obj.result_type.to_proto())
    message.deterministic = obj.deterministic
    if getattr(obj, "accumulator_type", None) is not None and obj.accumulator_type is not None:
        message.accumulator_type.CopyFrom(obj.accumulator_type.to_proto())
    found = None if by_value else (reference or _find_reference(obj))
    if found is not None:
        message.reference.module, message.reference.qualified_name = found
    else:
        message.cloudpickle = _pickle(obj, by_value)
    return message


def _pickle(obj, by_value: bool) -> bytes:
    import cloudpickle

    module_name = getattr(obj, "__module__", None)
    module = sys.modules.get(module_name) if module_name else None
    register = (by_value and module is not None and module_name != "__main__"
                and not module_name.startswith("pyfn.") and module_name != "pyfn")
    if register:
        cloudpickle.register_pickle_by_value(module)
    try:
        return cloudpickle.dumps(obj)
    finally:
        if register:
            cloudpickle.unregister_pickle_by_value(module)


def find_functions(module, names: Optional[List[str]] = None) -> Dict[str, UserDefinedFunctionWrapper]:
    """{attribute name: wrapper} for the named attributes, or for every declared function of the module."""
    if names:
        found = {}
        for name in names:
            if not hasattr(module, name):
                raise LookupError("%s defines no %r" % (module.__name__, name))
            value = getattr(module, name)
            if not isinstance(value, UserDefinedFunctionWrapper):
                raise TypeError("%s.%s is not a declared function (udf, udtf or udaf): %r"
                                % (module.__name__, name, value))
            found[name] = value
        return found
    return {name: value for name, value in vars(module).items()
            if isinstance(value, UserDefinedFunctionWrapper) and not name.startswith("_")}


def load_module(target: str):
    """Imports a module given as a .py path (its folder goes on sys.path) or as a dotted module name."""
    if target.endswith(".py") or os.sep in target or os.path.isfile(target):
        path = os.path.abspath(target)
        if not os.path.isfile(path):
            raise FileNotFoundError("no such file: %s" % target)
        folder = os.path.dirname(path)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        module_name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(target)


def _aggregate_methods(function) -> dict:
    """Whether an aggregate function defines `retract`, and where its class is defined (`file:line`)."""
    cls = function if inspect.isclass(function) else type(function)
    out = {"retract": getattr(cls, "retract", None) is not getattr(AggregateFunction, "retract")}
    try:
        out["defined_at"] = "%s:%d" % (inspect.getsourcefile(cls), inspect.getsourcelines(cls)[1])
    except (OSError, TypeError):  # defined where no source is (e.g. the REPL)
        pass
    return out


def describe_to_json(attribute: str, wrapper: UserDefinedFunctionWrapper, module_name: str,
                     with_descriptor: bool = True) -> dict:
    """The CLI's JSON object for one function (without `descriptor` when `with_descriptor` is false)."""
    reference = (module_name, attribute)
    out = {
        "name": attribute,
        "function_name": wrapper.name,
        "kind": _KINDS[wrapper.kind],
        "result_type": wrapper.result_type.sql(),
        "deterministic": wrapper.deterministic,
        "module": reference[0],
        "qualified_name": reference[1],
    }
    if wrapper.input_types is not None:
        out["input_types"] = [t.sql() for t in wrapper.input_types]
    if isinstance(wrapper, UserDefinedTableFunctionWrapper):
        out["result_types"] = [t.sql() for t in wrapper.result_types]
        out["result_fields"] = [{"name": f.name, "type": f.data_type.sql()} for f in wrapper.result_type.fields]
    if isinstance(wrapper, UserDefinedAggregateFunctionWrapper) and wrapper.accumulator_type is not None:
        out["accumulator_type"] = wrapper.accumulator_type.sql()
    if isinstance(wrapper, UserDefinedAggregateFunctionWrapper):
        out.update(_aggregate_methods(wrapper.func))
    if isinstance(wrapper, UserDefinedScalarFunctionWrapper):
        out["func_type"] = wrapper.func_type
    if wrapper.kind == "aggregate":
        # Session windows need `merge` (Flink's rule): the planner refuses a function without one there.
        out["has_merge"] = callable(getattr(wrapper.func, "merge", None)) and \
            type(wrapper.func).merge is not AggregateFunction.merge
    if with_descriptor:
        # The function self-contained (module pickled by value), for callers that ship it as the body.
        message = describe(wrapper, name=attribute, by_value=True)
        out["descriptor"] = base64.b64encode(message.SerializeToString()).decode("ascii")
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pyfn.describe",
                                     description="Print one JSON object per declared function of a file or module.")
    parser.add_argument("target", help="a .py file or an importable module name")
    parser.add_argument("names", nargs="*", help="functions to describe (default: every udf/udtf/udaf)")
    parser.add_argument("--types-only", action="store_true",
                        help="leave out `descriptor` (what the job planner calls it with: it needs kinds and types "
                             "only, and pickling and protobuf were about half of this command's time)")
    args = parser.parse_args(argv)
    try:
        module = load_module(args.target)
        functions = find_functions(module, args.names)
        lines = [json.dumps(describe_to_json(name, wrapper, module.__name__, with_descriptor=not args.types_only),
                            sort_keys=False)
                 for name, wrapper in functions.items()]
    except Exception as error:  # a user file can raise anything while importing
        print("pyfn.describe: %s: %s: %s" % (args.target, type(error).__name__, error), file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
