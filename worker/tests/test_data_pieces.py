"""A bundle's output leaves the harness as data pieces followed by an empty `is_last` piece, over Data and
embedded alike: Beam's data channels drop the data of a piece marked last (a 3 MB input once arrived as 2 MiB).
Input in the old form, data on the `is_last` piece, is still read."""

import pyarrow as pa

import udfs_pyflink_style as style
from descriptors import call_message as call, functions
from fake_runner import SCALAR_URN, ipc_bytes
from pyfn import udf


def test_output_over_data_ends_with_an_empty_last_piece(runner):
    make_big = udf(lambda n: "x" * n, result_type="STRING", name="make_big_pieces")
    runner.register("pieces-big", SCALAR_URN, functions(call(make_big, 0, by_value=True)))
    batch = pa.record_batch([pa.array([300_000] * 20)], names=["n"])
    instruction_id = runner.send_bundle("pieces-big", ipc_bytes([batch]))
    result = runner.result(instruction_id)
    assert result.error == ""
    pieces = runner.output_pieces(instruction_id)
    assert len(pieces) >= 3 and pieces[-1] == b"" and all(pieces[:-1])
    assert instruction_id not in runner.data_on_last_piece
    assert result.table().column(0).to_pylist() == ["x" * 300_000] * 20


def test_embedded_output_ends_with_an_empty_last_piece(runner):
    runner.register("pieces-embedded", SCALAR_URN, functions(call(style.add, 0, 1)))
    batch = pa.record_batch([pa.array([1, 2]), pa.array([3, 4])], names=["a", "b"])
    result = runner.run("pieces-embedded", ipc_bytes([batch]), embedded=True)
    assert result.error == ""
    pieces = result.response.process_bundle.elements.data
    assert [bool(p.data) for p in pieces] == [True, False]
    assert [p.is_last for p in pieces] == [False, True]
    assert result.table().column("f0").to_pylist() == [4, 6]


def test_input_with_data_on_the_last_piece_is_still_read(runner):
    runner.register("pieces-old-input", SCALAR_URN, functions(call(style.add, 0, 1)))
    values = list(range(5000))
    batch = pa.record_batch([pa.array(values), pa.array(values)], names=["a", "b"])
    instruction_id = runner.send_bundle("pieces-old-input", ipc_bytes([batch]), piece_size=1000, data_on_last=True)
    result = runner.result(instruction_id)
    assert result.error == ""
    assert result.table().column("f0").to_pylist() == [2 * v for v in values]


def test_the_control_call_declares_embedding(runner):
    # The runner embeds input in a ProcessBundleRequest only for a harness that declares it here.
    declared = runner.control_metadata.get("pyfn-capabilities", "").split()
    assert declared == ["beam:protocol:control_request_elements_embedding:v1"]
