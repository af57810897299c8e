"""`TableConfig`: a TableEnvironment's settings (`get_config().set(key, value)`,
`get_config().get_configuration().set_boolean(…)`), sent to the runner as a job file's `SET` would be."""

from __future__ import annotations

from typing import Optional

from pyfn.common.configuration import Configuration

__all__ = ["TableConfig"]


class TableConfig:
    """The settings of a TableEnvironment, with PyFlink's accessors."""

    def __init__(self, configuration: Optional[Configuration] = None):
        self._configuration = configuration if configuration is not None else Configuration()

    def get_configuration(self) -> Configuration:
        """The settings themselves (changes apply to the next job)."""
        return self._configuration

    def add_configuration(self, configuration: Configuration) -> None:
        """Adds every setting of `configuration`."""
        self._configuration.add_all(configuration)

    def set(self, key: str, value) -> "TableConfig":
        """Sets `key` (a job-file key, e.g. `parallelism.default`, `python.fn-execution.bundle.size`)."""
        self._configuration.set(key, value)
        return self

    def get(self, key: str, default_value=None):
        """The value of `key`, or `default_value`."""
        return self._configuration.get_string(key, default_value)

    def set_python_executable(self, python_exec: str) -> None:
        """The interpreter the Python workers run (`python.executable`)."""
        self._configuration.set_string("python.executable", python_exec)

    def get_python_executable(self) -> Optional[str]:
        """The interpreter set for the Python workers, if any."""
        return self._configuration.get_string("python.executable")

    def set_local_timezone(self, timezone_id: str) -> None:
        """`table.local-time-zone`."""
        self._configuration.set_string("table.local-time-zone", timezone_id)

    def get_local_timezone(self) -> str:
        """`table.local-time-zone` (default UTC)."""
        return self._configuration.get_string("table.local-time-zone", "UTC")
