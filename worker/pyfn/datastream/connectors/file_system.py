"""Files (`pyflink.datastream.connectors.file_system`): `FileSource` of text lines and the row-format `FileSink`."""

from __future__ import annotations

import os
from typing import List, Optional

from pyfn.common.typeinfo import Types
from pyfn.datastream.connectors.base import Sink, Source

__all__ = ["FileSource", "FileSourceBuilder", "StreamFormat", "FileSink", "OutputFileConfig", "RollingPolicy",
           "BucketAssigner"]


class StreamFormat:
    """How a file's bytes become records; PyFn reads text lines (`text_line_format`)."""

    def __init__(self, name: str, charset: str = "UTF-8"):
        self.name = name
        self.charset = charset

    @staticmethod
    def text_line_format(charset_name: str = "UTF-8") -> "StreamFormat":
        """Each line of the files, without its line break, as a STRING record."""
        if charset_name.upper().replace("-", "") not in ("UTF8",):
            raise ValueError("PyFn reads text files as UTF-8, not %s" % charset_name)
        return StreamFormat("text_line", charset_name)


class FileSource(Source):
    """The records of files or folders (a folder means the files in it)."""

    def __init__(self, paths: List[str], stream_format: StreamFormat):
        self.paths = [os.path.abspath(p) for p in paths]
        self.stream_format = stream_format
        self.type_info = Types.STRING()

    @staticmethod
    def for_record_stream_format(stream_format: StreamFormat, *paths: str) -> "FileSourceBuilder":
        """A builder of a source reading `paths` with `stream_format`."""
        return FileSourceBuilder(list(paths), stream_format)

    def source_spec(self, files) -> dict:
        return {"type": "text_file", "paths": self.paths}


class FileSourceBuilder:
    """Builds a FileSource (`monitor_continuously` is not supported yet: the files are read once)."""

    def __init__(self, paths: List[str], stream_format: StreamFormat):
        self._paths = paths
        self._format = stream_format

    def monitor_continuously(self, discovery_interval) -> "FileSourceBuilder":
        """Not supported yet."""
        raise NotImplementedError("FileSource.monitor_continuously is not supported by PyFn yet")

    def process_static_file_set(self) -> "FileSourceBuilder":
        """Reads the files once (the default)."""
        return self

    def build(self) -> FileSource:
        """The source."""
        return FileSource(self._paths, self._format)


class OutputFileConfig:
    """The part files' name prefix and suffix."""

    def __init__(self, part_prefix: str = "part", part_suffix: str = ""):
        self.part_prefix = part_prefix
        self.part_suffix = part_suffix

    def get_part_prefix(self) -> str:
        """The prefix."""
        return self.part_prefix

    def get_part_suffix(self) -> str:
        """The suffix."""
        return self.part_suffix

    @staticmethod
    def builder() -> "OutputFileConfig.OutputFileConfigBuilder":
        """A builder."""
        return OutputFileConfig.OutputFileConfigBuilder()

    class OutputFileConfigBuilder:
        """Builds an OutputFileConfig."""

        def __init__(self):
            self._prefix, self._suffix = "part", ""

        def with_part_prefix(self, prefix: str) -> "OutputFileConfig.OutputFileConfigBuilder":
            """Sets the prefix."""
            self._prefix = prefix
            return self

        def with_part_suffix(self, suffix: str) -> "OutputFileConfig.OutputFileConfigBuilder":
            """Sets the suffix."""
            self._suffix = suffix
            return self

        def build(self) -> "OutputFileConfig":
            """The config."""
            return OutputFileConfig(self._prefix, self._suffix)


class RollingPolicy:
    """Accepted for PyFlink compatibility; PyFn writes one part file per subtask."""

    @staticmethod
    def default_rolling_policy(*args, **kwargs) -> "RollingPolicy":
        """The default policy."""
        return RollingPolicy()

    @staticmethod
    def on_checkpoint_rolling_policy() -> "RollingPolicy":
        """Rolls on checkpoints (accepted; PyFn has none)."""
        return RollingPolicy()


class BucketAssigner:
    """Accepted for PyFlink compatibility; PyFn buckets by the hour (`yyyy-MM-dd--HH`)."""

    @staticmethod
    def date_time_bucket_assigner(format_str: str = "yyyy-MM-dd--HH", timezone_id: Optional[str] = None):
        """The default assigner."""
        return BucketAssigner()


class FileSink(Sink):
    """Writes each record as a line (its text as Flink prints it) into part files under `base_path`."""

    def __init__(self, base_path: str, output_file_config: Optional[OutputFileConfig] = None):
        self.base_path = os.path.abspath(base_path)
        self.output_file_config = output_file_config or OutputFileConfig()

    @staticmethod
    def for_row_format(base_path: str, encoder) -> "FileSink.RowFormatBuilder":
        """A builder of a sink writing records as lines (`Encoder.simple_string_encoder()`)."""
        return FileSink.RowFormatBuilder(base_path)

    class RowFormatBuilder:
        """Builds a row-format FileSink."""

        def __init__(self, base_path: str):
            self._base_path = base_path
            self._config = OutputFileConfig()

        def with_output_file_config(self, config: OutputFileConfig) -> "FileSink.RowFormatBuilder":
            """Part file names."""
            self._config = config
            return self

        def with_rolling_policy(self, policy) -> "FileSink.RowFormatBuilder":
            """Accepted; one part file per subtask."""
            return self

        def with_bucket_assigner(self, assigner) -> "FileSink.RowFormatBuilder":
            """Accepted; hourly buckets."""
            return self

        def build(self) -> "FileSink":
            """The sink."""
            return FileSink(self._base_path, self._config)

    def sink_spec(self) -> dict:
        return {"type": "file", "path": self.base_path, "part_prefix": self.output_file_config.part_prefix,
                "part_suffix": self.output_file_config.part_suffix}
