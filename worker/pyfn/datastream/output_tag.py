"""`OutputTag` (`pyflink.datastream.output_tag`): names a side output. A process function emits a record to it by
yielding `(output_tag, value)`; `stream.get_side_output(output_tag)` is the stream of those records."""

from __future__ import annotations

__all__ = ["OutputTag"]


class OutputTag:
    """A side output's name and the type of its records (None: pickled; a list of types: a ROW of them)."""

    def __init__(self, tag_id: str, type_info=None):
        if not tag_id:
            raise ValueError("OutputTag tag_id cannot be None or empty string")
        if isinstance(type_info, list):
            from pyfn.common.typeinfo import Types
            type_info = Types.ROW(type_info)
        self.tag_id = tag_id
        self.type_info = type_info

    def get_java_output_tag(self):
        """Not supported by PyFn (raises NotImplementedError): there is no Java side."""
        from pyfn.datastream.unsupported import NO_JAVA, unsupported
        unsupported("OutputTag.get_java_output_tag", NO_JAVA)()

    def __eq__(self, other) -> bool:
        return isinstance(other, OutputTag) and other.tag_id == self.tag_id

    def __hash__(self) -> int:
        return hash(self.tag_id)

    def __repr__(self) -> str:
        return "OutputTag(%r)" % self.tag_id
