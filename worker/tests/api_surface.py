"""Prints {dotted name: [public attributes], or None for a name of a module's `__all__` it lacks} of a package's
DataStream API: `python api_surface.py pyflink` (in PyFlink's venv) or `pyfn`. test_datastream_api_surface compares
the two; this file imports nothing of either but the package it is given."""

import importlib
import inspect
import json
import sys

MODULES = ["datastream", "datastream.data_stream", "datastream.window", "datastream.functions",
           "datastream.stream_execution_environment", "datastream.state", "datastream.output_tag",
           "datastream.time_domain", "datastream.timerservice"]


def surface(package: str) -> dict:
    """The public names of `package`'s DataStream modules: each class (and the classes nested in it) with its
    public attributes."""
    out = {}

    def own(value) -> bool:
        return inspect.isclass(value) and (value.__module__ or "").split(".")[0] == package

    def walk(prefix, cls, depth=0):
        out[prefix] = sorted(a for a in dir(cls) if not a.startswith("_"))
        for name in dir(cls):
            value = getattr(cls, name, None)
            if depth < 2 and name[:1].isupper() and own(value):  # a nested class (or an alias of one)
                walk(prefix + "." + name, value, depth + 1)

    for module_name in MODULES:
        module = importlib.import_module(package + "." + module_name)
        names = getattr(module, "__all__", None)
        if names is None:  # a module without __all__: the classes it defines (not those it imports)
            names = [n for n in dir(module) if not n.startswith("_")
                     and getattr(getattr(module, n), "__module__", None) == module.__name__]
        for name in names:
            value = getattr(module, name, None)
            if own(value):
                walk(module_name + "." + name, value)
            elif value is None:
                out[module_name + "." + name] = None
    return out


if __name__ == "__main__":
    json.dump(surface(sys.argv[1]), sys.stdout)
