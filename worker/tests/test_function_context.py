"""FunctionContext as PyFlink 2.3 defines it (pyflink/table/udf.py), in process and embedded mode: the metric
group only with `python.metric.enabled`, job parameters, and the task getters."""

import pyarrow as pa

import udfs_context
from descriptors import call_message as call, functions

BATCH = pa.record_batch([pa.array([1, 2])], names=["x"])


def test_get_metric_group_raises_pyflinks_error_when_metrics_are_disabled(run_bundle):
    error, columns = run_bundle("metrics-off", functions(call(udfs_context.metric_probe, 0), metric_enabled=False),
                                BATCH)
    assert error == ""
    assert columns == [["RuntimeError: Metric has not been enabled. You can enable metric with the "
                        "'python.metric.enabled' configuration."] * 2]
    error, columns = run_bundle("metrics-on", functions(call(udfs_context.metric_probe, 0), metric_enabled=True),
                                BATCH)
    assert (error, columns) == ("", [["group", "group"]])


def test_task_getters_and_job_parameters(run_bundle):
    error, columns = run_bundle("task-default", functions(call(udfs_context.task_report, 0)), BATCH)
    assert (error, columns) == ("", [["task-default|task-default (1/1)|0|1|1|0|default"] * 2])
    named = functions(call(udfs_context.task_report, 0), job_parameters={
        "k": "v", "pyfn.task.name": "PythonCalc", "pyfn.subtask.index": "2", "pyfn.subtask.parallelism": "4"})
    error, columns = run_bundle("task-named", named, BATCH)
    assert (error, columns) == ("", [["PythonCalc|PythonCalc (3/4)|2|4|4|0|v"] * 2])


def test_a_task_parameter_that_is_not_a_number_is_named(run_bundle):
    bad = functions(call(udfs_context.task_report, 0), job_parameters={"pyfn.subtask.index": "two"})
    error, _ = run_bundle("task-bad", bad, BATCH)
    assert "job parameter 'pyfn.subtask.index' must be a whole number, not 'two'" in error
