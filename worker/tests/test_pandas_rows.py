"""Pandas UDFs with ROW arguments get a pandas.DataFrame (columns by field name) and may return one for a ROW
result, as in PyFlink 2.3 (test_pandas_udf.py's row_func), in process and embedded mode."""

import pyarrow as pa

import udfs_pandas_rows as rows
from descriptors import call_message as call, functions
from fake_runner import PANDAS_URN

POINT = rows.POINT.to_arrow()
BATCH = pa.record_batch([pa.array([{"f1": 1, "f2": "a", "f3": {"x": 7}}, None, {"f1": 3, "f2": None, "f3": None}],
                                  type=POINT)], names=["p"])


def test_a_row_argument_is_a_dataframe_and_a_dataframe_is_a_row_result(run_bundle):
    error, columns = run_bundle("pandas-rows", functions(call(rows.row_func, 0), call(rows.describe_row, 0)), BATCH,
                                urn=PANDAS_URN)
    assert error == ""
    assert columns[0] == [{"f1": 10, "f2": "A", "f3": {"x": 7}}, {"f1": None, "f2": None, "f3": None},
                          {"f1": 30, "f2": None, "f3": None}]
    assert columns[1] == ["DataFrame[f1,f2,f3] 1", "DataFrame[f1,f2,f3] None", "DataFrame[f1,f2,f3] 3"]


def test_a_nested_row_result_feeds_the_outer_call_as_a_dataframe(run_bundle):
    nested = call(rows.describe_row, call(rows.row_func, 0))
    error, columns = run_bundle("pandas-rows-nested", functions(nested), BATCH, urn=PANDAS_URN)
    assert (error, columns) == ("", [["DataFrame[f1,f2,f3] 10", "DataFrame[f1,f2,f3] None",
                                                     "DataFrame[f1,f2,f3] 30"]])
