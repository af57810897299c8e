"""The DataStream operation in the harness: chains of map/flat_map/filter/key_by/reduce/process over typed and
pickled records, keyed state in the runner, errors naming the function and the record."""

import pickle

import cloudpickle
import pyarrow as pa
import pytest

import datastream_functions as dsf
from fake_runner import ipc_bytes
from pyfn import DataTypes
from pyfn.proto.pyfn import udf_pb2
from pyfn.worker.datastream.records import pickle_column, unpickle_column
from pyfn.worker.datastream.spec import PICKLED, ChainSpec, RecordFormat, StepSpec

DATASTREAM_URN = "pyfn:transform:datastream:v1"
KEYED_URN = "pyfn:transform:keyed_datastream:v1"
LONG = RecordFormat(DataTypes.BIGINT(), type_name="Types.Long")
STRING = RecordFormat(DataTypes.STRING())


def chain(*steps, input=PICKLED, keyed_input=False, batch_mode=False, parameters=None):
    message = udf_pb2.UserDefinedFunctions()
    message.udfs.add(name="chain", cloudpickle=cloudpickle.dumps(
        ChainSpec([StepSpec(*s) for s in steps], input, keyed_input=keyed_input, batch_mode=batch_mode)))
    for key, value in (parameters or {}).items():
        message.job_parameters[key] = value
    return message


def values(batch_values, arrow_type=None):
    column = pickle_column(batch_values) if arrow_type is None else pa.array(batch_values, arrow_type)
    return pa.record_batch([column], names=["value"])


def keyed(keys, batch_values):
    return pa.record_batch([pa.array([pickle.dumps(k, 4) for k in keys], pa.binary()), pickle_column(batch_values)],
                           names=["__key", "value"])


def test_typed_map_over_longs(runner):
    runner.register("ds-map", DATASTREAM_URN, chain(("map", lambda x: x + 1, "add_one", LONG), input=LONG))
    result = runner.run("ds-map", ipc_bytes([values([1, 2, 3], pa.int64())]))
    assert result.error == ""
    assert result.table().to_pydict() == {"value": [2, 3, 4]}
    assert result.table().schema.field("value").type == pa.int64()


def test_word_count_chain_flat_map_map_key_by_is_one_call(runner):
    runner.register("ds-words", DATASTREAM_URN, chain(
        ("flat_map", lambda line: line.split(), "split", PICKLED),
        ("map", lambda w: (w, 1), "pair", PICKLED),
        ("filter", lambda p: p[0] != "the", "not_the", PICKLED),
        ("key_by", lambda p: p[0], "word", PICKLED), input=STRING))
    result = runner.run("ds-words", ipc_bytes([values(["the cat", "a cat", ""], pa.string())]))
    assert result.error == ""
    table = result.table()
    assert table.schema.names == ["__key", "value"]
    assert [pickle.loads(k) for k in table.column("__key").to_pylist()] == ["cat", "a", "cat"]
    assert unpickle_column(table.column("value").combine_chunks()) == [("cat", 1), ("a", 1), ("cat", 1)]


def test_flat_map_generators_and_process_functions(runner):
    def twice(value):
        yield value
        yield value * 10

    runner.register("ds-gen", DATASTREAM_URN, chain(
        ("flat_map", twice, "twice", PICKLED),
        ("process", lambda value, ctx: [value + 1] if ctx.timestamp() is None else [], "inc", LONG), input=LONG))
    result = runner.run("ds-gen", ipc_bytes([values([1, 2], pa.int64())]))
    assert result.error == ""
    assert result.table().to_pydict() == {"value": [2, 11, 3, 21]}


def test_tuple_and_row_records(runner):
    row = RecordFormat(DataTypes.ROW([DataTypes.FIELD("f0", DataTypes.STRING()), DataTypes.FIELD("f1", DataTypes.INT())]),
                       as_tuple=True)
    runner.register("ds-tuple", DATASTREAM_URN, chain(("map", lambda t: (t[0].upper(), t[1] * 2), "up", row), input=row))
    batch = pa.record_batch([pa.array([{"f0": "a", "f1": 1}, {"f0": "b", "f1": 2}],
                                      pa.struct([("f0", pa.string()), ("f1", pa.int32())]))], names=["value"])
    result = runner.run("ds-tuple", ipc_bytes([batch]))
    assert result.error == ""
    assert result.table().column("value").to_pylist() == [{"f0": "A", "f1": 2}, {"f0": "B", "f1": 4}]


def test_runtime_context_knows_the_subtask_and_job_parameters(runner):
    runner.register("ds-ctx", DATASTREAM_URN, chain(("map", dsf.Subtask(), "subtask", PICKLED), parameters={
        "pyfn.subtask.index": "1", "pyfn.subtask.parallelism": "3", "tag": "x"}))
    result = runner.run("ds-ctx", ipc_bytes([values(["r"])]))
    assert result.error == ""
    assert unpickle_column(result.table().column("value").combine_chunks()) == [("r", 1, 3, "x")]


def test_a_raising_function_names_itself_the_record_and_the_traceback(runner):
    def parse(text):
        return int(text)

    runner.register("ds-raise", DATASTREAM_URN, chain(("map", parse, "parse", LONG), input=STRING))
    result = runner.run("ds-raise", ipc_bytes([values(["1", "x2"], pa.string())]))
    assert "function 'parse' map raised ValueError: invalid literal for int() with base 10: 'x2' on record 'x2'" \
        in result.error
    assert "(record 1 of the batch)" in result.error
    assert "Traceback" in result.error and "in parse" in result.error


