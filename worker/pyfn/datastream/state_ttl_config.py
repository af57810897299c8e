"""PyFlink's `StateTtlConfig`: how long keyed state lives (`descriptor.enable_time_to_live(config)`).

As in PyFlink 2.3: `StateTtlConfig.new_builder(Time.seconds(1))` (a `Duration` works too), then the update type
(`update_ttl_on_create_and_write()`, the default, or `update_ttl_on_read_and_write()`), the visibility
(`never_return_expired()`, the default, or `return_expired_if_not_cleaned_up()`), the time characteristic (only
processing time exists) and cleanup strategies. The worker applies it (pyfn/worker/datastream/ttl_state.py).

The state lives in the runner, not in a RocksDB or heap backend of the worker: an expired value is dropped when its
key's state is next read or written, so the cleanup strategies (`cleanup_full_snapshot`, `cleanup_incrementally`,
`cleanup_in_rocksdb_compact_filter`, `disable_cleanup_in_background`) are accepted and kept, and change nothing
a program can see: an expired value is never returned under `NeverReturnExpired`, and under
`ReturnExpiredIfNotCleanedUp` it is returned by the first read that finds it expired, which drops it.
"""

from __future__ import annotations

from enum import Enum
from typing import Dict

__all__ = ["StateTtlConfig"]


def _ttl_millis(ttl) -> int:
    """The milliseconds of `ttl` (a Time or a Duration), refused unless positive."""
    to_milliseconds = getattr(ttl, "to_milliseconds", None)
    if to_milliseconds is None:
        raise TypeError("StateTtlConfig needs its time-to-live as a Time or a Duration (Time.seconds(1)), got %r"
                        % (ttl,))
    millis = to_milliseconds()
    if not isinstance(millis, int) or millis <= 0:
        raise ValueError("StateTtlConfig's time-to-live must be positive, got %r ms" % (millis,))
    return millis


