"""The client that hands a program's job to the Swift runner (`pyfn submit`) and reads its results back.

    request = JobRequest(name="wc", statements=[Statement("CREATE TABLE …", here())], collect=Statement("SELECT …"))
    with submit(request) as job:
        for batch in job.batches():      # pyarrow.RecordBatch, as the runner produces them
            ...
        job.wait()                        # raises ValidationException / JobExecutionException with the runner's message

The contract is docs/job-submission.md; `pyfn.table` and `pyfn.datastream` build on it.
"""

from pyfn.client.job import RunningJob, submit
from pyfn.client.location import Location, caller_location
from pyfn.client.request import FunctionSpec, JobRequest, Statement, describe_function
from pyfn.client.runner_binary import find_runner
from pyfn.client.status import JobStatus

__all__ = ["submit", "RunningJob", "JobRequest", "Statement", "FunctionSpec", "describe_function", "Location",
           "caller_location", "find_runner", "JobStatus"]
