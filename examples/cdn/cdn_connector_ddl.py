"""The CDN program's DDL (the seed's `cdn_connector_ddl.py`), with its Kafka source swapped for the generated
access-log file and its MySQL sink for SQLite or PostgreSQL through Flink's legacy JDBC options.

    CDN_ACCESS_LOG   the log file (default: data/access_log.csv next to this file)
    CDN_JDBC_URL     the sink's URL (default: jdbc:sqlite:output/cdn.db next to this file;
                     e.g. jdbc:postgresql://127.0.0.1:5432/pyfn)
    CDN_JDBC_USER / CDN_JDBC_PASSWORD   the database account, when the URL needs one
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))

access_log = os.environ.get("CDN_ACCESS_LOG", os.path.join(HERE, "data", "access_log.csv"))
jdbc_url = os.environ.get("CDN_JDBC_URL", "jdbc:sqlite:" + os.path.join(HERE, "output", "cdn.db"))
jdbc_user = os.environ.get("CDN_JDBC_USER", "")
jdbc_password = os.environ.get("CDN_JDBC_PASSWORD", "")

file_source_ddl = """
CREATE TABLE cdn_access_log (
  uuid VARCHAR,
  client_ip VARCHAR,
  request_time BIGINT,
  response_size BIGINT,
  uri VARCHAR,
  event_ts BIGINT
) WITH (
  'connector.type' = 'filesystem',
  'connector.path' = '%s',
  'format.type' = 'csv'
)
""" % access_log

jdbc_sink_ddl = """
CREATE TABLE cdn_access_statistic (
  province VARCHAR,
  access_count BIGINT,
  total_download BIGINT,
  download_speed DOUBLE
) WITH (
  'connector.type' = 'jdbc',
  'connector.url' = '%s',
  'connector.table' = 'access_statistic',
  %s
  'connector.write.flush.interval' = '1s'
)
""" % (jdbc_url, "'connector.username' = '%s',\n  'connector.password' = '%s'," % (jdbc_user, jdbc_password)
       if jdbc_user else "")
