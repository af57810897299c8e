"""`Configuration`: PyFlink's string-keyed settings (`set_string`, `get_integer`, `set_boolean`, …).

Values are kept as the strings a job file's `SET 'key' = 'value'` would hold, so the runner reads a program's
settings exactly as it reads a job file's.
"""

from __future__ import annotations

from typing import Dict, Optional

__all__ = ["Configuration"]


def _boolean_text(value) -> str:
    if isinstance(value, str):
        if value.strip().lower() not in ("true", "false"):
            raise ValueError("not a boolean: %r (use True/False or 'true'/'false')" % value)
        return value.strip().lower()
    return "true" if value else "false"


class Configuration:
    """A map of setting keys to string values, with PyFlink's typed getters and setters."""

    def __init__(self, other: Optional["Configuration"] = None):
        self._values: Dict[str, str] = dict(other._values) if other is not None else {}

    # -- setters (each returns self, as PyFlink's do) -----------------------------------------------
    def set_string(self, key: str, value: str) -> "Configuration":
        """Sets `key` to the string `value`."""
        self._values[key] = str(value)
        return self

    def set_integer(self, key: str, value: int) -> "Configuration":
        """Sets `key` to an integer."""
        self._values[key] = str(int(value))
        return self

    def set_float(self, key: str, value: float) -> "Configuration":
        """Sets `key` to a float."""
        self._values[key] = repr(float(value))
        return self

    def set_boolean(self, key: str, value: bool) -> "Configuration":
        """Sets `key` to `true` or `false`."""
        self._values[key] = _boolean_text(value)
        return self

    def set(self, key: str, value) -> "Configuration":
        """Sets `key` to `value` written as a job file would (booleans as `true`/`false`)."""
        self._values[key] = _boolean_text(value) if isinstance(value, bool) else str(value)
        return self

    # -- getters ---------------------------------------------------------------------------------------
    def get_string(self, key: str, default_value: Optional[str] = None) -> Optional[str]:
        """The value of `key`, or `default_value`."""
        return self._values.get(key, default_value)

    def get_integer(self, key: str, default_value: int) -> int:
        """The value of `key` as an integer, or `default_value`."""
        return int(self._values[key]) if key in self._values else default_value

    def get_float(self, key: str, default_value: float) -> float:
        """The value of `key` as a float, or `default_value`."""
        return float(self._values[key]) if key in self._values else default_value

    def get_boolean(self, key: str, default_value: bool) -> bool:
        """The value of `key` as a boolean, or `default_value`."""
        return self._values[key].strip().lower() == "true" if key in self._values else default_value

    def get(self, key: str, default_value=None):
        """The value of `key` as a string, or `default_value`."""
        return self._values.get(key, default_value)

    # -- the map ---------------------------------------------------------------------------------------
    def contains_key(self, key: str) -> bool:
        """Whether `key` is set."""
        return key in self._values

    def key_set(self):
        """The keys that are set."""
        return set(self._values)

    def remove_config(self, key: str) -> bool:
        """Unsets `key`; True if it was set."""
        return self._values.pop(key, None) is not None

    def add_all(self, other: "Configuration", prefix: Optional[str] = None) -> "Configuration":
        """Copies every setting of `other` (keys prefixed with `prefix` when given)."""
        for key, value in other._values.items():
            self._values[(prefix or "") + key] = value
        return self

    def add_all_to_dict(self, target: dict) -> None:
        """Copies every setting into `target`."""
        target.update(self._values)

    def to_dict(self) -> Dict[str, str]:
        """The settings as a new dict."""
        return dict(self._values)

    def __eq__(self, other) -> bool:
        return isinstance(other, Configuration) and other._values == self._values

    def __repr__(self) -> str:
        return "Configuration(%r)" % self._values
