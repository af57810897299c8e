"""AsyncFunctions for the async I/O tests (shipped by value to the workers)."""

import asyncio

from pyfn.datastream import AsyncFunction


class DoublesSlowly(AsyncFunction):
    """[(value * 2, how many calls were in flight when this one started)], after 30 ms of (async) waiting."""

    def open(self, runtime_context):
        self.in_flight = 0

    async def async_invoke(self, value):
        self.in_flight += 1
        started_with = self.in_flight
        await asyncio.sleep(0.03)
        self.in_flight -= 1
        return [(value * 2, started_with)]


class HangsOnThree(AsyncFunction):
    """[value] at once, except 3, which waits 30 s (past any timeout); `timeout` answers ['late 3'] when told to."""

    def __init__(self, answer_timeouts):
        self.answer_timeouts = answer_timeouts

    async def async_invoke(self, value):
        if value == 3:
            await asyncio.sleep(30)
        return [value]

    def timeout(self, value):
        if self.answer_timeouts:
            return ["late %d" % value]
        return super().timeout(value)


class FailsOnFive(AsyncFunction):
    """[value], except 5, which raises."""

    async def async_invoke(self, value):
        if value == 5:
            raise ConnectionError("the service refused 5")
        return [value]


class NotAsync(AsyncFunction):
    """async_invoke without `async`: refused when the operator is made, as PyFlink does."""

    def async_invoke(self, value):
        return [value]


class FlakyTwice(AsyncFunction):
    """[(value, attempt)]: the first two attempts for a value raise ConnectionError (or, with `empty_first`, the
    first gives no records), so it answers only when tried again."""

    def __init__(self, empty_first=False):
        self.empty_first = empty_first

    def open(self, runtime_context):
        self.attempts = {}

    async def async_invoke(self, value):
        attempt = self.attempts[value] = self.attempts.get(value, 0) + 1
        if self.empty_first:
            return [] if attempt == 1 else [(value, attempt)]
        if attempt <= 2:
            raise ConnectionError("attempt %d for %d refused" % (attempt, value))
        return [(value, attempt)]


def is_connection_error(error):
    """The retry predicate of the retry tests."""
    return isinstance(error, ConnectionError)


def is_empty(records):
    """Retries a call that gave no records."""
    return not records
