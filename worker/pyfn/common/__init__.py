"""Classes shared by PyFn's Table and DataStream APIs, as `pyflink.common` has them."""

from pyfn.common.configuration import Configuration
from pyfn.common.execution_mode import RuntimeExecutionMode
from pyfn.common.serialization import Encoder, SimpleStringSchema
from pyfn.common.time import Duration, Time
from pyfn.common.typeinfo import TypeInformation, Types
from pyfn.common.watermark_strategy import WatermarkStrategy
from pyfn.row import Row, RowKind

__all__ = ["Configuration", "RuntimeExecutionMode", "Row", "RowKind", "TypeInformation", "Types", "WatermarkStrategy",
           "Encoder", "SimpleStringSchema", "Duration", "Time"]
