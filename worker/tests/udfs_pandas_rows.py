"""Pandas UDFs over ROW values, after PyFlink's test_pandas_udf.py: a ROW argument is a DataFrame."""
import pandas as pd

from pyfn import DataTypes, udf

POINT = DataTypes.ROW([DataTypes.FIELD("f1", DataTypes.INT()), DataTypes.FIELD("f2", DataTypes.STRING()),
                       DataTypes.FIELD("f3", DataTypes.ROW([DataTypes.FIELD("x", DataTypes.BIGINT())]))])


@udf(result_type=POINT, func_type="pandas")
def row_func(row_param):
    assert isinstance(row_param, pd.DataFrame), "row_param of wrong type %s" % type(row_param)
    assert list(row_param.columns) == ["f1", "f2", "f3"], list(row_param.columns)
    return pd.DataFrame({"f1": row_param.f1 * 10, "f2": row_param.f2.str.upper(), "f3": row_param.f3})


@udf(result_type=DataTypes.STRING(), func_type="pandas")
def describe_row(row_param):
    """What arrived, per row: the argument's type, its columns and the row's f1 (null where the ROW was null)."""
    name = "%s[%s]" % (type(row_param).__name__, ",".join(row_param.columns))
    return pd.Series(["%s %s" % (name, None if pd.isna(f1) else int(f1)) for f1 in row_param["f1"]])
