"""Python UDFs of the IoT interpolation example (written against pyflink itself, for python.harness = pyflink): a vectorized (pandas) scalar function."""

import pandas as pd

from pyflink.table import DataTypes
from pyflink.table.udf import udf


@udf(result_type=DataTypes.DOUBLE(), func_type="pandas")
def interpolate(id, temperature):
    """Fills missing temperatures per device: linear between readings, nearest reading at the ends.

    `id` and `temperature` are pandas Series for one batch; rows of a device are interpolated in batch order.
    The result is only right when a device's rows all arrive in the same batch.
    """
    df = pd.DataFrame({'id': id, 't': temperature})
    return df.groupby('id')['t'].transform(lambda s: s.interpolate(limit_direction='both'))
