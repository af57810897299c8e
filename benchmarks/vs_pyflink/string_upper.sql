-- vs_pyflink: `py_upper(s)` (UPPER is a reserved word in Flink SQL) over 1,000,000 generated 16-character strings into a blackhole.
SET 'python.files' = 'udfs.py';

CREATE TABLE src (s STRING) WITH (
    'connector' = 'datagen', 'number-of-rows' = '1000000', 'rows-per-second' = '1000000000',
    'fields.s.kind' = 'random', 'fields.s.length' = '16'
);
CREATE TABLE sink (r STRING) WITH ('connector' = 'blackhole');

CREATE TEMPORARY SYSTEM FUNCTION py_upper AS 'udfs.py_upper' LANGUAGE PYTHON;

INSERT INTO sink SELECT py_upper(s) FROM src;
