-- Word count: split each line into lower-cased words with a Python table function and
-- count every word. The counts are upserted into SQLite by their GROUP BY key (word).
--
--   python examples/word_count/generate_lines.py examples/word_count/data/lines.csv
--   pyfn run examples/word_count/word_count.sql

SET 'python.files' = 'word_count_udfs.py';

CREATE TABLE lines (
    line STRING
) WITH (
    'connector' = 'filesystem',
    'path' = 'data/lines.csv',
    'format' = 'csv'
);

CREATE TABLE word_count (
    word STRING,
    cnt BIGINT,
    PRIMARY KEY (word) NOT ENFORCED
) WITH (
    'connector' = 'sqlite',
    'path' = 'output/word_count.db',
    'table-name' = 'word_count'
);

CREATE TEMPORARY SYSTEM FUNCTION split AS 'word_count_udfs.split' LANGUAGE PYTHON;

INSERT INTO word_count
SELECT word, COUNT(*) AS cnt
FROM lines, LATERAL TABLE(split(line)) AS T(word)
GROUP BY word;
