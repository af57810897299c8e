-- vs_pyflink: the CDN log analysis (examples/cdn) over data/access_log.csv, the result as CSV. vs_pyflink links
-- the generated log in and points python.files at examples/cdn/cdn_udfs.py (PyFn) or
-- examples/pyflink/cdn_udfs.py (PyFlink): the same file but for its import line.
CREATE TABLE cdn_access_log (
    uuid STRING,
    client_ip STRING,
    request_time BIGINT,
    response_size BIGINT,
    uri STRING,
    event_ts BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'data/access_log.csv', 'format' = 'csv');

CREATE TABLE cdn_access_statistic (
    province STRING,
    access_count BIGINT,
    total_download BIGINT,
    download_speed DOUBLE
) WITH ('connector' = 'filesystem', 'path' = 'output/cdn', 'format' = 'csv');

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
