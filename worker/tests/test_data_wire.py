"""The Data stream's hand-written wire form agrees with the generated `Elements` class."""

import pytest

from pyfn.proto.beam import beam_fn_api_pb2
from pyfn.worker import data_wire


def elements(*pieces):
    message = beam_fn_api_pb2.Elements()
    for instruction_id, transform_id, data, is_last in pieces:
        message.data.add(instruction_id=instruction_id, transform_id=transform_id, data=data, is_last=is_last)
    return message


@pytest.mark.parametrize("size", [0, 1, 127, 128, 16383, 16384, 3_000_000])
@pytest.mark.parametrize("is_last", [False, True])
@pytest.mark.parametrize("ids", [("bundle-7", "sink"), ("", ""), ("é" * 100, "source")])
def test_encode_matches_and_decode_round_trips(size, is_last, ids):
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    expected = elements((ids[0], ids[1], data, is_last)).SerializeToString()
    encoded = data_wire.encode_piece(ids[0], ids[1], memoryview(data), is_last)
    assert encoded == expected
    decoded = data_wire.decode(expected)
    assert isinstance(decoded, data_wire.ReceivedElements)
    (piece,) = decoded.data
    assert (piece.instruction_id, piece.transform_id, bytes(piece.data), piece.is_last) == (ids[0], ids[1], data,
                                                                                           is_last)


def test_several_pieces_and_odd_but_valid_forms():
    raw = elements(("a", "source", b"xy", False), ("b", "source", b"", True)).SerializeToString()
    assert [(p.instruction_id, bytes(p.data), p.is_last) for p in data_wire.decode(raw).data] == \
        [("a", b"xy", False), ("b", b"", True)]
    # A repeated scalar field: the last one wins, as in protobuf.
    assert bytes(data_wire.decode(b"\x0a\x06\x1a\x01a\x1a\x01b").data[0].data) == b"b"


def test_unknown_fields_fall_back_to_the_generated_class():
    decoded = data_wire.decode(b"\x0a\x04\x48\x01\x20\x01")  # field 9 inside the piece
    assert isinstance(decoded, beam_fn_api_pb2.Elements) and decoded.data[0].is_last


def test_a_broken_message_raises_like_the_generated_class():
    with pytest.raises(Exception):
        data_wire.decode(b"\x0a\x05\x0a\x09")
