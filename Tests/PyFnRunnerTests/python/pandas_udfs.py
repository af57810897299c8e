"""Pandas UDFs the Swift end-to-end tests call through real workers."""
import pandas as pd

from pyfn import DataTypes, udf


@udf(result_type=DataTypes.BIGINT(), func_type="pandas")
def add(a, b):
    return a + b


def identity(x):
    """Declared by the runner: each fixed-width type and strings come back as they went in."""
    return x


@udf(result_type=DataTypes.STRING(), func_type="pandas")
def shout(s):
    return s.str.upper() + "!"


@udf(result_type=DataTypes.DOUBLE(), func_type="pandas")
def too_short(x):
    return x.iloc[:-1].astype("float64")


@udf(result_type=DataTypes.DOUBLE(), func_type="pandas")
def interpolate(device, temperature):
    """The IoT case: fill each device's gaps from its neighbours."""
    frame = pd.DataFrame({"id": device, "t": temperature})
    return frame.groupby("id")["t"].transform(lambda s: s.interpolate(limit_direction="both"))
