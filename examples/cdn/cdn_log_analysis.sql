-- CDN log analysis (after PyFlink's CDN example): resolve each client IP to a province with a Python
-- UDF and compute, per province, the number of accesses, the bytes served and the download speed
-- (bytes per millisecond). The statistic is upserted into SQLite by province.
--
--   python examples/cdn/generate_access_log.py examples/cdn/data/access_log.csv
--   pyfn run examples/cdn/cdn_log_analysis.sql

SET 'python.files' = 'cdn_udfs.py';

CREATE TABLE cdn_access_log (
    uuid STRING,
    client_ip STRING,
    request_time BIGINT,
    response_size BIGINT,
    uri STRING,
    event_ts BIGINT
) WITH (
    'connector' = 'filesystem',
    'path' = 'data/access_log.csv',
    'format' = 'csv'
);

CREATE TABLE cdn_access_statistic (
    province STRING,
    access_count BIGINT,
    total_download BIGINT,
    download_speed DOUBLE,
    PRIMARY KEY (province) NOT ENFORCED
) WITH (
    'connector' = 'sqlite',
    'path' = 'output/cdn.db',
    'table-name' = 'cdn_access_statistic'
);

CREATE TEMPORARY SYSTEM FUNCTION ip_to_province AS 'cdn_udfs.ip_to_province' LANGUAGE PYTHON;

INSERT INTO cdn_access_statistic
SELECT province,
       COUNT(uuid) AS access_count,
       SUM(response_size) AS total_download,
       SUM(response_size) * 1.0 / SUM(request_time) AS download_speed
FROM (
    SELECT uuid, ip_to_province(client_ip) AS province, response_size, request_time
    FROM cdn_access_log
) AS t
GROUP BY province;
