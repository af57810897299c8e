"""`pyfn.table.types`: PyFlink's module of data types."""

from pyfn.types import *  # noqa: F401,F403 — the same names PyFlink's pyflink.table.types has
from pyfn.types import DataType, DataTypes, RowField, RowType

__all__ = ["DataType", "DataTypes", "RowType", "RowField"]
