"""Functions that never return, for the hung-worker tests."""
from pyfn import DataTypes, udf


@udf(result_type=DataTypes.BIGINT())
def spin_forever(x):
    """A busy loop that holds the GIL and never returns."""
    total = 0
    while True:
        total += x
