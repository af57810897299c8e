"""What sources and sinks are to the graph: each says how the request describes it."""

from __future__ import annotations

__all__ = ["Source", "Sink"]


class Source:
    """A source `env.from_source(...)` reads. Subclasses give `source_spec()` (the request's source object) and
    `bounded`."""

    #: Whether the source ends.
    bounded = True
    #: The type of the records it makes (a TypeInformation; None: pickled).
    type_info = None

    def source_spec(self, files) -> dict:
        """The request's description of the source; `files` keeps temporary files the request refers to."""
        raise NotImplementedError


class Sink:
    """A sink `DataStream.sink_to(...)` writes to. Subclasses give `sink_spec()` and `needs_text` (whether
    records are formatted as text first)."""

    needs_text = True

    def sink_spec(self) -> dict:
        """The request's description of the sink."""
        raise NotImplementedError
