"""Word count as a Python Table API program written with PyFlink 2.x's expression DSL: the same `split` table
function as word_count.sql, counted per word and written to SQLite (or printed with --print).

    python examples/word_count/generate_lines.py examples/word_count/data/lines.csv
    python examples/word_count/word_count.py [LINES.csv] [--print]      # WORD_COUNT_DB: another database file
    sqlite3 examples/word_count/output/word_count_dsl.db 'SELECT word, cnt FROM word_count ORDER BY word'
"""

import os
import sys

from pyfn.table import EnvironmentSettings, TableEnvironment
from pyfn.table.expressions import call, col

from word_count_udfs import split

HERE = os.path.dirname(os.path.abspath(__file__))
arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
lines_path = arguments[0] if arguments else os.path.join(HERE, "data", "lines.csv")

t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
t_env.execute_sql("CREATE TABLE lines (line STRING) WITH ('connector' = 'filesystem', 'path' = '%s', "
                  "'format' = 'csv')" % lines_path)

counts = t_env.from_path("lines") \
    .join_lateral(call(split, col("line")).alias("word")) \
    .group_by(col("word")) \
    .select(col("word"), col("word").count.alias("cnt"))

if "--print" in sys.argv:
    counts.execute().print()
else:
    t_env.execute_sql("CREATE TABLE word_count (word STRING, cnt BIGINT, PRIMARY KEY (word) NOT ENFORCED) "
                      "WITH ('connector' = 'sqlite', 'path' = '%s', 'table-name' = 'word_count')"
                      % os.environ.get("WORD_COUNT_DB", os.path.join(HERE, "output", "word_count_dsl.db")))
    counts.execute_insert("word_count").wait()
