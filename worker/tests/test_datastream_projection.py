"""PyFlink's smaller DataStream methods: `project` of Tuple streams (checked against plain Python),
`force_non_parallel` and `set_description`."""

import pytest

from datastream_runner import require_runner
from pyfn.common import Types
from pyfn.datastream import StreamExecutionEnvironment


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def test_project_keeps_the_chosen_tuple_fields_in_order():
    records = [(i, "w%d" % i, i * 0.5) for i in range(20)]
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    ds = env.from_collection(records, type_info=Types.TUPLE([Types.INT(), Types.STRING(), Types.DOUBLE()]))
    projected = ds.project(2, 0).set_description("fields 2 and 0")
    assert repr(projected.get_type()) == "Tuple(Double, Integer)"
    last = projected.map(lambda t: t).force_non_parallel()
    assert last.get_parallelism() == 1
    assert sorted(last.execute_and_collect(limit=100)) == sorted((c, a) for a, _, c in records)


def test_project_refuses_a_stream_that_is_not_a_tuple_and_a_missing_field():
    env = StreamExecutionEnvironment.get_execution_environment()
    rows = env.from_collection([(1, "a")], type_info=Types.ROW([Types.INT(), Types.STRING()]))
    with pytest.raises(ValueError, match=r"Only Tuple DataStreams can be projected; this one is Row"):
        rows.project(0)
    pairs = env.from_collection([(1, "a")], type_info=Types.TUPLE([Types.INT(), Types.STRING()]))
    with pytest.raises(ValueError, match=r"project: no field 2 in Tuple\(Integer, String\) \(fields 0 to 1\)"):
        pairs.project(2)
