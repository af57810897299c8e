"""The Pandas article's IoT demo (PyFlink 1.11) with `pyflink` replaced by `pyfn` in its imports and its
/tmp/input and /tmp/output paths taken from the command line.

    echo -e "1,98.0\n1,\n1,100.0\n2,99.0" > /tmp/input
    python examples/iot/pandas_udf_demo.py /tmp/input /tmp/output
    cat /tmp/output

One change beyond imports and paths: the article declares `input_types=[DataTypes.STRING(), …]` for the INT
column `id`. PyFlink 2.3 rejects that call ("Invalid function call: interpolate(INT, FLOAT)") and so does PyFn
(a ValidationException naming the argument and the program's line); this copy declares INT.
"""

import sys

from pyfn.datastream import StreamExecutionEnvironment
from pyfn.table import StreamTableEnvironment, DataTypes
from pyfn.table.udf import udf
import pandas as pd

input_path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/input"
output_path = sys.argv[2] if len(sys.argv) > 2 else "/tmp/output"

env = StreamExecutionEnvironment.get_execution_environment()
env.set_parallelism(1)
t_env = StreamTableEnvironment.create(env)
t_env.get_config().get_configuration().set_boolean("python.fn-execution.memory.managed", True)

@udf(input_types=[DataTypes.INT(), DataTypes.FLOAT()],
     result_type=DataTypes.FLOAT(), udf_type='pandas')
def interpolate(id, temperature):
    # takes id: pandas.Series and temperature: pandas.Series as input
    df = pd.DataFrame({'id': id, 'temperature': temperature})

    # use interpolate() to interpolate the missing temperature
    interpolated_df = df.groupby('id').apply(
        lambda group: group.interpolate(limit_direction='both'))

    # output temperature: pandas.Series
    return interpolated_df['temperature']

t_env.register_function("interpolate", interpolate)

my_source_ddl = """
    create table mySource (
        id INT,
        temperature FLOAT 
    ) with (
        'connector.type' = 'filesystem',
        'format.type' = 'csv',
        'connector.path' = '%s'
    )
""" % input_path

my_sink_ddl = """
    create table mySink (
        id INT,
        temperature FLOAT 
    ) with (
        'connector.type' = 'filesystem',
        'format.type' = 'csv',
        'connector.path' = '%s'
    )
""" % output_path

t_env.execute_sql(my_source_ddl)
t_env.execute_sql(my_sink_ddl)

t_env.from_path('mySource')\
    .select("id, interpolate(id, temperature) as temperature") \
    .insert_into('mySink')

t_env.execute("pandas_udf_demo")
