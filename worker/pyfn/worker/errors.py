"""Errors that fail one bundle, with messages that name the function, the row and its values."""

from __future__ import annotations

import traceback
from typing import Optional, Sequence

# Longest text of one argument value in an error message.
_VALUE_LIMIT = 200


def describe_value(value) -> str:
    text = repr(value)
    if len(text) > _VALUE_LIMIT:
        text = text[:_VALUE_LIMIT] + "...(%d chars)" % len(text)
    return text


def format_traceback(error: BaseException, skip_frames: int = 0) -> str:
    """The traceback of `error`, leaving out the first `skip_frames` frames (the harness's own)."""
    tb = error.__traceback__
    for _ in range(skip_frames):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


class BundleError(Exception):
    """Fails the current bundle with this message; the harness goes on serving."""


class FunctionError(BundleError):
    """A user function failed, or returned something its result type cannot hold."""

    def __init__(self, function: str, what: str, row: Optional[int] = None,
                 arguments: Optional[Sequence] = None, trace: str = ""):
        self.function = function
        self.row = row
        self.arguments = None if arguments is None else list(arguments)
        self.trace = trace
        parts = ["function %r %s" % (function, what)]
        if row is not None:
            parts.append(" at row %d of the bundle" % row)
        if arguments is not None:
            parts.append(" with arguments (%s)" % ", ".join(describe_value(v) for v in arguments))
        message = "".join(parts)
        if trace:
            message += "\n" + trace.rstrip("\n")
        super().__init__(message)
