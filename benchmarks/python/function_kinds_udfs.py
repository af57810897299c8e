"""Functions of the async_lookup and arrow_add benchmarks: an async lookup and pc.add as an Arrow UDF."""
import asyncio

import pyarrow.compute as pc

from pyfn import DataTypes, udf


@udf(result_type=DataTypes.BIGINT())
async def lookup(key):
    """A lookup against a service that answers in 10 ms."""
    await asyncio.sleep(0.01)
    return key + 1


@udf(result_type=DataTypes.BIGINT(), func_type="arrow")
def arrow_add(a, b):
    """a + b with pyarrow.compute, no pandas."""
    return pc.add(a, b)
