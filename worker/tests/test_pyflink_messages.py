"""Declaration errors with PyFlink 2.3's exception types and words (pyflink/table/udf.py), checked against
PyFlink: an unknown func_type, in the decorator form too, and a Pandas UDAF with a MAP result."""

import pytest

from pyfn import DataTypes, udaf, udf

UNKNOWN = "The func_type must be one of 'general, pandas', got arrow."
#: Scalar functions also take "arrow" (PyFlink's newest kind, issue 15), so their list names it.
UNKNOWN_SCALAR = "The func_type must be one of 'general, pandas', got vector. PyFn also takes 'arrow'."
MAP_RESULT = "Invalid returnType: Pandas UDAF doesn't support DataType type MAP currently"


@pytest.mark.parametrize("declare, message", [
    (lambda: udf(lambda i: i, result_type=DataTypes.BIGINT(), func_type="vector"), UNKNOWN_SCALAR),
    (lambda: udf(result_type=DataTypes.BIGINT(), func_type="vector"), UNKNOWN_SCALAR),
    (lambda: udaf(lambda v: v.max(), result_type=DataTypes.BIGINT(), func_type="arrow"), UNKNOWN),
    (lambda: udaf(result_type=DataTypes.BIGINT(), func_type="arrow"), UNKNOWN),
], ids=["udf", "udf-decorator", "udaf", "udaf-decorator"])
def test_an_unknown_func_type(declare, message):
    with pytest.raises(ValueError) as raised:
        declare()
    assert str(raised.value) == message


@pytest.mark.parametrize("result_type", [DataTypes.MAP(DataTypes.STRING(), DataTypes.BIGINT()),
                                         "MAP<STRING, BIGINT>"], ids=["DataType", "string"])
def test_a_pandas_udaf_with_a_map_result(result_type):
    with pytest.raises(TypeError) as raised:
        udaf(lambda v: v, result_type=result_type, func_type="pandas")
    assert str(raised.value) == MAP_RESULT
    assert udaf(lambda v: v.max(), result_type=DataTypes.ARRAY(DataTypes.BIGINT()), func_type="pandas").kind \
        == "pandas_aggregate"
