"""TIMESTAMP_LTZ end to end: SQL jobs run by the real `pyfn run` with real Python workers, in process and embedded
(thread) mode, in the default session zone (UTC) and in Asia/Shanghai. What the functions receive is what PyFlink
2.3 hands its functions (checked on PyFlink 2.3 with the same instants: see pyfn.worker.local_zoned); what the CSV
sink writes and the print sink prints is what Flink's csv format writes and Flink prints."""

import os
import subprocess

import pytest

from table_api_support import locate_runner

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = os.path.join(os.path.dirname(os.path.dirname(HERE)), ".venv", "bin", "python")
MODES = ["process", "thread"]

# The instants 0 and 2024-01-01 04:00:00.123 UTC, as Flink's csv format writes them, and a NULL.
INPUT = "1,1970-01-01 00:00:00Z\n2,2024-01-01 04:00:00.123Z\n3,\n"


def run_job(folder, body, mode, zone=None, show=0):
    """Runs the job (settings, then `body`) over INPUT; the completed process."""
    settings = ["SET 'python.files' = '%s';" % HERE, "SET 'python.execution-mode' = '%s';" % mode]
    if zone:
        settings.append("SET 'table.local-time-zone' = '%s';" % zone)
    with open(os.path.join(folder, "in.csv"), "w") as f:
        f.write(INPUT)
    text = "\n".join(settings) + """
CREATE TABLE src (id INT, ts TIMESTAMP_LTZ(3)) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
""" + body
    path = os.path.join(folder, "job.sql")
    with open(path, "w") as f:
        f.write(text)
    env = dict(os.environ, PYFN_PYTHON=PYTHON if os.path.exists(PYTHON) else os.environ.get("PYFN_PYTHON", "python3"))
    return subprocess.run([locate_runner(), "run", path, "--show", str(show)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=300)


def csv_rows(folder, name="out"):
    """The lines the filesystem sink wrote to `name`, sorted."""
    with open(os.path.join(folder, name)) as f:
        return sorted(line.rstrip("\n") for line in f if line.strip())


FUNCTIONS = """
CREATE FUNCTION describe AS 'udfs_ltz.describe' LANGUAGE PYTHON;
CREATE FUNCTION same AS 'udfs_ltz.same' LANGUAGE PYTHON;
CREATE FUNCTION naive_noon AS 'udfs_ltz.naive_noon' LANGUAGE PYTHON;
CREATE FUNCTION pandas_describe AS 'udfs_ltz.pandas_describe' LANGUAGE PYTHON;
CREATE FUNCTION pandas_same AS 'udfs_ltz.pandas_same' LANGUAGE PYTHON;
CREATE FUNCTION arrow_describe AS 'udfs_ltz.arrow_describe' LANGUAGE PYTHON;
CREATE FUNCTION arrow_same AS 'udfs_ltz.arrow_same' LANGUAGE PYTHON;
"""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("zone, offset", [(None, "0:00:00"), ("Asia/Shanghai", "8:00:00")])
def test_a_general_udf_gets_the_utc_wall_clock_labelled_with_the_session_zone(tmp_path, mode, zone, offset):
    # PyFlink: LocalZonedTimestampCoderImpl.decode_from_stream = tz.localize(utcfromtimestamp(instant)).
    folder = str(tmp_path)
    result = run_job(folder, FUNCTIONS + """
CREATE TABLE out (id INT, d STRING, s TIMESTAMP_LTZ(3), n TIMESTAMP_LTZ(3))
  WITH ('connector' = 'filesystem', 'path' = 'out', 'format' = 'csv');
INSERT INTO out SELECT id, describe(ts), same(ts), naive_noon(ts) FROM src;
""", mode, zone)
    assert result.returncode == 0, result.stdout + result.stderr
    sign = "+%s" % offset[:-3].zfill(5)
    assert csv_rows(folder) == [
        "1,1970-01-01T00:00:00%s %s,1970-01-01 00:00:00Z,2024-01-01 12:00:00Z" % (sign, offset),
        "2,2024-01-01T04:00:00.123000%s %s,2024-01-01 04:00:00.123Z,2024-01-01 12:00:00Z" % (sign, offset),
        "3,,,2024-01-01 12:00:00Z",
    ]
