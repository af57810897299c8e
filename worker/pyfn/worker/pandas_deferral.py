"""Keeps pandas out of a worker until something asks for it in Python: pyarrow alone would import it.

pyarrow imports pandas (when installed) the first time it converts a Python list (`pa.array(results)`: its
array-like check and its C++ converter's static data both try). That costs a worker that runs only plain
functions about 35 MB of RSS and 0.2-0.3 s of start-up for nothing (measured: pyarrow + grpc + numpy + the
harness 72 MB, 106 MB once pyarrow has pulled in pandas). `defer_pandas()` installs an import hook that refuses
`pandas` when the import comes from pyarrow's native code called by PyFn's own modules; pyarrow then takes the
no-pandas path, which gives the same arrays. Any `import pandas` statement (a user's function, a Pandas
operation) and any import from another module's code goes through as usual; `allow_pandas()` (called by the
operations that hand pandas objects to pyarrow) also makes pyarrow look again, so it sees pandas objects as
array-like.
"""

from __future__ import annotations

import dis
import sys
from typing import Optional

_IMPORT_NAME = dis.opmap["IMPORT_NAME"]
_BOOTSTRAP_FILES = ("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>")


def _requested_by_pyfn_native_call(frame) -> bool:
    """True when the innermost Python frame outside importlib is PyFn code that is not executing an import
    statement: the import comes from native code (pyarrow) that PyFn called."""
    while frame is not None and frame.f_code.co_filename in _BOOTSTRAP_FILES:
        frame = frame.f_back
    if frame is None:
        return False
    module = frame.f_globals.get("__name__") or ""
    if not (module == "pyfn" or module.startswith("pyfn.")):
        return False
    code = frame.f_code.co_code
    return not (0 <= frame.f_lasti < len(code) and code[frame.f_lasti] == _IMPORT_NAME)


class _PandasDeferral:
    """A meta-path finder that refuses `pandas` to pyarrow's native imports on PyFn's behalf."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" and _requested_by_pyfn_native_call(sys._getframe(1)):
            raise ModuleNotFoundError("pandas is deferred in this worker (pyfn.worker.pandas_deferral)", name=name)
        return None


_deferral: Optional[_PandasDeferral] = None


def defer_pandas() -> None:
    """Installs the hook (once) unless pandas is already imported."""
    global _deferral
    if _deferral is None and "pandas" not in sys.modules:
        _deferral = _PandasDeferral()
        sys.meta_path.insert(0, _deferral)


def allow_pandas():
    """Imports pandas, removes the hook and lets pyarrow see pandas again; returns the pandas module (raises
    ImportError when it is not installed)."""
    global _deferral
    if _deferral is not None:
        try:
            sys.meta_path.remove(_deferral)
        except ValueError:
            pass
        _deferral = None
    import pandas

    lib = sys.modules.get("pyarrow.lib")
    if lib is not None:
        lib._pandas_api.pd  # its checked import: pyarrow re-reads pandas after an earlier refusal
    return pandas
