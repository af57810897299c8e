"""`ChangelogMode`: which row kinds a changelog stream holds (PyFlink's `pyflink.table.changelog_mode`)."""

from __future__ import annotations

from typing import FrozenSet

from pyfn.row import RowKind

__all__ = ["ChangelogMode"]


class ChangelogMode:
    """The row kinds a stream given to `from_changelog_stream` may hold: `all()` (the default), `insert_only()`
    or `upsert()` (no UPDATE_BEFORE)."""

    def __init__(self, kinds: FrozenSet[RowKind], name: str):
        self.kinds = kinds
        self._name = name

    @staticmethod
    def insert_only() -> "ChangelogMode":
        """INSERT rows only: the table is an ordinary, append-only one."""
        return ChangelogMode(frozenset([RowKind.INSERT]), "insert_only")

    @staticmethod
    def upsert() -> "ChangelogMode":
        """INSERT, UPDATE_AFTER and DELETE by a primary key."""
        return ChangelogMode(frozenset([RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.DELETE]), "upsert")

    @staticmethod
    def all() -> "ChangelogMode":
        """Every row kind."""
        return ChangelogMode(frozenset(RowKind), "all")

    def __repr__(self) -> str:
        return "ChangelogMode.%s()" % self._name
