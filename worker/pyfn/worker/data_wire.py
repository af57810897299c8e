"""The Data stream's messages (`Elements` of `Elements.Data` pieces) in and out of their wire form directly.

A bundle's input and output are Arrow IPC streams of megabytes. Through the generated classes, an incoming
piece is copied twice (parsing, then reading `.data`) and an outgoing one twice (setting `.data`, then
serializing), all while holding the GIL. Here an incoming piece's `data` is a zero-copy memoryview of the
received message, and an outgoing message is built with one join. Messages with anything else in them (timers,
unknown fields) are parsed by the generated class, so nothing is lost.

Wire form (proto3): Elements { repeated Data data = 1; repeated Timers timers = 2; }
                    Data { string instruction_id = 1; string transform_id = 2; bytes data = 3; bool is_last = 4; }
"""

from __future__ import annotations

from typing import List

from pyfn.proto.beam import beam_fn_api_pb2

DATA_METHOD = "/org.apache.beam.model.fn_execution.v1.BeamFnData/Data"


class Piece:
    """One `Elements.Data`: `data` is a memoryview into the received message, or bytes."""

    __slots__ = ("instruction_id", "transform_id", "data", "is_last")

    def __init__(self, instruction_id: str, transform_id: str, data, is_last: bool):
        self.instruction_id = instruction_id
        self.transform_id = transform_id
        self.data = data
        self.is_last = is_last


class ReceivedElements:
    """What `decode` returns: `data`, the message's pieces."""

    __slots__ = ("data",)

    def __init__(self, data: List[Piece]):
        self.data = data


class _Unexpected(Exception):
    pass


def _varint(buffer, position: int, end: int):
    result = shift = 0
    while True:
        if position >= end:
            raise _Unexpected()
        byte = buffer[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, position
        shift += 7
        if shift > 63:
            raise _Unexpected()


def _decode_piece(raw: bytes, view: memoryview, position: int, end: int) -> Piece:
    instruction_id = transform_id = ""
    data = b""
    is_last = False
    while position < end:
        tag, position = _varint(raw, position, end)
        if tag == 0x20:  # is_last, varint
            value, position = _varint(raw, position, end)
            is_last = value != 0
            continue
        if tag not in (0x0A, 0x12, 0x1A):
            raise _Unexpected()
        length, position = _varint(raw, position, end)
        stop = position + length
        if stop > end:
            raise _Unexpected()
        if tag == 0x1A:
            data = view[position:stop]
        elif tag == 0x0A:
            instruction_id = raw[position:stop].decode("utf-8")
        else:
            transform_id = raw[position:stop].decode("utf-8")
        position = stop
    return Piece(instruction_id, transform_id, data, is_last)


def decode(raw: bytes):
    """The pieces of a serialized `Elements` (a `ReceivedElements`, or the generated message when it holds
    more than data pieces)."""
    try:
        view = memoryview(raw)
        pieces = []
        position, end = 0, len(raw)
        while position < end:
            tag, position = _varint(raw, position, end)
            if tag != 0x0A:
                raise _Unexpected()
            length, position = _varint(raw, position, end)
            stop = position + length
            if stop > end:
                raise _Unexpected()
            pieces.append(_decode_piece(raw, view, position, stop))
            position = stop
        return ReceivedElements(pieces)
    except (_Unexpected, UnicodeDecodeError):
        return beam_fn_api_pb2.Elements.FromString(raw)


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _string_field(tag: bytes, value: bytes) -> bytes:
    return tag + _encode_varint(len(value)) + value if value else b""


def encode_piece(instruction_id: str, transform_id: str, data, is_last: bool) -> bytes:
    """A serialized `Elements` holding one `Elements.Data` (what `Elements.SerializeToString` gives, byte for
    byte): `data` (any bytes-like object) is copied once."""
    size = len(memoryview(data))
    head = _string_field(b"\x0a", instruction_id.encode("utf-8")) + _string_field(b"\x12", transform_id.encode("utf-8"))
    if size:
        head += b"\x1a" + _encode_varint(size)
    tail = b"\x20\x01" if is_last else b""
    inner = len(head) + size + len(tail)
    return b"".join((b"\x0a", _encode_varint(inner), head, data, tail))


def serialize(message) -> bytes:
    """The request serializer of the Data stream: bytes from `encode_piece` as they are, messages serialized."""
    if isinstance(message, bytes):
        return message
    return message.SerializeToString()
