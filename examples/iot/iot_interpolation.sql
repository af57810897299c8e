-- IoT interpolation with a pandas UDF: sensors report a temperature per timestamp, some readings are
-- missing (empty CSV fields, read as NULL). `interpolate` fills each device's gaps linearly (and its
-- leading/trailing gaps with the nearest reading). It sees one Arrow batch at a time, so the batch and
-- bundle sizes below are set large enough for the whole table to arrive as one batch.
--
--   python examples/iot/generate_temperatures.py examples/iot/data/temperatures.csv
--   pyfn run examples/iot/iot_interpolation.sql

SET 'python.files' = 'iot_udfs.py';
SET 'python.fn-execution.bundle.size' = '1000000';
SET 'python.fn-execution.arrow.batch.size' = '1000000';

CREATE TABLE temperatures (
    id STRING,
    ts BIGINT,
    temperature DOUBLE
) WITH (
    'connector' = 'filesystem',
    'path' = 'data/temperatures.csv',
    'format' = 'csv'
);

CREATE TABLE interpolated (
    id STRING,
    ts BIGINT,
    temperature DOUBLE
) WITH (
    'connector' = 'filesystem',
    'path' = 'output/interpolated.csv',
    'format' = 'csv'
);

CREATE TEMPORARY SYSTEM FUNCTION interpolate AS 'iot_udfs.interpolate' LANGUAGE PYTHON;

INSERT INTO interpolated
SELECT id, ts, interpolate(id, temperature) AS temperature
FROM temperatures;
