"""TIMESTAMP_LTZ end to end: SQL jobs run by the real `pyfn run` with real Python workers, in process and embedded
(thread) mode, in the default session zone (UTC) and in Asia/Shanghai. What the functions receive is what PyFlink
2.3 hands its functions (checked on PyFlink 2.3 with the same instants: see pyfn.worker.local_zoned); what the CSV
sink writes and the print sink prints is what Flink's csv format writes and Flink prints."""

import csv
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
    """The lines the filesystem sink wrote to `name`, sorted; a CSV line with its fields quoted only where a comma or
    a quote needs it (the sink quotes as Flink's CSV format does — any value with a space — which
    ConnectorFileSystemTests checks; here the values are what matters)."""
    def plain(line):
        if line.startswith("{"):
            return line
        fields = next(csv.reader([line]))
        return ",".join('"%s"' % f.replace('"', '""') if ("," in f or '"' in f) else f for f in fields)
    with open(os.path.join(folder, name)) as f:
        return sorted(plain(line.rstrip("\n")) for line in f if line.strip())


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


@pytest.mark.parametrize("mode", MODES)
def test_pandas_and_arrow_udfs_get_pyflinks_series_and_the_instants(tmp_path, mode):
    # PyFlink: tz_convert_from_internal = series.dt.tz_localize(session zone) of the UTC wall clock; results by
    # wall clock (tz_convert_to_internal). Arrow UDFs (PyFn's kind) get the instants shown in the session zone.
    folder = str(tmp_path)
    result = run_job(folder, FUNCTIONS + """
CREATE TABLE out (id INT, d STRING, s TIMESTAMP_LTZ(3), a STRING, t TIMESTAMP_LTZ(3))
  WITH ('connector' = 'filesystem', 'path' = 'out', 'format' = 'csv');
INSERT INTO out SELECT id, pandas_describe(ts), pandas_same(ts), arrow_describe(ts), arrow_same(ts) FROM src;
""", mode, "Asia/Shanghai")
    assert result.returncode == 0, result.stdout + result.stderr
    assert csv_rows(folder) == [
        "1,Asia/Shanghai 1970-01-01T00:00:00+08:00,1970-01-01 00:00:00Z,\"timestamp[us, tz=Asia/Shanghai]\","
        "1970-01-01 00:00:00Z",
        "2,Asia/Shanghai 2024-01-01T04:00:00.123000+08:00,2024-01-01 04:00:00.123Z,\"timestamp[us, tz=Asia/Shanghai]\","
        "2024-01-01 04:00:00.123Z",
        "3,Asia/Shanghai NaT,,\"timestamp[us, tz=Asia/Shanghai]\",",
    ]


@pytest.mark.parametrize("mode", MODES)
def test_the_print_sink_and_cast_show_ltz_in_the_session_zone(tmp_path, mode):
    # Flink prints LTZ, and CASTs it to STRING and TIMESTAMP, as the session zone's wall clock (checked on Flink 2.3:
    # TO_TIMESTAMP_LTZ(0, 3) prints 1970-01-01 08:00:00.000 in Asia/Shanghai).
    folder = str(tmp_path)
    result = run_job(folder, """
CREATE TABLE shown (id INT, ts TIMESTAMP_LTZ(3), s STRING, l TIMESTAMP(3), back TIMESTAMP_LTZ(3), e TIMESTAMP_LTZ(3))
  WITH ('connector' = 'print');
INSERT INTO shown SELECT id, ts, CAST(ts AS STRING), CAST(ts AS TIMESTAMP(3)),
  CAST(CAST(ts AS TIMESTAMP(3)) AS TIMESTAMP_LTZ(3)), TO_TIMESTAMP_LTZ(id * 1000, 3) FROM src;
""", mode, "Asia/Shanghai")
    assert result.returncode == 0, result.stdout + result.stderr
    printed = sorted(line for line in result.stdout.splitlines() if line.startswith("+I["))
    assert printed == [
        "+I[1, 1970-01-01 08:00:00.000, 1970-01-01 08:00:00.000, 1970-01-01 08:00:00.000, 1970-01-01 08:00:00.000, "
        "1970-01-01 08:00:01.000]",
        "+I[2, 2024-01-01 12:00:00.123, 2024-01-01 12:00:00.123, 2024-01-01 12:00:00.123, 2024-01-01 12:00:00.123, "
        "1970-01-01 08:00:02.000]",
        "+I[3, null, null, null, null, 1970-01-01 08:00:03.000]",
    ]


