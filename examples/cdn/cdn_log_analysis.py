"""The seed's CDN log analysis as a Python Table API program (PyFlink 1.10's API: sql_update, register_function,
string expressions, insert_into + execute), with `pyflink` replaced by `pyfn` in its imports, Kafka by the
generated log file and MySQL by SQLite or PostgreSQL (see cdn_connector_ddl.py).

    python examples/cdn/generate_access_log.py examples/cdn/data/access_log.csv
    python examples/cdn/cdn_log_analysis.py
    sqlite3 examples/cdn/output/cdn.db 'SELECT * FROM access_statistic ORDER BY province'
"""

import os

from pyfn.datastream import StreamExecutionEnvironment
from pyfn.table import StreamTableEnvironment, EnvironmentSettings
from cdn_udfs import ip_to_province
from cdn_connector_ddl import file_source_ddl, jdbc_sink_ddl

# 创建Table Environment, 并选择使用的Planner
env = StreamExecutionEnvironment.get_execution_environment()
t_env = StreamTableEnvironment.create(
    env,
    environment_settings=EnvironmentSettings.new_instance().use_blink_planner().build()
)

# 注册数据源 (the seed's Kafka source: the generated log file)
t_env.sql_update(file_source_ddl)
# 注册结果表 (the seed's MySQL sink: SQLite or PostgreSQL over JDBC)
t_env.sql_update(jdbc_sink_ddl)

# 注册UDF函数
t_env.register_function("ip_to_province", ip_to_province)

# 添加依赖的Python文件
t_env.add_python_file(os.path.dirname(os.path.abspath(__file__)) + "/cdn_udfs.py")
t_env.add_python_file(os.path.dirname(os.path.abspath(__file__)) + "/cdn_connector_ddl.py")

# 核心统计逻辑
t_env.from_path("cdn_access_log") \
    .select("uuid, "
            "ip_to_province(client_ip) as province, "  # IP 转换为地区名称
            "response_size, request_time") \
    .group_by("province") \
    .select(  # 计算访问量
        "province, count(uuid) as access_count, "
        # 计算下载总量
        "sum(response_size) as total_download, "
        # 计算下载速度
        "sum(response_size) * 1.0 / sum(request_time) as download_speed") \
    .insert_into("cdn_access_statistic")

# 执行作业
t_env.execute("pyflink_parse_cdn_log")