class StateTtlConfig:
    """The time-to-live of a keyed state: its length, when it is renewed, whether an expired value may be read."""

    class UpdateType(Enum):
        """When a value's time-to-live starts again."""

        #: No time-to-live: the state never expires.
        Disabled = 0
        #: On creation and every write (the default).
        OnCreateAndWrite = 1
        #: On creation, every write and every read.
        OnReadAndWrite = 2

    class StateVisibility(Enum):
        """Whether a read may return an expired value."""

        #: A read returns an expired value that was not cleaned up yet (and drops it).
        ReturnExpiredIfNotCleanedUp = 0
        #: A read never returns an expired value (the default).
        NeverReturnExpired = 1

    class TtlTimeCharacteristic(Enum):
        """The time the time-to-live is measured in."""

        #: The worker's wall clock, in milliseconds.
        ProcessingTime = 0

    def __init__(self, update_type: "StateTtlConfig.UpdateType", state_visibility: "StateTtlConfig.StateVisibility",
                 ttl_time_characteristic: "StateTtlConfig.TtlTimeCharacteristic", ttl,
                 cleanup_strategies: "StateTtlConfig.CleanupStrategies"):
        _ttl_millis(ttl)
        for value, kind in ((update_type, StateTtlConfig.UpdateType),
                            (state_visibility, StateTtlConfig.StateVisibility),
                            (ttl_time_characteristic, StateTtlConfig.TtlTimeCharacteristic)):
            if not isinstance(value, kind):
                raise TypeError("StateTtlConfig needs a StateTtlConfig.%s, got %r" % (kind.__name__, value))
        self._update_type = update_type
        self._state_visibility = state_visibility
        self._ttl_time_characteristic = ttl_time_characteristic
        self._ttl = ttl
        self._cleanup_strategies = cleanup_strategies

    @staticmethod
    def new_builder(ttl) -> "StateTtlConfig.Builder":
        """A builder for a config whose time-to-live is `ttl` (a Time or a Duration)."""
        return StateTtlConfig.Builder(ttl)

    def get_update_type(self) -> "StateTtlConfig.UpdateType":
        """When a value's time-to-live starts again."""
        return self._update_type

    def get_state_visibility(self) -> "StateTtlConfig.StateVisibility":
        """Whether a read may return an expired value."""
        return self._state_visibility

    def get_ttl(self):
        """The time-to-live, as given."""
        return self._ttl

    def get_ttl_millis(self) -> int:
        """The time-to-live in milliseconds."""
        return _ttl_millis(self._ttl)

    def get_ttl_time_characteristic(self) -> "StateTtlConfig.TtlTimeCharacteristic":
        """The time the time-to-live is measured in."""
        return self._ttl_time_characteristic

    def is_enabled(self) -> bool:
        """Whether values expire at all (False with UpdateType.Disabled)."""
        return self._update_type is not StateTtlConfig.UpdateType.Disabled

    def get_cleanup_strategies(self) -> "StateTtlConfig.CleanupStrategies":
        """The cleanup strategies (kept; with the state in the runner, expired values are dropped on access)."""
        return self._cleanup_strategies

    def __repr__(self) -> str:
        return ("StateTtlConfig<update_type=%s, state_visibility=%s, ttl_time_characteristic=%s, ttl=%s ms>"
                % (self._update_type.name, self._state_visibility.name, self._ttl_time_characteristic.name,
                   self.get_ttl_millis()))

    class Builder:
        """Builds a StateTtlConfig: OnCreateAndWrite, NeverReturnExpired, processing time unless told otherwise."""

        def __init__(self, ttl):
            self._ttl = ttl
            self._update_type = StateTtlConfig.UpdateType.OnCreateAndWrite
            self._state_visibility = StateTtlConfig.StateVisibility.NeverReturnExpired
            self._ttl_time_characteristic = StateTtlConfig.TtlTimeCharacteristic.ProcessingTime
            self._is_cleanup_in_background = True
            self._strategies: Dict = {}

        def set_update_type(self, update_type: "StateTtlConfig.UpdateType") -> "StateTtlConfig.Builder":
            """Sets when a value's time-to-live starts again."""
            self._update_type = update_type
            return self

        def update_ttl_on_create_and_write(self) -> "StateTtlConfig.Builder":
            """Renews the time-to-live on creation and every write."""
            return self.set_update_type(StateTtlConfig.UpdateType.OnCreateAndWrite)

        def update_ttl_on_read_and_write(self) -> "StateTtlConfig.Builder":
            """Renews the time-to-live on creation, every write and every read."""
            return self.set_update_type(StateTtlConfig.UpdateType.OnReadAndWrite)

        def set_state_visibility(self, state_visibility: "StateTtlConfig.StateVisibility") \
                -> "StateTtlConfig.Builder":
            """Sets whether a read may return an expired value."""
            self._state_visibility = state_visibility
            return self

        def return_expired_if_not_cleaned_up(self) -> "StateTtlConfig.Builder":
            """A read returns an expired value not yet cleaned up (the read drops it)."""
            return self.set_state_visibility(StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp)

        def never_return_expired(self) -> "StateTtlConfig.Builder":
            """A read never returns an expired value."""
            return self.set_state_visibility(StateTtlConfig.StateVisibility.NeverReturnExpired)

        def set_ttl_time_characteristic(self, ttl_time_characteristic: "StateTtlConfig.TtlTimeCharacteristic") \
                -> "StateTtlConfig.Builder":
            """Sets the time the time-to-live is measured in (only processing time exists)."""
            self._ttl_time_characteristic = ttl_time_characteristic
            return self

        def use_processing_time(self) -> "StateTtlConfig.Builder":
            """Measures the time-to-live in processing time (the default)."""
            return self.set_ttl_time_characteristic(StateTtlConfig.TtlTimeCharacteristic.ProcessingTime)

        def cleanup_full_snapshot(self) -> "StateTtlConfig.Builder":
            """Accepted: PyFlink drops expired state in full snapshots; PyFn's runner state drops it on access."""
            self._strategies[StateTtlConfig.CleanupStrategies.Strategies.FULL_STATE_SCAN_SNAPSHOT] = \
                StateTtlConfig.CleanupStrategies.EMPTY_STRATEGY
            return self

        def cleanup_incrementally(self, cleanup_size: int, run_cleanup_for_every_record) -> "StateTtlConfig.Builder":
            """Accepted (`cleanup_size` must be positive, as in Flink); PyFn drops expired state on access."""
            self._strategies[StateTtlConfig.CleanupStrategies.Strategies.INCREMENTAL_CLEANUP] = \
                StateTtlConfig.CleanupStrategies.IncrementalCleanupStrategy(cleanup_size, run_cleanup_for_every_record)
            return self

        def cleanup_in_rocksdb_compact_filter(self, query_time_after_num_entries, periodic_compaction_time=None) \
                -> "StateTtlConfig.Builder":
            """Accepted: there is no RocksDB; PyFn drops expired state on access."""
            self._strategies[StateTtlConfig.CleanupStrategies.Strategies.ROCKSDB_COMPACTION_FILTER] = \
                StateTtlConfig.CleanupStrategies.RocksdbCompactFilterCleanupStrategy(query_time_after_num_entries,
                                                                                     periodic_compaction_time)
            return self

        def disable_cleanup_in_background(self) -> "StateTtlConfig.Builder":
            """Accepted: PyFn has no background cleanup; it drops expired state on access."""
            self._is_cleanup_in_background = False
            return self

        def set_ttl(self, ttl) -> "StateTtlConfig.Builder":
            """Sets the time-to-live (a Time or a Duration)."""
            self._ttl = ttl
            return self

        def build(self) -> "StateTtlConfig":
            """The config; a time-to-live that is not a positive Time or Duration is refused here."""
            return StateTtlConfig(self._update_type, self._state_visibility, self._ttl_time_characteristic,
                                  self._ttl,
                                  StateTtlConfig.CleanupStrategies(self._strategies, self._is_cleanup_in_background))

    class CleanupStrategies:
        """The cleanup strategies a config names (kept for PyFlink compatibility; see the module's comment)."""

        class Strategies(Enum):
            """The strategies, numbered as in PyFlink."""

            FULL_STATE_SCAN_SNAPSHOT = 0
            INCREMENTAL_CLEANUP = 1
            ROCKSDB_COMPACTION_FILTER = 2

        class CleanupStrategy:
            """A cleanup strategy's settings."""

        class EmptyCleanupStrategy(CleanupStrategy):
            """A strategy without settings."""

        class IncrementalCleanupStrategy(CleanupStrategy):
            """Incremental cleanup: how many entries per state access, and whether on every record too."""

            def __init__(self, cleanup_size: int, run_cleanup_for_every_record: bool):
                if not isinstance(cleanup_size, int) or cleanup_size <= 0:
                    raise ValueError("cleanup_incrementally needs a positive number of entries to clean up per "
                                     "state access, got %r" % (cleanup_size,))
                self._cleanup_size = cleanup_size
                self._run_cleanup_for_every_record = bool(run_cleanup_for_every_record)

            def get_cleanup_size(self) -> int:
                """Entries cleaned up per state access."""
                return self._cleanup_size

            def run_cleanup_for_every_record(self) -> bool:
                """Whether cleanup also runs for every record."""
                return self._run_cleanup_for_every_record

        class RocksdbCompactFilterCleanupStrategy(CleanupStrategy):
            """Cleanup in RocksDB's compaction filter: entries between time queries, periodic compaction time."""

            def __init__(self, query_time_after_num_entries: int, periodic_compaction_time=None):
                from pyfn.common.time import Duration

                self._query_time_after_num_entries = query_time_after_num_entries
                self._periodic_compaction_time = periodic_compaction_time or Duration.of_days(30)

            def get_query_time_after_num_entries(self) -> int:
                """Entries the compaction filter processes between time queries."""
                return self._query_time_after_num_entries

            def get_periodic_compaction_time(self):
                """The periodic compaction time (a Duration)."""
                return self._periodic_compaction_time

        EMPTY_STRATEGY = EmptyCleanupStrategy()

        def __init__(self, strategies: Dict, is_cleanup_in_background: bool):
            self._strategies = dict(strategies)
            self._is_cleanup_in_background = is_cleanup_in_background

        def is_cleanup_in_background(self) -> bool:
            """Whether the default background cleanup is on."""
            return self._is_cleanup_in_background

        def in_full_snapshot(self) -> bool:
            """Whether cleanup in full snapshots was asked for."""
            return StateTtlConfig.CleanupStrategies.Strategies.FULL_STATE_SCAN_SNAPSHOT in self._strategies

        def get_incremental_cleanup_strategy(self):
            """The incremental cleanup asked for, else the default (5 entries, not per record) unless background
            cleanup is disabled (then None)."""
            default = (StateTtlConfig.CleanupStrategies.IncrementalCleanupStrategy(5, False)
                       if self._is_cleanup_in_background else None)
            return self._strategies.get(StateTtlConfig.CleanupStrategies.Strategies.INCREMENTAL_CLEANUP, default)

        def get_rocksdb_compact_filter_cleanup_strategy(self):
            """The compaction filter cleanup asked for, else the default (1000 entries) unless background cleanup
            is disabled (then None)."""
            default = (StateTtlConfig.CleanupStrategies.RocksdbCompactFilterCleanupStrategy(1000)
                       if self._is_cleanup_in_background else None)
            return self._strategies.get(StateTtlConfig.CleanupStrategies.Strategies.ROCKSDB_COMPACTION_FILTER,
                                        default)
