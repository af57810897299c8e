"""`StreamExecutionEnvironment`: where a DataStream program starts — its sources, settings (parallelism, runtime
mode, Python dependencies) and `execute()`, which submits the dataflow to the Swift runner (`pyfn submit`).

The settings are those of a job file (`parallelism.default`, `execution.runtime-mode`, `python.*`); the
StreamTableEnvironment starts from them too.
"""

from __future__ import annotations

import sys
from typing import Dict, Iterable, List, Optional

from pyfn.common.configuration import Configuration
from pyfn.common.execution_mode import RuntimeExecutionMode
from pyfn.datastream.unsupported import NO_CHECKPOINTS, NO_JAVA, unsupported
from pyfn.table.table_result import JobExecutionResult  # the same result as the Table API's execute()

__all__ = ["StreamExecutionEnvironment", "ExecutionConfig", "JobExecutionResult", "JobClient"]

#: Lines of the runner's stderr that carry print-sink output (docs/job-submission.md).
PRINT_PREFIX = "PYFN-PRINT "


class ExecutionConfig:
    """PyFlink's ExecutionConfig: parallelism and global job parameters, kept in the environment's settings."""

    def __init__(self, configuration: Configuration):
        self._configuration = configuration

    def set_parallelism(self, parallelism: int) -> "ExecutionConfig":
        """The default parallelism."""
        self._configuration.set_integer("parallelism.default", int(parallelism))
        return self

    def get_parallelism(self) -> int:
        """The default parallelism."""
        return self._configuration.get_integer("parallelism.default", 1)

    def set_auto_watermark_interval(self, interval: int) -> "ExecutionConfig":
        """Kept as `pipeline.auto-watermark-interval` for compatibility: PyFn's watermarks advance with each bundle
        (`python.fn-execution.bundle.size` records), not on a timer."""
        self._configuration.set_string("pipeline.auto-watermark-interval", "%d ms" % int(interval))
        return self

    def get_auto_watermark_interval(self) -> int:
        """The interval set, in milliseconds (Flink's default 200)."""
        value = self._configuration.get_string("pipeline.auto-watermark-interval", "200 ms")
        return int(value.split()[0])

    def set_global_job_parameters(self, global_job_parameters) -> "ExecutionConfig":
        """Parameters functions read with `runtime_context.get_job_parameter(key)` (a dict or Configuration)."""
        items = global_job_parameters.to_dict() if isinstance(global_job_parameters, Configuration) \
            else dict(global_job_parameters)
        for key, value in items.items():
            self._configuration.set_string("job.param." + str(key), str(value))
        return self

    def get_global_job_parameters(self) -> Dict[str, str]:
        """The parameters set."""
        return {k[len("job.param."):]: v for k, v in self._configuration.to_dict().items() if k.startswith("job.param.")}


class _JobResultFuture:
    def __init__(self, client: "JobClient"):
        self._client = client

    def result(self, timeout: Optional[float] = None) -> JobExecutionResult:
        return self._client._wait(timeout)


class JobClient:
    """A job started by `execute_async()`."""

    def __init__(self, job_name: str, job):
        self._job_name = job_name
        self._job = job
        self._result: Optional[JobExecutionResult] = None

    def get_job_id(self) -> str:
        """The job's name."""
        return self._job_name

    def get_job_status(self):
        """A future whose result is RUNNING, FINISHED or FAILED."""
        status = "RUNNING" if self._job.is_running() else ("FINISHED" if self._job.status and self._job.status.ok
                                                           else "FAILED")
        return _Done(status)

    def get_job_execution_result(self) -> _JobResultFuture:
        """A future whose `result()` waits for the job (raising its error)."""
        return _JobResultFuture(self)

    def cancel(self) -> _Done:
        """Stops the job."""
        self._job.close()
        return _Done(None)

    def _wait(self, timeout: Optional[float]) -> JobExecutionResult:
        if self._result is None:
            self._result = JobExecutionResult(self._job_name, self._job.wait(timeout))
        return self._result


class _Done:
    def __init__(self, value):
        self._value = value

    def result(self, timeout: Optional[float] = None):
        return self._value


