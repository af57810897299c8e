-- vs_pyflink: a UDTF giving 2 rows per input over 1,000,000 generated 16-character strings into a blackhole.
SET 'python.files' = 'udfs.py';

CREATE TABLE src (s STRING) WITH (
    'connector' = 'datagen', 'number-of-rows' = '1000000', 'rows-per-second' = '1000000000',
    'fields.s.kind' = 'random', 'fields.s.length' = '16'
);
CREATE TABLE sink (w STRING) WITH ('connector' = 'blackhole');

CREATE TEMPORARY SYSTEM FUNCTION split AS 'udfs.split' LANGUAGE PYTHON;

INSERT INTO sink SELECT w FROM src, LATERAL TABLE(split(s)) AS T(w);
