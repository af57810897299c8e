"""`EnvironmentSettings`: batch or streaming mode for a TableEnvironment, with PyFlink's builder (and the 1.10
spellings `use_blink_planner()` / `use_old_planner()`, accepted: PyFn has one planner)."""

from __future__ import annotations

from typing import Optional

from pyfn.common.configuration import Configuration

__all__ = ["EnvironmentSettings"]

_MODE_KEY = "execution.runtime-mode"


class EnvironmentSettings:
    """How a TableEnvironment runs its jobs: `in_batch_mode()` or `in_streaming_mode()` (the default)."""

    class Builder:
        """Builds EnvironmentSettings step by step."""

        def __init__(self):
            self._configuration = Configuration()
            self._configuration.set_string(_MODE_KEY, "streaming")

        def use_blink_planner(self) -> "EnvironmentSettings.Builder":
            """Accepted for PyFlink 1.10–1.13 programs; PyFn has one planner."""
            return self

        def use_old_planner(self) -> "EnvironmentSettings.Builder":
            """Accepted for PyFlink 1.10–1.13 programs; PyFn has one planner."""
            return self

        def use_any_planner(self) -> "EnvironmentSettings.Builder":
            """Accepted for PyFlink 1.10–1.13 programs; PyFn has one planner."""
            return self

        def in_batch_mode(self) -> "EnvironmentSettings.Builder":
            """Bounded jobs: grouped queries give their final rows."""
            self._configuration.set_string(_MODE_KEY, "batch")
            return self

        def in_streaming_mode(self) -> "EnvironmentSettings.Builder":
            """Streaming jobs: grouped queries give a changelog (+I, -U, +U, -D)."""
            self._configuration.set_string(_MODE_KEY, "streaming")
            return self

        def with_configuration(self, config: Configuration) -> "EnvironmentSettings.Builder":
            """Adds settings (job-file keys)."""
            self._configuration.add_all(config)
            return self

        def with_built_in_catalog_name(self, built_in_catalog_name: str) -> "EnvironmentSettings.Builder":
            """Accepted; PyFn has one catalog."""
            return self

        def with_built_in_database_name(self, built_in_database_name: str) -> "EnvironmentSettings.Builder":
            """Accepted; PyFn has one database."""
            return self

        def build(self) -> "EnvironmentSettings":
            """The settings."""
            return EnvironmentSettings(self._configuration)

    def __init__(self, configuration: Optional[Configuration] = None):
        self._configuration = Configuration(configuration) if configuration is not None else Configuration()
        if not self._configuration.contains_key(_MODE_KEY):
            self._configuration.set_string(_MODE_KEY, "streaming")

    @staticmethod
    def new_instance() -> "EnvironmentSettings.Builder":
        """A builder."""
        return EnvironmentSettings.Builder()

    @staticmethod
    def in_streaming_mode() -> "EnvironmentSettings":
        """Settings for streaming mode."""
        return EnvironmentSettings.new_instance().in_streaming_mode().build()

    @staticmethod
    def in_batch_mode() -> "EnvironmentSettings":
        """Settings for batch mode."""
        return EnvironmentSettings.new_instance().in_batch_mode().build()

    @staticmethod
    def from_configuration(config: Configuration) -> "EnvironmentSettings":
        """Settings from a Configuration."""
        return EnvironmentSettings(config)

    def is_streaming_mode(self) -> bool:
        """Whether jobs run in streaming mode."""
        return self._configuration.get_string(_MODE_KEY, "streaming").lower() != "batch"

    def get_configuration(self) -> Configuration:
        """The settings as a Configuration."""
        return self._configuration

    def to_configuration(self) -> Configuration:
        """The settings as a Configuration (older name)."""
        return self._configuration

    def get_built_in_catalog_name(self) -> str:
        """Flink's default catalog name."""
        return "default_catalog"

    def get_built_in_database_name(self) -> str:
        """Flink's default database name."""
        return "default_database"
