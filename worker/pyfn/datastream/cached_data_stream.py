"""`DataStream.cache()`: in batch mode, a `CachedDataStream` whose records the first job that computes them keeps in
an Arrow file (a sink of their own beside the job's); later jobs of the environment read that file as a source
instead of computing them again, until `invalidate()`. A job that fails keeps nothing; the files go when the
environment's temporary folder does (`env.close()` or the interpreter's exit). In streaming mode every job computes
the stream, as PyFlink 2.3 does (it caches in batch mode only)."""

from __future__ import annotations

import itertools
import os
from typing import List, Optional, Tuple

from pyfn.client.location import caller_location
from pyfn.datastream.data_stream import DataStream
from pyfn.datastream.transformations import Transformation

__all__ = ["CachedDataStream", "StreamCache", "caches_to_fill"]

_files = itertools.count(1)


class StreamCache:
    """Where a cached stream's records are: `path` once a job kept them, else None."""

    def __init__(self):
        self.path: Optional[str] = None

    def keep(self, path: str) -> None:
        """The job that wrote `path` succeeded: later jobs read it."""
        self.path = path

    def invalidate(self) -> None:
        """Forgets the kept records (the next job computes them again) and removes their file."""
        path, self.path = self.path, None
        if path is not None and os.path.exists(path):
            os.remove(path)


class CachedDataStream(DataStream):
    """A DataStream whose records are computed once, by the first job that needs them, and read back by later
    jobs (batch mode only, as in PyFlink). Its name, uid and parallelism are its input's and cannot be set."""

    def __init__(self, stream: DataStream):
        original = stream._transformation
        transformation = Transformation("cache", "Cache", [original], original.effective_type(), caller_location())
        transformation.parallelism_of = original
        transformation.cache = StreamCache()
        super().__init__(stream._env, transformation)

    def invalidate(self) -> None:
        """Drops the cached records: a later job that reads this stream computes them (and caches them) again."""
        self._transformation.cache.invalidate()

    def set_parallelism(self, parallelism: int):
        """Refused, as in PyFlink."""
        raise Exception("Set parallelism for CachedDataStream is not supported.")

    def name(self, name: str):
        """Refused, as in PyFlink."""
        raise Exception("Set name for CachedDataStream is not supported.")

    def get_name(self) -> str:
        """Refused, as in PyFlink."""
        raise Exception("Get name of CachedDataStream is not supported.")

    def uid(self, uid: str):
        """Refused, as in PyFlink."""
        raise Exception("Set uid for CachedDataStream is not supported.")

    def set_uid_hash(self, uid_hash: str):
        """Refused, as in PyFlink."""
        raise Exception("Set uid hash for CachedDataStream is not supported.")

    def set_max_parallelism(self, max_parallelism: int):
        """Refused, as in PyFlink."""
        raise Exception("Set max parallelism for CachedDataStream is not supported.")

    def force_non_parallel(self):
        """Refused, as in PyFlink."""
        raise Exception("Set force non-parallel for CachedDataStream is not supported.")


def caches_to_fill(sinks: List[Transformation], folder: str, batch_mode: bool
                   ) -> Tuple[List[Transformation], List[Tuple[StreamCache, str]]]:
    """For the cached streams the job ending in `sinks` computes (those not kept yet): a sink writing each one's
    records to a new file under `folder`, and (cache, file) to keep once the job succeeds."""
    sinks_out: List[Transformation] = []
    pending: List[Tuple[StreamCache, str]] = []
    seen: set = set()
    stack = list(sinks)
    while stack:
        transformation = stack.pop()
        if transformation.id in seen:
            continue
        seen.add(transformation.id)
        if transformation.kind == "cache":
            if transformation.cache.path is not None:
                continue  # read from its file: nothing upstream of it runs
            if not batch_mode:  # PyFlink 2.3 computes a cached stream in every streaming job (checked)
                stack.extend(transformation.inputs)
                continue
            path = os.path.join(folder, "cache-%d-%d.arrows" % (transformation.id, next(_files)))
            sink = Transformation("sink", "Cache", [transformation], None, transformation.location)
            sink.sink = {"type": "arrow_file", "path": path}
            sink.needs_text = False
            sink.parallelism_of = transformation
            sinks_out.append(sink)
            pending.append((transformation.cache, path))
        stack.extend(transformation.inputs)
    return sinks_out, pending
