"""The task a function runs in, as FunctionContext's runtime getters report it (PyFlink 2.3's TaskInfo).

The runner may name the task and the subtask in reserved job parameters (`pyfn.task.name`, `pyfn.subtask.index`,
`pyfn.subtask.parallelism`, the keys DataStream operators read too); without them a function runs as the only
subtask (0 of 1) of the task named after its bundle descriptor. PyFn does not rescale, so the max parallelism is
the parallelism; a replayed bundle runs in a new worker, but the task is not restarted, so the attempt is 0.
"""

from __future__ import annotations

from typing import Dict, NamedTuple

from pyfn.worker.errors import BundleError

TASK_NAME = "pyfn.task.name"
SUBTASK_INDEX = "pyfn.subtask.index"
SUBTASK_PARALLELISM = "pyfn.subtask.parallelism"


class TaskInfo(NamedTuple):
    """A subtask's identity: task name, index, parallelism, max parallelism, attempt."""

    name: str
    index: int = 0
    parallelism: int = 1
    max_parallelism: int = 1
    attempt: int = 0

    @property
    def name_with_subtasks(self) -> str:
        """`name (index+1/parallelism)`, as Flink prints a subtask."""
        return "%s (%d/%d)" % (self.name, self.index + 1, self.parallelism)

    def context_arguments(self) -> Dict:
        """The keyword arguments FunctionContext takes for these getters."""
        return {"task_name": self.name, "task_name_with_subtasks": self.name_with_subtasks,
                "number_of_parallel_subtasks": self.parallelism,
                "max_number_of_parallel_subtasks": self.max_parallelism,
                "index_of_this_subtask": self.index, "attempt_number": self.attempt}


def task_info(job_parameters: Dict[str, str], default_name: str) -> TaskInfo:
    """The TaskInfo the reserved job parameters describe (see the module comment); a value that is not a number
    is a BundleError naming its key."""
    def number(key: str, default: int) -> int:
        text = job_parameters.get(key)
        if text is None:
            return default
        try:
            return int(text)
        except ValueError:
            raise BundleError("job parameter %r must be a whole number, not %r" % (key, text)) from None

    parallelism = number(SUBTASK_PARALLELISM, 1)
    return TaskInfo(job_parameters.get(TASK_NAME, default_name), number(SUBTASK_INDEX, 0), parallelism,
                    parallelism)
