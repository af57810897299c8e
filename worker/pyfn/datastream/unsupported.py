"""PyFlink 2.3 methods and classes PyFn does not run. Each is present, so a program imports and builds as it would
on PyFlink, and calling it raises NotImplementedError naming the method and why (never a silent no-op). The list
and what was done about every gap: NOTES-ds-api.md."""

from __future__ import annotations

from typing import Callable

__all__ = ["unsupported", "NO_JAVA", "NO_CHECKPOINTS", "SourceFunction", "SinkFunction"]

#: Why Java-side methods are refused.
NO_JAVA = "PyFn runs no Java: there are no jars, Java functions or Java objects to use"
#: Why checkpointing methods are refused.
NO_CHECKPOINTS = ("PyFn does not checkpoint jobs (a failed bundle is replayed from the runner's state; a failed "
                  "job runs again from its start)")


def unsupported(qualified_name: str, reason: str) -> Callable:
    """A method (or static method body) that refuses: `Class.method() is not supported by PyFn: reason`."""

    def refuse(*args, **kwargs):
        raise NotImplementedError("%s() is not supported by PyFn: %s" % (qualified_name, reason))

    refuse.__name__ = qualified_name.rsplit(".", 1)[-1]
    refuse.__doc__ = "Not supported by PyFn (raises NotImplementedError): %s." % reason
    return refuse


class SourceFunction:
    """PyFlink's wrapper of a Java SourceFunction: refused when made."""

    def __init__(self, *args, **kwargs):
        unsupported("SourceFunction", NO_JAVA)()


class SinkFunction:
    """PyFlink's wrapper of a Java SinkFunction: refused when made."""

    def __init__(self, *args, **kwargs):
        unsupported("SinkFunction", NO_JAVA)()
