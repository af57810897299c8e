"""Keeps numpy out of a worker until something imports it: pyarrow alone would import it first thing.

pyarrow.lib imports numpy when it is installed and then initialises its C++ side's numpy support
(`arrow::py::arrow_init_numpy`). A worker running plain functions never needs numpy, and it costs the worker
about 11 MB of peak RSS and a third of its import time (measured with `/usr/bin/time python -c`: `import grpc,
pyarrow` 71 MB and 1.42-1.75 s under load 13, with numpy hidden 60 MB and 0.90-1.12 s; `import numpy` alone 26 MB).
pyarrow works without numpy (since pyarrow 16), so `defer_numpy()` imports pyarrow with numpy hidden, and installs
an import hook: whenever anything imports numpy later (a user's module or function, pandas, pyarrow.compute, the
worker's own numpy code), pyarrow is handed numpy right after numpy's own import, as pyarrow.lib would have done
at its import — its module-level `np` and the C++ initialisation. From then on pyarrow converts numpy values and
arrays exactly as usual; before, no numpy value can exist in the process.

Nothing is deferred when numpy or pyarrow is already imported (an interpreter that imported pyfn's embedded module
after its own imports), or when libarrow_python does not export the initialisation (another pyarrow build).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from typing import Callable, Optional

#: The C++ function pyarrow.lib calls at import when numpy is present (`int arrow::py::arrow_init_numpy()`).
_INIT_SYMBOL = "_ZN5arrow2py16arrow_init_numpyEv"

_init_numpy: Optional[Callable[[], int]] = None


def _locate_init() -> Optional[Callable[[], int]]:
    """pyarrow's numpy initialisation from libarrow_python (which pyarrow.lib links, so this loads nothing more
    than importing pyarrow does), or None when pyarrow is missing or the library does not export it."""
    spec = importlib.util.find_spec("pyarrow")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = list(spec.submodule_search_locations)[0]
    names = [n for n in os.listdir(folder) if n.startswith("libarrow_python.so.")]
    if not names:
        return None
    try:
        # PyDLL: called with the GIL held, and a Python error it sets (numpy's import failing) is raised.
        function = getattr(ctypes.PyDLL(os.path.join(folder, min(names, key=len))), _INIT_SYMBOL)
    except (OSError, AttributeError):
        return None
    function.restype = ctypes.c_int
    function.argtypes = []
    return function


def _give_numpy_to_pyarrow(numpy) -> None:
    """What pyarrow.lib does at import when numpy is importable: its module global `np`, then the C++ side."""
    lib = sys.modules.get("pyarrow.lib")
    if lib is None or getattr(lib, "np", None) is not None or _init_numpy is None:
        return
    if int(numpy.__version__.partition(".")[0]) < 2:  # pyarrow.lib's own check at import
        raise ImportError("pyarrow requires NumPy 2.0 or newer, found %s" % numpy.__version__)
    if _init_numpy() != 0:
        raise ImportError("pyfn.worker.numpy_deferral: pyarrow's numpy initialisation failed")
    lib.np = numpy


class _NumpyLoader:
    """Runs numpy's own loader, then hands numpy to pyarrow; numpy's spec keeps its own loader afterwards. (The
    import system needs only these two methods; importlib.abc's base classes would import importlib.resources.)"""

    def __init__(self, spec):
        self._spec = spec
        self._loader = spec.loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._spec.loader = module.__loader__ = self._loader
        self._loader.exec_module(module)
        _give_numpy_to_pyarrow(module)


class _NumpyImportHook:
    """A meta-path finder that lets the other finders find numpy and wraps its loader in `_NumpyLoader`."""

    def find_spec(self, name, path=None, target=None):
        if name != "numpy":
            return None
        sys.meta_path.remove(self)  # numpy imports once; later lookups need no hook
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _NumpyLoader(spec)
        return spec


def defer_numpy() -> bool:
    """Imports pyarrow without numpy and hands numpy to pyarrow when something imports it; True when it did,
    False when numpy or pyarrow was already imported or this pyarrow cannot be handed numpy later."""
    global _init_numpy
    if "numpy" in sys.modules or "pyarrow.lib" in sys.modules or _init_numpy is not None:
        return False
    _init_numpy = _locate_init()
    if _init_numpy is None:
        return False
    sys.modules["numpy"] = None  # `import numpy` raises ImportError: pyarrow.lib takes its no-numpy path
    try:
        import pyarrow  # noqa: F401
    finally:
        if sys.modules.get("numpy", 0) is None:
            del sys.modules["numpy"]
    sys.meta_path.insert(0, _NumpyImportHook())
    return True


def numpy_deferred() -> bool:
    """True while pyarrow runs without numpy (nothing has imported numpy since `defer_numpy`)."""
    lib = sys.modules.get("pyarrow.lib")
    return _init_numpy is not None and lib is not None and getattr(lib, "np", None) is None
