"""`StreamExecutionEnvironment`: the settings a DataStream program (or `StreamTableEnvironment.create(env)`)
starts from — parallelism, runtime mode, Python dependencies.

This is the part the Table API needs; the DataStream API proper builds on it.
"""

from __future__ import annotations

from typing import Optional

from pyfn.common.configuration import Configuration
from pyfn.common.execution_mode import RuntimeExecutionMode

__all__ = ["StreamExecutionEnvironment"]


class StreamExecutionEnvironment:
    """The context a streaming program runs in, with PyFlink's setters."""

    def __init__(self, configuration: Optional[Configuration] = None):
        self._configuration = Configuration(configuration) if configuration is not None else Configuration()

    @staticmethod
    def get_execution_environment(configuration: Optional[Configuration] = None) -> "StreamExecutionEnvironment":
        """A new environment (PyFlink's local environment), optionally with settings."""
        return StreamExecutionEnvironment(configuration)

    def get_configuration(self) -> Configuration:
        """The environment's settings (job-file keys: `parallelism.default`, `execution.runtime-mode`, …)."""
        return self._configuration

    def set_parallelism(self, parallelism: int) -> "StreamExecutionEnvironment":
        """Sets the default parallelism of the job's operators (`parallelism.default`)."""
        if int(parallelism) < 1:
            raise ValueError("parallelism must be at least 1, got %r" % (parallelism,))
        self._configuration.set_integer("parallelism.default", parallelism)
        return self

    def get_parallelism(self) -> int:
        """The default parallelism (1 unless set)."""
        return self._configuration.get_integer("parallelism.default", 1)

    def set_runtime_mode(self, execution_mode: RuntimeExecutionMode) -> "StreamExecutionEnvironment":
        """Runs the job as a stream or as a bounded batch job (`execution.runtime-mode`)."""
        self._configuration.set_string("execution.runtime-mode", execution_mode.setting())
        return self

    def set_python_executable(self, python_exec: str) -> None:
        """The interpreter the Python workers run (`python.executable`)."""
        self._configuration.set_string("python.executable", python_exec)

    def add_python_file(self, file_path: str) -> None:
        """A file or folder put on the workers' `sys.path` (`python.files`)."""
        current = self._configuration.get_string("python.files")
        self._configuration.set_string("python.files", file_path if not current else current + "," + file_path)

    def set_python_requirements(self, requirements_file_path: str, requirements_cache_dir: Optional[str] = None):
        """Packages the workers need (`python.requirements`: `file[#cache dir]`)."""
        value = requirements_file_path + ("#" + requirements_cache_dir if requirements_cache_dir else "")
        self._configuration.set_string("python.requirements", value)

    def add_python_archive(self, archive_path: str, target_dir: Optional[str] = None) -> None:
        """An archive extracted for the workers (`python.archives`: `path[#target]`)."""
        entry = archive_path + ("#" + target_dir if target_dir else "")
        current = self._configuration.get_string("python.archives")
        self._configuration.set_string("python.archives", entry if not current else current + "," + entry)
