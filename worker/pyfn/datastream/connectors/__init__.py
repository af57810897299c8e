"""PyFlink's DataStream connectors (`pyflink.datastream.connectors`): files and number sequences."""

from pyfn.datastream.connectors.base import Sink, Source

__all__ = ["Source", "Sink"]
