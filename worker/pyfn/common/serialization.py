"""`Encoder` (`pyflink.common.serialization`): how a row-format FileSink writes records — as strings, one a line."""

from __future__ import annotations

__all__ = ["Encoder", "SimpleStringSchema"]


class Encoder:
    """Writes each record as its text and a line break (PyFn's only encoder)."""

    def __init__(self, charset: str = "UTF-8"):
        self.charset = charset

    @staticmethod
    def simple_string_encoder(charset_name: str = "UTF-8") -> "Encoder":
        """Each record's text (as Flink prints it), then a line break."""
        return Encoder(charset_name)


class SimpleStringSchema:
    """Records as UTF-8 strings (kept for compatibility)."""

    def __init__(self, charset: str = "UTF-8"):
        self.charset = charset