class _PrintRouter:
    """The runner's stderr lines: print-sink output to the program's stdout, the rest to its stderr."""

    def write(self, text: str) -> None:
        if text.startswith(PRINT_PREFIX):
            sys.stdout.write(text[len(PRINT_PREFIX):])
        else:
            sys.stderr.write(text)

    def flush(self) -> None:
        sys.stdout.flush()
        sys.stderr.flush()


class StreamExecutionEnvironment:
    """The context a streaming program runs in, with PyFlink's setters."""

    def __init__(self, configuration: Optional[Configuration] = None):
        self._configuration = Configuration(configuration) if configuration is not None else Configuration()
        self._sinks: List = []
        self._files = None
        self._chaining = True
        #: (StreamCache, file) of the cached streams the job being submitted computes (`cache()`).
        self._pending_caches: List = []

    @staticmethod
    def get_execution_environment(configuration: Optional[Configuration] = None) -> "StreamExecutionEnvironment":
        """A new environment (PyFlink's local environment), optionally with settings."""
        return StreamExecutionEnvironment(configuration)

    # -- settings ----------------------------------------------------------------------------------
    def get_configuration(self) -> Configuration:
        """The environment's settings (job-file keys: `parallelism.default`, `execution.runtime-mode`, …)."""
        return self._configuration

    def configure(self, configuration: Configuration) -> "StreamExecutionEnvironment":
        """Adds `configuration`'s settings."""
        for key, value in configuration.to_dict().items():
            self._configuration.set_string(key, value)
        return self

    def get_config(self) -> ExecutionConfig:
        """The ExecutionConfig (parallelism, global job parameters)."""
        return ExecutionConfig(self._configuration)

    def set_parallelism(self, parallelism: int) -> "StreamExecutionEnvironment":
        """Sets the default parallelism of the job's operators (`parallelism.default`)."""
        if int(parallelism) < 1:
            raise ValueError("parallelism must be at least 1, got %r" % (parallelism,))
        self._configuration.set_integer("parallelism.default", parallelism)
        return self

    def get_parallelism(self) -> int:
        """The default parallelism (1 unless set)."""
        return self._configuration.get_integer("parallelism.default", 1)

    def set_max_parallelism(self, max_parallelism: int) -> "StreamExecutionEnvironment":
        """Kept for compatibility."""
        return self

    def get_max_parallelism(self) -> int:
        """-1 (not set), as Flink answers by default: PyFn does not rescale, so it keeps none."""
        return -1

    def set_buffer_timeout(self, timeout_millis: int) -> "StreamExecutionEnvironment":
        """Kept for compatibility (PyFn hands each batch on as the Python worker returns it)."""
        self._buffer_timeout = int(timeout_millis)
        return self

    def get_buffer_timeout(self) -> int:
        """The value `set_buffer_timeout` was given (100 ms, Flink's default, until then)."""
        return getattr(self, "_buffer_timeout", 100)

    def set_default_local_parallelism(self, parallelism: int) -> "StreamExecutionEnvironment":
        """Kept for compatibility: the parallelism of the environment is `set_parallelism`'s."""
        self._default_local_parallelism = int(parallelism)
        return self

    def get_default_local_parallelism(self) -> int:
        """The value `set_default_local_parallelism` was given (else the number of CPUs, as Flink)."""
        import os
        return getattr(self, "_default_local_parallelism", os.cpu_count() or 1)

    def is_chaining_of_operators_with_different_max_parallelism_enabled(self) -> bool:
        """True, as Flink's default (PyFn keeps no max parallelism)."""
        return True

    def get_checkpoint_interval(self) -> int:
        """-1: checkpointing is off (PyFn does not checkpoint)."""
        return -1

    def is_unaligned_checkpoints_enabled(self) -> bool:
        """False: PyFn does not checkpoint."""
        return False

    def is_force_unaligned_checkpoints(self) -> bool:
        """False: PyFn does not checkpoint."""
        return False

    def is_changelog_state_backend_enabled(self) -> bool:
        """False: PyFn keeps keyed state in the runner's memory."""
        return False

    def get_execution_plan(self) -> str:
        """The dataflow built so far as Flink's JSON plan (`{"nodes": [{"id", "type", "pact", "contents",
        "parallelism", "predecessors": [{"id", "ship_strategy"}]}]}`): PyFn's nodes, its chains as one operator."""
        from pyfn.datastream.execution_plan import execution_plan
        return execution_plan(self, self._sinks)

    enable_checkpointing = unsupported("StreamExecutionEnvironment.enable_checkpointing", NO_CHECKPOINTS)
    get_checkpoint_config = unsupported("StreamExecutionEnvironment.get_checkpoint_config", NO_CHECKPOINTS)
    get_checkpointing_mode = unsupported("StreamExecutionEnvironment.get_checkpointing_mode", NO_CHECKPOINTS)
    get_checkpointing_consistency_mode = unsupported("StreamExecutionEnvironment.get_checkpointing_consistency_mode",
                                                     NO_CHECKPOINTS)
    enable_changelog_state_backend = unsupported("StreamExecutionEnvironment.enable_changelog_state_backend",
                                                 NO_CHECKPOINTS)
    set_default_savepoint_directory = unsupported("StreamExecutionEnvironment.set_default_savepoint_directory",
                                                  NO_CHECKPOINTS)
    get_default_savepoint_directory = unsupported("StreamExecutionEnvironment.get_default_savepoint_directory",
                                                  NO_CHECKPOINTS)
    add_jars = unsupported("StreamExecutionEnvironment.add_jars", NO_JAVA)
    add_classpaths = unsupported("StreamExecutionEnvironment.add_classpaths", NO_JAVA)
    add_source = unsupported("StreamExecutionEnvironment.add_source",
                             NO_JAVA + "; use from_source, from_collection or read_text_file")
    create_input = unsupported("StreamExecutionEnvironment.create_input", NO_JAVA)
    register_cached_file = unsupported("StreamExecutionEnvironment.register_cached_file",
                                       "PyFn has no distributed cache; ship files with add_python_file or "
                                       "add_python_archive")
    register_slot_sharing_group = unsupported("StreamExecutionEnvironment.register_slot_sharing_group",
                                              "PyFn has no task slots (slot_sharing_group() on a stream is "
                                              "accepted and changes nothing)")

    def set_runtime_mode(self, execution_mode: RuntimeExecutionMode) -> "StreamExecutionEnvironment":
        """Runs the job as a stream or as a bounded batch job (`execution.runtime-mode`)."""
        self._configuration.set_string("execution.runtime-mode", execution_mode.setting())
        return self

    def _batch_mode(self) -> bool:
        mode = (self._configuration.get_string("execution.runtime-mode") or "streaming").lower()
        return mode in ("batch", "automatic")  # every PyFn DataStream source is bounded

    def disable_operator_chaining(self) -> "StreamExecutionEnvironment":
        """Every function runs in its own Python node."""
        self._chaining = False
        return self

    def is_chaining_enabled(self) -> bool:
        """Whether consecutive functions run chained."""
        return self._chaining_enabled()

    def _chaining_enabled(self) -> bool:
        setting = self._configuration.get_string("python.operator-chaining.enabled")
        return self._chaining and (setting is None or setting.lower() != "false")

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

    # -- sources -----------------------------------------------------------------------------------
    def _source(self, name: str, type_info, source=None, collection=None):
        from pyfn.client.location import caller_location
        from pyfn.datastream.data_stream import DataStream
        from pyfn.datastream.transformations import Transformation

        transformation = Transformation("source", name, [], type_info, caller_location())
        transformation.source = source
        transformation.collection = collection
        return DataStream(self, transformation)

    def from_collection(self, collection: Iterable, type_info=None):
        """A stream of the collection's records, typed by `type_info` (pickled without). A non-parallel source
        unless its parallelism is set, then the collection is split over the subtasks."""
        return self._source("Collection Source", type_info, collection=list(collection))

    def from_elements(self, *elements, type_info=None):
        """A stream of `elements`."""
        return self.from_collection(elements, type_info)

    def read_text_file(self, file_path: str, charset_name: str = "UTF-8"):
        """The lines of a file (or of the files in a folder) as STRING records."""
        from pyfn.datastream.connectors.file_system import FileSource, StreamFormat
        source = FileSource.for_record_stream_format(StreamFormat.text_line_format(charset_name), file_path).build()
        return self._source("Read Text File", source.type_info, source=source)

    def from_source(self, source, watermark_strategy=None, source_name: str = "Source", type_info=None):
        """A stream of what `source` reads (a FileSource, a NumberSequenceSource); a `watermark_strategy` with a
        timestamp assigner gives the records their event time (as `assign_timestamps_and_watermarks` does)."""
        from pyfn.datastream.connectors.base import Source
        if not isinstance(source, Source):
            raise TypeError("from_source takes a FileSource or NumberSequenceSource, got %r" % (source,))
        stream = self._source(source_name, type_info or source.type_info, source=source)
        if getattr(watermark_strategy, "timestamp_assigner", None) is not None:
            return stream.assign_timestamps_and_watermarks(watermark_strategy)
        return stream

    def from_sequence(self, start: int, end: int):
        """The longs `start` to `end` (PyFlink 1.x's spelling of a NumberSequenceSource)."""
        from pyfn.datastream.connectors.number_seq import NumberSequenceSource
        return self.from_source(NumberSequenceSource(start, end), source_name="Sequence Source")

    # -- running -----------------------------------------------------------------------------------
    def _add_sink(self, transformation) -> None:
        self._sinks.append(transformation)

    def _temporary_files(self):
        from pyfn.datastream.graph import TemporaryFiles
        if self._files is None:
            self._files = TemporaryFiles()
            import atexit
            atexit.register(self._files.remove)
        return self._files

    def _request(self, job_name: Optional[str], sinks: List, keep_row_kinds: bool = False):
        import os

        from pyfn.client.request import JobRequest
        from pyfn.datastream.graph import build_graph

        if not sinks:
            raise RuntimeError("No operators defined in streaming topology. Cannot execute.")
        graph = build_graph(self, sinks, self._batch_mode(), keep_row_kinds)
        main = sys.modules.get("__main__")
        base = os.path.dirname(os.path.abspath(getattr(main, "__file__", "") or os.getcwd() + "/x"))
        return JobRequest(name=job_name or "Flink Streaming Job", base_directory=base,
                          settings=self._configuration.to_dict(), extra={"datastream": graph})

    def _submit(self, job_name: Optional[str], sinks: List, keep_row_kinds: bool = False):
        from pyfn.client.job import submit
        request = self._request(job_name, sinks, keep_row_kinds)
        self._sinks = []
        return request.name, submit(request, forward_stderr=_PrintRouter())

    def execute(self, job_name: Optional[str] = None) -> JobExecutionResult:
        """Runs the dataflow built so far and waits for it; a failure raises with the runner's message."""
        name, job = self._submit(job_name, self._sinks)
        pending, self._pending_caches = self._pending_caches, []
        with job:
            result = JobExecutionResult(name, job.wait())
        _keep_caches(pending)
        return result

    def execute_async(self, job_name: str = "Flink Streaming Job") -> JobClient:
        """Starts the dataflow built so far; the JobClient waits for it or cancels it."""
        name, job = self._submit(job_name, self._sinks)
        return JobClient(name, job)

    def _execute(self, job_name: Optional[str], collect):
        from pyfn.datastream.data_stream import CloseableIterator
        from pyfn.datastream.graph import record_format
        from pyfn.worker.datastream.records import RecordCodec

        name, job = self._submit(job_name, self._sinks + [collect])
        pending, self._pending_caches = self._pending_caches, []
        codec = RecordCodec(record_format(collect.inputs[0].effective_type()))
        return CloseableIterator(job.batches(), codec.decode, job, on_end=lambda: _keep_caches(pending))

    def close(self) -> None:
        """Removes the temporary files of the environment's collections."""
        if self._files is not None:
            self._files.remove()


def _keep_caches(pending: List) -> None:
    """The job that wrote them succeeded: its cached streams are read from their files from now on."""
    for cache, path in pending:
        cache.keep(path)
