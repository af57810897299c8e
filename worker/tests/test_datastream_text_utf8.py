"""The text-file source checks UTF-8 as the SQL sources do: a damaged line ends the job with the file, line and
column of the first bad byte, instead of a U+FFFD put in without a word."""

import pytest

from datastream_runner import collect, require_runner
from pyfn.datastream import StreamExecutionEnvironment
from pyfn.datastream.connectors.file_system import FileSource, StreamFormat
from pyfn.util.exceptions import JobExecutionException

# Once, on CPython 3.11 (conftest.RUNNER_LOGIC): the text-file source is the runner's.
pytestmark = pytest.mark.runner_logic


@pytest.fixture(scope="module", autouse=True)
def runner():
    return require_runner()


def test_read_text_file_names_the_file_line_and_column_of_invalid_utf8(tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("fine\nnaïve\r\n".encode() + b"ab\xffcd\nlast\n")
    env = StreamExecutionEnvironment.get_execution_environment()
    with pytest.raises(JobExecutionException) as raised:
        collect(env.read_text_file(str(path)).map(lambda line: line.upper()))
    assert "text file source: %s:3:3: invalid UTF-8 (byte 0xFF)" % path in str(raised.value)


def test_file_source_names_a_truncated_character_at_the_end_of_the_last_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("α\nβ\n", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"ok\n" + "γ".encode()[:1])  # no final line break, half a character
    env = StreamExecutionEnvironment.get_execution_environment()
    source = FileSource.for_record_stream_format(StreamFormat.text_line_format(), str(folder)).build()
    with pytest.raises(JobExecutionException) as raised:
        collect(env.from_source(source, source_name="lines"))
    assert "%s:2:1: invalid UTF-8 (byte 0xCE)" % (folder / "b.txt") in str(raised.value)


def test_valid_utf8_lines_come_through_unchanged(tmp_path):
    path = tmp_path / "ok.txt"
    lines = ["naïve café", "日本語", "emoji 🎉", "", "crlf"]
    path.write_bytes(("\n".join(lines[:-1]) + "\n" + lines[-1] + "\r\n").encode())
    env = StreamExecutionEnvironment.get_execution_environment()
    assert collect(env.read_text_file(str(path))) == lines
