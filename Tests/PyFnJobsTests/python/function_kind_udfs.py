"""An async and an Arrow function for FunctionKindJobTests: jobs mixing them with ordinary functions."""
import asyncio

import pyarrow.compute as pc

from pyfn import AsyncScalarFunction, DataTypes, udf


class Enrich(AsyncScalarFunction):
    """A lookup that answers later for earlier keys, so calls finish out of order."""

    async def eval(self, n):
        await asyncio.sleep(0.002 * (10 - n % 10))
        return None if n is None else "id-%d" % n


enrich = udf(Enrich(), result_type=DataTypes.STRING())


@udf(result_type=DataTypes.BIGINT(), func_type="arrow")
def arrow_square(n):
    return pc.multiply(n, n)


@udf(result_type=DataTypes.STRING())
async def refuse(n):
    raise LookupError("no record for %s" % n)
