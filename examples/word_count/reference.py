"""Expected result of word_count.sql, computed with plain Python (no pyfn).

    python reference.py INPUT      # INPUT: the lines CSV (one column, no header)

Prints CSV `word,cnt` with a header, sorted by word. A word is a maximal run of [a-z0-9'] after lower-casing.
"""

import collections
import csv
import signal
import sys

WORD_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789'")


def words(text):
    """The words of `text`, scanning character by character (independent of the UDF's regex)."""
    current = []
    for ch in text.lower():
        if ch in WORD_CHARS:
            current.append(ch)
        elif current:
            yield "".join(current)
            current = []
    if current:
        yield "".join(current)


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    if len(sys.argv) != 2:
        sys.exit("usage: python reference.py INPUT")
    counts = collections.Counter()
    with open(sys.argv[1], encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if row:
                counts.update(words(row[0]))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["word", "cnt"])
    for word in sorted(counts):
        out.writerow([word, counts[word]])


if __name__ == "__main__":
    main()
