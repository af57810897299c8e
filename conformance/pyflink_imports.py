"""Lets the conformance cases, written with PyFlink's imports (`from pyflink.table import ...`), run on PyFn: where
PyFlink is not installed, `install()` registers each `pyflink` module the cases use as the `pyfn` module of the
same path (PyFn's APIs mirror PyFlink's). Runs in the program and in PyFn's workers (which import the cases)."""

import importlib
import importlib.util
import sys

#: The modules the cases import, as PyFlink names them.
MODULES = ["pyflink", "pyflink.common", "pyflink.table", "pyflink.table.udf", "pyflink.table.expressions",
           "pyflink.table.data_view"]


def engine() -> str:
    """"pyflink" when PyFlink is installed, else "pyfn"."""
    return "pyflink" if importlib.util.find_spec("pyflink") is not None and "pyflink" not in _aliased else "pyfn"


_aliased = set()


def install() -> None:
    """Without PyFlink, `import pyflink.X` gives `pyfn.X` from now on in this process."""
    if _aliased or importlib.util.find_spec("pyflink") is not None:
        return
    for name in MODULES:
        sys.modules[name] = importlib.import_module("pyfn" + name[len("pyflink"):])
        _aliased.add(name)
