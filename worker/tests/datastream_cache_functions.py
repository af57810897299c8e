"""Functions for the cache() tests (shipped by value to the workers)."""

import os

from pyfn.datastream import MapFunction


class CountsCalls(MapFunction):
    """Squares a number and appends a line to `path` for each call: how many times the stream was computed."""

    def __init__(self, path):
        self.path = path

    def map(self, value):
        with open(self.path, "a") as calls:
            calls.write("%d\n" % value)
        return value * value


def calls(path) -> int:
    """How many records CountsCalls computed."""
    if not os.path.exists(path):
        return 0
    with open(path) as lines:
        return sum(1 for _ in lines)


def fails_on_seven(value):
    """Raises on 49 (7 squared): a job that fails after the cached stream was computed."""
    if value == 49:
        raise ValueError("no 49")
    return value
