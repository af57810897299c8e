"""PyFlink's async retry strategies (`pyflink.datastream.async_retry_strategies`): no retry, a fixed delay, and an
exponential backoff, each with the result and exception predicates that ask for another attempt."""

from __future__ import annotations

from typing import Callable, List, Optional

from pyfn.datastream.functions import AsyncRetryPredicate, AsyncRetryStrategy

__all__ = ["RetryPredicate", "NoRetryStrategy", "FixedDelayRetryStrategy", "ExponentialBackoffDelayRetryStrategy",
           "NO_RETRY_STRATEGY"]


class RetryPredicate(AsyncRetryPredicate):
    """The two predicates as given (None: never)."""

    def __init__(self, result_predicate: Optional[Callable[[List], bool]],
                 exception_predicate: Optional[Callable[[Exception], bool]]):
        self._result_predicate = result_predicate
        self._exception_predicate = exception_predicate

    def result_predicate(self) -> Optional[Callable[[List], bool]]:
        return self._result_predicate

    def exception_predicate(self) -> Optional[Callable[[Exception], bool]]:
        return self._exception_predicate


class NoRetryStrategy(AsyncRetryStrategy):
    """One attempt."""

    def can_retry(self, current_attempts: int) -> bool:
        return False

    def get_backoff_time_millis(self, current_attempts: int) -> int:
        return -1

    def get_retry_predicate(self) -> AsyncRetryPredicate:
        return RetryPredicate(None, None)


def _positive(name: str, value) -> None:
    if not value > 0:
        raise ValueError("%s should be greater than zero." % name)


class FixedDelayRetryStrategy(AsyncRetryStrategy):
    """Up to `max_attempts` retries, `backoff_time_millis` apart."""

    def __init__(self, max_attempts: int, backoff_time_millis: int, result_predicate, exception_predicate):
        _positive("max_attempts", max_attempts)
        _positive("backoff_time_millis", backoff_time_millis)
        self._max_attempts = max_attempts
        self._backoff_time_millis = backoff_time_millis
        self._predicate = RetryPredicate(result_predicate, exception_predicate)

    def can_retry(self, current_attempts: int) -> bool:
        return current_attempts <= self._max_attempts

    def get_backoff_time_millis(self, current_attempts: int) -> int:
        return self._backoff_time_millis

    def get_retry_predicate(self) -> AsyncRetryPredicate:
        return self._predicate


class ExponentialBackoffDelayRetryStrategy(AsyncRetryStrategy):
    """Up to `max_attempts` retries; the delay after attempt n is `initial_delay * multiplier ** (n - 1)` ms, at most
    `max_retry_delay` (computed per attempt, so records retrying at once do not change each other's delays)."""

    def __init__(self, max_attempts: int, initial_delay: int, max_retry_delay: int, multiplier: float,
                 result_predicate, exception_predicate):
        for name, value in (("max_attempts", max_attempts), ("initial_delay", initial_delay),
                            ("max_retry_delay", max_retry_delay), ("multiplier", multiplier)):
            _positive(name, value)
        self._max_attempts = max_attempts
        self._initial_delay = initial_delay
        self._max_retry_delay = max_retry_delay
        self._multiplier = multiplier
        self._predicate = RetryPredicate(result_predicate, exception_predicate)

    def can_retry(self, current_attempts: int) -> bool:
        return current_attempts <= self._max_attempts

    def get_backoff_time_millis(self, current_attempts: int) -> int:
        delay = self._initial_delay
        for _ in range(1, current_attempts):
            delay = int(min(delay * self._multiplier, self._max_retry_delay))
        return delay

    def get_retry_predicate(self) -> AsyncRetryPredicate:
        return self._predicate


#: The strategy of `unordered_wait` / `ordered_wait`.
NO_RETRY_STRATEGY: AsyncRetryStrategy = NoRetryStrategy()
