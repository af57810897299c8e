"""EmbeddedOutput returns small outputs in the response and spills large ones to a Data stream."""
from pyfn.proto.beam import beam_fn_api_pb2
from pyfn.worker.data_channel import EMBEDDED_OUTPUT_LIMIT, EmbeddedOutput


class RecordingStream:
    def __init__(self):
        self.sent = []
        self.closed = False
        self.barrier = "barrier"

    def send(self, data, is_last):
        self.sent.append((bytes(data), is_last))
        self.closed = self.closed or is_last

    def close_incomplete(self):
        if not self.closed:
            self.send(b"", True)


def test_small_output_stays_embedded():
    streams = []
    output = EmbeddedOutput("b1", "sink", spill=lambda: streams.append(RecordingStream()) or streams[-1])
    output.send(b"abc", False)
    output.send(b"def", True)
    elements = beam_fn_api_pb2.Elements()
    output.fill(elements)
    assert streams == []
    # Data pieces, then an empty is_last piece: Beam's data channels drop the data of a piece marked last.
    assert [(d.data, d.is_last, d.transform_id) for d in elements.data] == [(b"abcdef", False, "sink"),
                                                                            (b"", True, "sink")]
    assert output.barrier is None


def test_large_output_spills_in_order_and_is_not_embedded():
    streams = []
    output = EmbeddedOutput("b1", "sink", spill=lambda: streams.append(RecordingStream()) or streams[-1])
    first = b"x" * (EMBEDDED_OUTPUT_LIMIT // 2)
    second = b"y" * EMBEDDED_OUTPUT_LIMIT
    output.send(first, False)
    output.send(second, False)
    output.send(b"end", True)
    elements = beam_fn_api_pb2.Elements()
    output.fill(elements)
    assert len(elements.data) == 0
    assert streams[0].sent == [(first, False), (second, False), (b"end", True)]
    assert output.closed and output.barrier == "barrier"


def test_a_failed_spilled_bundle_closes_its_stream():
    streams = []
    output = EmbeddedOutput("b1", "sink", spill=lambda: streams.append(RecordingStream()) or streams[-1])
    output.send(b"z" * (EMBEDDED_OUTPUT_LIMIT + 1), False)
    output.close_incomplete()
    assert streams[0].sent[-1] == (b"", True)
