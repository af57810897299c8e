"""`DataStream.partition_custom(partitioner, key_selector)` end to end: every record reaches exactly the subtask of
the next operator that the Partitioner names (checked with `get_index_of_this_subtask` against plain Python at
parallelism 2 and 3, process and embedded mode); a Partitioner naming no subtask stops the job with an error
naming it and the record; a KeyedStream refuses it, as in PyFlink."""

import pytest

from datastream_partition_functions import (FirstField, ModuloPartitioner, OutOfRange, TagsSubtask,
                                            modulo_of_five_partitions)
from datastream_runner import collect, require_runner
from pyfn.common import Row, Types
from pyfn.datastream import StreamExecutionEnvironment
from pyfn.util.exceptions import JobExecutionException

runner_logic = pytest.mark.runner_logic

RECORDS = [(n * 7 % 23, "r%d" % n) for n in range(60)]
RECORD_TYPE = Types.TUPLE([Types.INT(), Types.STRING()])


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def environment(parallelism, mode="process"):
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(parallelism)
    env.get_configuration().set_string("python.fn-execution.bundle.size", "7")
    env.get_configuration().set_string("python.execution-mode", mode)
    return env


@pytest.mark.parametrize("parallelism,mode", [(1, "process"),
                                              pytest.param(2, "process", marks=runner_logic),
                                              pytest.param(3, "process", marks=runner_logic),
                                              pytest.param(3, "thread", marks=runner_logic)])
def test_each_record_reaches_the_subtask_its_partitioner_names(parallelism, mode):
    env = environment(parallelism, mode)
    stream = env.from_collection(RECORDS, RECORD_TYPE).rebalance().map(lambda r: r, output_type=RECORD_TYPE)
    out = collect(stream.partition_custom(ModuloPartitioner(), FirstField()).map(TagsSubtask()))
    assert sorted(out) == sorted((key % parallelism, (key, name)) for key, name in RECORDS)


@runner_logic
def test_a_callable_partitioner_and_key_selector_size_for_the_reader_not_the_writer():
    # The writer runs at 2, the reader at 3: num_partitions is the reader's parallelism.
    env = environment(2)
    partitioned = env.from_collection(RECORDS, RECORD_TYPE).set_parallelism(2).partition_custom(
        lambda key, n: (key // 2) % n, lambda record: record[0])
    out = collect(partitioned.map(TagsSubtask()).set_parallelism(3))
    assert sorted(out) == sorted(((key // 2) % 3, (key, name)) for key, name in RECORDS)


def test_a_subtask_out_of_range_stops_the_job_naming_the_record():
    env = environment(2)
    partitioned = env.from_collection(RECORDS, RECORD_TYPE).partition_custom(OutOfRange(), FirstField())
    with pytest.raises(JobExecutionException) as failure:
        collect(partitioned.map(TagsSubtask()))
    message = str(failure.value)
    assert "the partitioner returned 2 for key 7; it must be an int from 0 to 1" in message
    assert "(7, 'r1')" in message and "test_datastream_partition_custom.py" in message


def test_a_keyed_stream_refuses_partition_custom_as_pyflink_does():
    env = environment(1)
    keyed = env.from_collection(RECORDS, RECORD_TYPE).key_by(lambda r: r[0])
    with pytest.raises(Exception, match="Cannot override partitioning for KeyedStream."):
        keyed.partition_custom(ModuloPartitioner(), FirstField())


def test_partition_custom_refuses_what_is_neither_a_partitioner_nor_callable():
    env = environment(1)
    with pytest.raises(TypeError, match="Parameter partitioner should be type of Partitioner or a callable"):
        env.from_collection(RECORDS, RECORD_TYPE).partition_custom(3, FirstField())


@pytest.mark.one_version
def test_pyflinks_own_partition_custom_case():
    # flink-python's test_data_stream.py test_partition_custom: a map at parallelism 4 partitioned for a reader at 5
    # (the partitioner asserts num_partitions == 5); its Java check, that each record reaches subtask key % 5, is
    # made here with get_index_of_this_subtask.
    env = environment(1)
    rows = [('a', 0), ('b', 0), ('c', 1), ('d', 1), ('e', 2), ('f', 7), ('g', 7), ('h', 8), ('i', 8), ('j', 9)]
    row_type = Types.ROW([Types.STRING(), Types.INT()])
    partitioned = env.from_collection(rows, type_info=row_type).map(lambda x: x, output_type=row_type) \
        .set_parallelism(4).partition_custom(modulo_of_five_partitions, lambda x: x[1])
    out = collect(partitioned.map(TagsSubtask()).set_parallelism(5))
    assert sorted((subtask, tuple(row)) for subtask, row in out) == sorted((row[1] % 5, row) for row in rows)
    assert all(isinstance(row, Row) for _, row in out)