def test_a_wrong_output_type_names_the_record_and_the_type(runner):
    runner.register("ds-type", DATASTREAM_URN, chain(("map", lambda x: "n%d" % x, "label", LONG), input=LONG))
    result = runner.run("ds-type", ipc_bytes([values([7], pa.int64())]))
    assert "function 'label' returned 'n7', which is not a valid Types.Long" in result.error
    assert "for record 7" in result.error


def test_streaming_reduce_keeps_each_keys_value_in_the_runners_state(runner):
    runner.register("ds-reduce", KEYED_URN, chain(("reduce", dsf.Sum(), "sum", PICKLED), keyed_input=True))
    first = runner.run("ds-reduce", ipc_bytes([keyed(["a", "b", "a"], [("a", 1), ("b", 2), ("a", 3)])]))
    assert first.error == ""
    assert unpickle_column(first.table().column("value").combine_chunks()) == [("a", 1), ("b", 2), ("a", 4)]
    assert pickle.loads(runner.state_value("ds-reduce", pickle.dumps("a", 4), user_state_id="__reduce__")) == ("a", 4)
    second = runner.run("ds-reduce", ipc_bytes([keyed(["a"], [("a", 10)])]))
    assert unpickle_column(second.table().column("value").combine_chunks()) == [("a", 14)]


def test_batch_reduce_emits_the_latest_value_per_key_with_its_key(runner):
    runner.register("ds-batch-reduce", KEYED_URN, chain(("reduce", dsf.Sum(), "sum", PICKLED), keyed_input=True,
                                                        batch_mode=True))
    result = runner.run("ds-batch-reduce", ipc_bytes([keyed(["a", "b", "a"], [("a", 1), ("b", 2), ("a", 3)])]))
    assert result.error == ""
    table = result.table()
    assert [pickle.loads(k) for k in table.column("__key").to_pylist()] == ["a", "b"]
    assert unpickle_column(table.column("value").combine_chunks()) == [("a", 4), ("b", 2)]


def test_keyed_process_value_state_survives_bundles_and_a_failed_bundle_changes_nothing(runner):
    runner.register("ds-count", KEYED_URN, chain(("keyed_process", dsf.RunningCount(), "count", PICKLED),
                                                 keyed_input=True))
    first = runner.run("ds-count", ipc_bytes([keyed(["a", "b", "a"], [1, 2, 3])]))
    assert unpickle_column(first.table().column("value").combine_chunks()) == [("a", 1), ("b", 1), ("a", 2)]
    runner.fail_state("injected", kinds=("append",))
    failed = runner.run("ds-count", ipc_bytes([keyed(["a"], [4])]))
    assert "injected" in failed.error
    runner.fail_state(None)
    assert pickle.loads(runner.state_value("ds-count", pickle.dumps("a", 4), user_state_id="count")) == 2
    again = runner.run("ds-count", ipc_bytes([keyed(["a"], [4])]))
    assert unpickle_column(again.table().column("value").combine_chunks()) == [("a", 3)]


def test_timer_rows_call_on_timer_and_timer_requests_come_back_as_rows(runner):
    runner.register("ds-timers", KEYED_URN, chain(("keyed_process", dsf.TimerEcho(), "echo", PICKLED),
                                                  keyed_input=True))
    key = pickle.dumps("k", 4)
    batch = pa.record_batch([pa.array([key, key], pa.binary()), pa.array([0, 1], pa.int8()),
                             pa.array([1000, 1500], pa.int64()), pa.array([900, 1600], pa.int64()),
                             pa.array([pickle.dumps(7), None], pa.binary())],
                            names=["__key", "__timer", "__time", "__watermark", "value"])
    table = runner.run("ds-timers", ipc_bytes([batch])).table()
    assert table.column("__timer").to_pylist() == [0, 0, 1, 4]
    assert table.column("__time").to_pylist() == [None, None, 1010, 1500]
    assert table.column("__key").to_pylist()[2:] == [key, key]
    records = unpickle_column(table.column("value").combine_chunks().slice(0, 2))
    assert records == [("record", "k", 7, 1000, 900), ("timer", "k", 1500, "EVENT_TIME", 1600)]


def test_list_map_and_reducing_state(runner):
    runner.register("ds-states", KEYED_URN, chain(("keyed_process", dsf.EveryState(), "states", PICKLED),
                                                  keyed_input=True))
    result = runner.run("ds-states", ipc_bytes([keyed(["k", "k"], [("x", 1), ("y", 2)])]))
    assert result.error == ""
    assert unpickle_column(result.table().column("value").combine_chunks()) == [
        ("k", ["x"], {"x": 1}, 1), ("k", ["x", "y"], {"x": 1, "y": 1}, 3)]


@pytest.mark.parametrize("record", [None, 1, -2 ** 63, 1.5, "é", b"\x00", (1, "a"), [1, [2]], {"k": {1, 2}},
                                    pa.scalar(1).as_py()])
def test_pickled_records_round_trip(record):
    assert unpickle_column(pickle_column([record, record])) == [record, record]
