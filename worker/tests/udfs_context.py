"""UDFs that report what their FunctionContext says, for the FunctionContext conformance tests."""

from pyfn import DataTypes, FunctionContext, ScalarFunction, udf


class TaskReport(ScalarFunction):
    """Returns `task|task with subtasks|index|parallelism|max parallelism|attempt|job parameter 'k'`."""

    def open(self, function_context: FunctionContext):
        c = function_context
        self.report = "|".join(str(part) for part in (
            c.get_task_name(), c.get_task_name_with_subtasks(), c.get_index_of_this_subtask(),
            c.get_number_of_parallel_subtasks(), c.get_max_number_of_parallel_subtasks(), c.get_attempt_number(),
            c.get_job_parameter("k", "default")))

    def eval(self, x):
        return self.report


task_report = udf(TaskReport(), result_type=DataTypes.STRING())


class MetricProbe(ScalarFunction):
    """Returns what `get_metric_group()` did in open(): "group" or the error it raised."""

    def open(self, function_context: FunctionContext):
        try:
            function_context.get_metric_group().counter("rows")
            self.outcome = "group"
        except RuntimeError as error:
            self.outcome = "RuntimeError: %s" % error

    def eval(self, x):
        return self.outcome


metric_probe = udf(MetricProbe(), result_type=DataTypes.STRING())
