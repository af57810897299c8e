"""UDFs that show when they were opened: for the tests of descriptors pushed with a RegisterRequest
(test_register_preload.py) and the Swift operator test of the same."""

import os
import time

from pyfn import DataTypes, ScalarFunction, udf


class StampsOpen(ScalarFunction):
    """Appends "opened <unix time>" to the file named by the job parameter `open_log` when opened; refuses to open
    while the file named by the job parameter `ready` (if given) does not exist."""

    def open(self, function_context):
        ready = function_context.get_job_parameter("ready", "")
        if ready and not os.path.exists(ready):
            raise RuntimeError("the lookup table is not there yet")
        with open(function_context.get_job_parameter("open_log"), "a") as log:
            log.write("opened %.6f\n" % time.time())

    def eval(self, x):
        return x * 2


stamps_open = udf(StampsOpen(), result_type=DataTypes.BIGINT(), name="stamps_open")
