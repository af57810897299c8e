"""Classes shared by PyFn's Table and DataStream APIs, as `pyflink.common` has them."""

from pyfn.common.configuration import Configuration
from pyfn.common.execution_mode import RuntimeExecutionMode
from pyfn.common.typeinfo import TypeInformation, Types
from pyfn.row import Row, RowKind

__all__ = ["Configuration", "RuntimeExecutionMode", "Row", "RowKind", "TypeInformation", "Types"]
