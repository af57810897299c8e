"""DataStream programs for the Swift tests: `python datastream_programs.py NAME [ARG…]` prints the job request
the program would submit (docs/job-submission.md), built by pyfn.datastream itself."""

import json
import os
import sys

from pyfn.common import Types
from pyfn.datastream import (KeyedProcessFunction, RuntimeContext, RuntimeExecutionMode,
                             StreamExecutionEnvironment, ValueStateDescriptor)


class CountThenCrashOnce(KeyedProcessFunction):
    """A running count per key in ValueState; its worker dies once, at the record `crash_at`, the first time."""

    def open(self, runtime_context: RuntimeContext):
        self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))
        self.marker = os.path.join(runtime_context.get_job_parameter("marker_dir", "/tmp"), "crashed")
        self.crash_at = int(runtime_context.get_job_parameter("crash_at", "-1"))

    def process_element(self, value, ctx):
        if value == self.crash_at and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(4)
        current = (self.count.value() or 0) + 1
        self.count.update(current)
        yield ctx.get_current_key(), current


def flip(env, args):
    ds = env.from_collection([('ab', 1), ('abc', 2), ('abcd', 3), ('abcde', 4)],
                             type_info=Types.ROW([Types.STRING(), Types.INT()]))
    ds.set_parallelism(3)
    ds.key_by(lambda x: x[1]).map(lambda x: (x[0], x[1] + 1)).print()


def word_count(env, args):
    path, mode = args[0], args[1]
    env.set_runtime_mode(RuntimeExecutionMode.BATCH if mode == "batch" else RuntimeExecutionMode.STREAMING)
    (env.read_text_file(path)
        .flat_map(lambda line: line.lower().split())
        .map(lambda word: (word, 1), output_type=Types.TUPLE([Types.STRING(), Types.LONG()]))
        .key_by(lambda pair: pair[0])
        .reduce(lambda a, b: (a[0], a[1] + b[1]))
        .execute_and_collect_request())


def crash_count(env, args):
    marker, records = args[0], int(args[1])
    env.get_config().set_global_job_parameters({"marker_dir": marker, "crash_at": str(records // 2)})
    env.get_configuration().set_string("python.fn-execution.bundle.size", "500")
    (env.from_collection(list(range(records)), type_info=Types.LONG())
        .key_by(lambda n: n % 7)
        .process(CountThenCrashOnce())
        .execute_and_collect_request())


def sequence_map(env, args):
    env.from_source(__import__("pyfn.datastream.connectors.number_seq", fromlist=["x"]).NumberSequenceSource(
        1, int(args[0])), source_name="numbers").map(lambda x: x * 2, output_type=Types.LONG()) \
        .filter(lambda x: x % 3 == 0).execute_and_collect_request()


def _collect_request(self):
    from pyfn.datastream.transformations import Transformation
    collect = Transformation("sink", "Collect", [self._transformation], None, None)
    collect.sink = {"type": "collect"}
    collect.needs_text = False
    self._env._add_sink(collect)


def main():
    from pyfn.datastream.data_stream import DataStream
    DataStream.execute_and_collect_request = _collect_request
    name, args = sys.argv[1], sys.argv[2:]
    env = StreamExecutionEnvironment.get_execution_environment()
    # The collections' files must outlive this script (the test runs the request after it exits).
    from pyfn.datastream.graph import TemporaryFiles
    env._files = TemporaryFiles()
    if os.environ.get("PYFN_TEST_PARALLELISM"):
        env.set_parallelism(int(os.environ["PYFN_TEST_PARALLELISM"]))
    globals()[name](env, args)
    request = env._request(name, env._sinks)
    print(json.dumps(request.to_json()))


if __name__ == "__main__":
    main()