def test_a_tumble_window_over_an_ltz_rowtime_gives_the_windows_of_the_utc_timestamp(tmp_path):
    # The same rows as UTC TIMESTAMPs and as LTZ instants (session zone UTC): the same windows and counts.
    folder = str(tmp_path)
    times = ["2026-01-01 10:00:01", "2026-01-01 10:00:04", "2026-01-01 10:00:07", "2026-01-01 10:00:12",
             "2026-01-01 10:00:25"]
    with open(os.path.join(folder, "events.csv"), "w") as f:
        f.writelines("%s,%sZ\n" % (t, t) for t in times)
    result = run_job(folder, """
CREATE TABLE events (plain TIMESTAMP(3), ltz TIMESTAMP_LTZ(3), WATERMARK FOR ltz AS ltz - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'events.csv', 'format' = 'csv');
CREATE TABLE events_plain (plain TIMESTAMP(3), ltz TIMESTAMP_LTZ(3), WATERMARK FOR plain AS plain - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'events.csv', 'format' = 'csv');
CREATE TABLE by_ltz (window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT)
  WITH ('connector' = 'filesystem', 'path' = 'by_ltz', 'format' = 'csv');
CREATE TABLE by_plain (window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT)
  WITH ('connector' = 'filesystem', 'path' = 'by_plain', 'format' = 'csv');
INSERT INTO by_ltz SELECT window_start, window_end, COUNT(*)
  FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ltz), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;
INSERT INTO by_plain SELECT window_start, window_end, COUNT(*)
  FROM TABLE(TUMBLE(TABLE events_plain, DESCRIPTOR(plain), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;
""", "process", "UTC")
    assert result.returncode == 0, result.stdout + result.stderr
    expected = ["2026-01-01 10:00:00.000,2026-01-01 10:00:10.000,3",
                "2026-01-01 10:00:10.000,2026-01-01 10:00:20.000,1",
                "2026-01-01 10:00:20.000,2026-01-01 10:00:30.000,1"]
    assert csv_rows(folder, "by_plain") == expected
    assert csv_rows(folder, "by_ltz") == expected


def test_an_ltz_value_without_its_zone_is_an_error_naming_file_line_and_column(tmp_path):
    folder = str(tmp_path)
    with open(os.path.join(folder, "bad.csv"), "w") as f:
        f.write("1,2024-01-01 04:00:00Z\n2,2024-01-01 04:00:00\n")
    result = run_job(folder, """
CREATE TABLE bad (id INT, ts TIMESTAMP_LTZ(3)) WITH ('connector' = 'filesystem', 'path' = 'bad.csv', 'format' = 'csv');
CREATE TABLE out (id INT, ts TIMESTAMP_LTZ(3)) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id, ts FROM bad;
""", "process")
    assert result.returncode != 0
    assert "bad.csv:2:3" in result.stderr and "not a valid TIMESTAMP_LTZ (yyyy-mm-dd hh:mm:ss[.ffffff]Z, in UTC)" \
        in result.stderr, result.stderr


def test_json_reads_and_writes_ltz_as_flinks_json_format(tmp_path):
    # Flink's json format, timestamp-format.standard SQL: "1970-01-01 00:00:00Z" (checked on Flink 2.3).
    folder = str(tmp_path)
    result = run_job(folder, """
CREATE TABLE out (id INT, ts TIMESTAMP_LTZ(3)) WITH ('connector' = 'filesystem', 'path' = 'out', 'format' = 'json');
INSERT INTO out SELECT id, ts FROM src;
""", "process", "Asia/Shanghai")
    assert result.returncode == 0, result.stdout + result.stderr
    assert csv_rows(folder) == ['{"id":1,"ts":"1970-01-01 00:00:00Z"}', '{"id":2,"ts":"2024-01-01 04:00:00.123Z"}',
                                '{"id":3,"ts":null}']


