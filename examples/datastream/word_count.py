"""Word count as PyFlink 2.x writes it (FileSource of text lines → flat_map → map → key_by → reduce), imports
changed to pyfn: `python word_count.py [INPUT] [--parallelism N] [--batch]`. Prints `(word,count)` per word."""

import argparse
import os

from pyfn.common import Types, WatermarkStrategy
from pyfn.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from pyfn.datastream.connectors.file_system import FileSource, StreamFormat


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("input", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                 "words.txt"))
    parser.add_argument("--parallelism", type=int, default=1)
    parser.add_argument("--batch", action="store_true")
    args = parser.parse_args()

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(args.parallelism)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH if args.batch else RuntimeExecutionMode.STREAMING)
    source = FileSource.for_record_stream_format(StreamFormat.text_line_format(), args.input).build()
    (env.from_source(source, WatermarkStrategy.no_watermarks(), "file_source")
        .flat_map(lambda line: line.lower().split())
        .map(lambda word: (word, 1), output_type=Types.TUPLE([Types.STRING(), Types.INT()]))
        .key_by(lambda pair: pair[0])
        .reduce(lambda a, b: (a[0], a[1] + b[1]))
        .print())
    env.execute("word_count")


if __name__ == "__main__":
    main()
