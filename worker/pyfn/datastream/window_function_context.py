"""The Context a ProcessWindowFunction (or ProcessAllWindowFunction) gets: the window, the time, the watermark, and
its state — `window_state()` (of the current key and the firing window, as PyFlink's; the function clears it in
`clear(context)`) and `global_state()` (of the current key, across its windows).

Per-window state lives in one keyed MapState of the window operator, {(state name, window): value}, kept by the
runner like the windows' contents (trigger_state's views over it, as a trigger's partitioned state)."""

from __future__ import annotations

import time

from pyfn.datastream.functions import KeyedStateStore, ProcessWindowFunction
from pyfn.datastream.state import MapStateDescriptor
from pyfn.datastream.trigger_state import window_state

__all__ = ["WindowFunctionStores", "WindowContext"]

_PER_WINDOW = "__pyfn_window_function_state"
#: What errors call these states (trigger_state.window_state).
_NAMES = ("window_state().get_*_state()", "window state", "a window function's per-window state")


class _PerWindowStateStore(KeyedStateStore):
    """The states of the current key and one window."""

    def __init__(self, store, window):
        self._store = store
        self._window = window

    def _get(self, state_descriptor):
        return window_state(self._store, state_descriptor, self._window, _NAMES)

    def get_state(self, state_descriptor):
        return self._get(state_descriptor)

    def get_list_state(self, state_descriptor):
        return self._get(state_descriptor)

    def get_map_state(self, state_descriptor):
        return self._get(state_descriptor)

    def get_reducing_state(self, state_descriptor):
        return self._get(state_descriptor)

    def get_aggregating_state(self, state_descriptor):
        return self._get(state_descriptor)


class _GlobalStateStore(KeyedStateStore):
    """The states of the current key: the window operator's keyed state (its RuntimeContext's)."""

    def __init__(self, runtime_context):
        self._context = runtime_context

    def get_state(self, state_descriptor):
        return self._context.get_state(state_descriptor)

    def get_list_state(self, state_descriptor):
        return self._context.get_list_state(state_descriptor)

    def get_map_state(self, state_descriptor):
        return self._context.get_map_state(state_descriptor)

    def get_reducing_state(self, state_descriptor):
        return self._context.get_reducing_state(state_descriptor)

    def get_aggregating_state(self, state_descriptor):
        return self._context.get_aggregating_state(state_descriptor)


class WindowFunctionStores:
    """The window operator's state a window function's Context reaches (set when the operator opens)."""

    def __init__(self):
        self.per_window = None
        self.global_store = None

    def open(self, runtime_context) -> None:
        """Takes the operator's keyed state."""
        self.per_window = runtime_context.get_map_state(MapStateDescriptor(_PER_WINDOW))
        self.global_store = _GlobalStateStore(runtime_context)


class WindowContext(ProcessWindowFunction.Context):
    """The Context of one firing (or cleared) window."""

    def __init__(self, window, watermark: int, stores: WindowFunctionStores):
        self._window = window
        self._watermark = watermark
        self._stores = stores

    def window(self):
        return self._window

    def current_processing_time(self) -> int:
        return int(time.time() * 1000)

    def current_watermark(self) -> int:
        return self._watermark

    def window_state(self) -> KeyedStateStore:
        return _PerWindowStateStore(self._stores.per_window, self._window)

    def global_state(self) -> KeyedStateStore:
        return self._stores.global_store