@pytest.mark.parametrize("mode", MODES)
def test_day_windows_over_an_ltz_rowtime_follow_the_session_zones_midnight(tmp_path, mode):
    # Flink windows a TIMESTAMP_LTZ rowtime on the session zone's clock: 15:00Z and 17:00Z on 2024-01-01 are
    # 23:00 on Jan 1 and 01:00 on Jan 2 in Asia/Shanghai, so two day windows (with local window_start/_end).
    folder = str(tmp_path)
    with open(os.path.join(folder, "events.csv"), "w") as f:
        f.write("2024-01-01 15:00:00Z,1\n2024-01-01 17:00:00Z,2\n2024-01-01 17:30:00Z,3\n")
    result = run_job(folder, """
CREATE TABLE events (ltz TIMESTAMP_LTZ(3), v INT, WATERMARK FOR ltz AS ltz - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'events.csv', 'format' = 'csv');
CREATE TABLE days (window_start TIMESTAMP(3), window_end TIMESTAMP(3), window_time TIMESTAMP_LTZ(3), n BIGINT,
  total BIGINT) WITH ('connector' = 'filesystem', 'path' = 'days', 'format' = 'csv');
INSERT INTO days SELECT window_start, window_end, window_time, COUNT(*), SUM(v)
  FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ltz), INTERVAL '1' DAY)) GROUP BY window_start, window_end, window_time;
""", mode, "Asia/Shanghai")
    assert result.returncode == 0, result.stdout + result.stderr
    # window_time is TIMESTAMP_LTZ(3) over an LTZ rowtime (Flink): the instant of the window's last millisecond.
    assert csv_rows(folder, "days") == [
        "2024-01-01 00:00:00.000,2024-01-02 00:00:00.000,2024-01-01 15:59:59.999Z,1,1",
        "2024-01-02 00:00:00.000,2024-01-03 00:00:00.000,2024-01-02 15:59:59.999Z,2,5"]


def test_now_and_current_timestamp_are_the_instant_the_query_is_planned(tmp_path):
    import datetime
    folder = str(tmp_path)
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    result = run_job(folder, """
CREATE TABLE out (id INT, n TIMESTAMP_LTZ(3), c TIMESTAMP_LTZ(3))
  WITH ('connector' = 'filesystem', 'path' = 'out', 'format' = 'csv');
INSERT INTO out SELECT id, NOW(), CURRENT_TIMESTAMP FROM src;
""", "process", "Asia/Shanghai")
    after = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line.split(",") for line in csv_rows(folder)]
    assert [r[0] for r in rows] == ["1", "2", "3"] and len({r[1] for r in rows} | {r[2] for r in rows}) == 1
    planned = datetime.datetime.fromisoformat(rows[0][1].rstrip("Z"))  # the fraction has no trailing zeros
    assert before - datetime.timedelta(milliseconds=1) <= planned <= after


def test_an_unknown_session_zone_is_refused_naming_the_setting(tmp_path):
    result = run_job(str(tmp_path), """
CREATE TABLE out (id INT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id FROM src;
""", "process", "Mars/Olympus")
    assert result.returncode != 0
    assert ("'table.local-time-zone' must be a time zone such as 'UTC', 'Asia/Shanghai' or 'GMT+08:00', "
            "not 'Mars/Olympus'") in result.stderr, result.stderr


def test_a_computed_ltz_argument_reaches_the_udf_as_pyflinks_value(tmp_path):
    folder = str(tmp_path)
    result = run_job(folder, FUNCTIONS + """
CREATE TABLE out (id INT, d STRING) WITH ('connector' = 'filesystem', 'path' = 'out', 'format' = 'csv');
INSERT INTO out SELECT id, describe(TO_TIMESTAMP_LTZ(id * 1000, 3)) FROM src;
""", "process", "Asia/Shanghai")
    assert result.returncode == 0, result.stdout + result.stderr
    assert csv_rows(folder) == ["1,1970-01-01T00:00:01+08:00 8:00:00", "2,1970-01-01T00:00:02+08:00 8:00:00",
                                "3,1970-01-01T00:00:03+08:00 8:00:00"]
