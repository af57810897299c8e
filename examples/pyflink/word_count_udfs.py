"""Python UDFs of the word count example (written against pyflink itself, for python.harness = pyflink)."""

import re

from pyflink.table import DataTypes
from pyflink.table.udf import udtf

# A word: a run of ASCII letters, digits and apostrophes; everything else separates words.
_WORD = re.compile(r"[a-z0-9']+")


@udtf(result_types=[DataTypes.STRING()])
def split(line):
    """Yields the lower-cased words of `line` ("Don't stop." -> "don't", "stop"); nothing for NULL."""
    if line is None:
        return
    for word in _WORD.findall(line.lower()):
        yield word
