"""`StatementSet`: inserts collected and run as one job (`add_insert_sql`, `add_insert`, `execute()`)."""

from __future__ import annotations

from pyfn.client import caller_location

__all__ = ["StatementSet"]


class StatementSet:
    """Inserts that run together as one job when `execute()` is called."""

    def __init__(self, table_environment):
        self._env = table_environment
        self._inserts = []

    def add_insert_sql(self, stmt: str) -> "StatementSet":
        """Adds an `INSERT INTO … SELECT …` statement."""
        self._inserts.append((None, self._env._expand_views(stmt.strip().rstrip(";")), caller_location()))
        return self

    def add_insert(self, target_path: str, table, overwrite: bool = False) -> "StatementSet":
        """Adds an insert of `table`'s rows into the table `target_path`."""
        location = caller_location()
        table._check_open("add_insert", location)
        self._inserts.append((target_path, table, location))
        return self

    def explain(self, *extra_details) -> str:
        """The runner's plan for the inserts."""
        statements = [self._env._insert_statement(t, s, l).sql for t, s, l in self._inserts]
        return "\n".join(self._env._explain(s, caller_location()) for s in statements)

    def execute(self):
        """Runs the inserts as one job; returns its TableResult (`wait()` waits for it)."""
        inserts, self._inserts = self._inserts, []
        return self._env._execute_inserts(inserts, "statement-set")
