"""A misspelt setting in a Table API program's configuration fails the job with a "did you mean" (from the
runner's one registry of known keys, KnownSettings.swift), before any worker starts."""

import pytest

from table_api_support import runner, tagged_processes  # noqa: F401

from pyfn.table import EnvironmentSettings, TableEnvironment
from pyfn.util.exceptions import ValidationException

# Once, on CPython 3.11 (conftest.RUNNER_LOGIC): the runner refuses the setting before any worker starts.
pytestmark = pytest.mark.runner_logic


def test_a_misspelt_configuration_key_is_an_error_naming_the_nearest_key(runner):  # noqa: F811
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    try:
        env.get_config().set("python.fn-execution.bundel.size", "10")
        table = env.from_elements([(1,), (2,)], ["a"])
        with pytest.raises(ValidationException) as caught:
            list(table.execute().collect())
        assert caught.value.message == ("unknown setting 'python.fn-execution.bundel.size'; "
                                        "did you mean 'python.fn-execution.bundle.size'?")
    finally:
        env.close()
    assert tagged_processes() == []


def test_the_correct_key_runs(runner):  # noqa: F811
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    try:
        env.get_config().set("python.fn-execution.bundle.size", "10")
        table = env.from_elements([(1,), (2,)], ["a"])
        assert sorted(row[0] for row in table.execute().collect()) == [1, 2]
    finally:
        env.close()
