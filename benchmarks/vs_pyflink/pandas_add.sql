-- vs_pyflink: `pandas_add(a, b)` over 1,000,000 generated BIGINT pairs into a blackhole (PyFn and PyFlink 2.3 run this file).
SET 'python.files' = 'udfs.py';

CREATE TABLE src (a BIGINT, b BIGINT) WITH (
    'connector' = 'datagen', 'number-of-rows' = '1000000', 'rows-per-second' = '1000000000',
    'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '1000000',
    'fields.b.kind' = 'random', 'fields.b.min' = '0', 'fields.b.max' = '1000000'
);
CREATE TABLE sink (r BIGINT) WITH ('connector' = 'blackhole');

CREATE TEMPORARY SYSTEM FUNCTION pandas_add AS 'udfs.pandas_add' LANGUAGE PYTHON;

INSERT INTO sink SELECT pandas_add(a, b) FROM src;
