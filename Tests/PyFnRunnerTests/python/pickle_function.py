"""Prints base64 of cloudpickle.dumps of a UDF defined here (pickled by value, so the worker needs no module)."""
import base64

import cloudpickle

from pyfn import DataTypes, udf


@udf(result_type=DataTypes.STRING())
def shout(word, times):
    return (word.upper() + "!") * times


print(base64.b64encode(cloudpickle.dumps(shout)).decode())
