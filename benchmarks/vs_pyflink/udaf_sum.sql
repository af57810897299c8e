-- vs_pyflink: a general Python UDAF (per-key sum) over 500,000 generated rows, 1,000 keys, into a blackhole.
-- Streaming mode: PyFlink 2.3 runs general (non-Pandas) Python UDAFs only there.
SET 'python.files' = 'udfs.py';
SET 'execution.runtime-mode' = 'streaming';

CREATE TABLE src (k BIGINT, v BIGINT) WITH (
    'connector' = 'datagen', 'number-of-rows' = '500000', 'rows-per-second' = '1000000000',
    'fields.k.kind' = 'random', 'fields.k.min' = '0', 'fields.k.max' = '999',
    'fields.v.kind' = 'random', 'fields.v.min' = '0', 'fields.v.max' = '1000000'
);
CREATE TABLE sink (k BIGINT, total BIGINT) WITH ('connector' = 'blackhole');

CREATE TEMPORARY SYSTEM FUNCTION total AS 'udfs.total' LANGUAGE PYTHON;

INSERT INTO sink SELECT k, total(v) FROM src GROUP BY k;
