"""The exceptions a PyFn program sees, with PyFlink's names (`pyflink.util.exceptions`).

PyFlink raises these for errors found by Flink's Java side; in PyFn the runner finds them and the client raises
them in the program. Each carries the runner's message and, when the error concerns a statement of the
program, the program's file and line that made it (also in the message, so a traceback shows it).
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "JavaException", "TableException", "ValidationException", "ParseException", "JobExecutionException",
    "CatalogException", "TableNotExistException", "TableAlreadyExistException", "FunctionNotExistException",
    "FunctionAlreadyExistException", "DatabaseNotExistException", "RunnerNotFoundException",
]


class JavaException(Exception):
    """The base of the exceptions PyFlink converts from Java; PyFn keeps the name so `except` clauses carry over.

    `message` is the error as the runner (or the client) wrote it; `file`/`line` locate the program's statement
    concerned, when known.
    """

    def __init__(self, message: str, file: Optional[str] = None, line: Optional[int] = None):
        self.message = message
        self.file = file
        self.line = line
        super().__init__(self.__str__())

    @property
    def stack_trace(self) -> str:
        """PyFlink's attribute for the Java-side text: here the message with its location."""
        return str(self)

    def __str__(self) -> str:
        if self.file and self.line:
            return "%s\n  at %s:%d" % (self.message, self.file, self.line)
        return self.message


class TableException(JavaException):
    """General exception for all errors during table handling."""


class ValidationException(JavaException):
    """A job that cannot be planned: unknown column or function, wrong argument types, bad connector options."""


class ParseException(JavaException):
    """SQL or expression text that cannot be read."""


class JobExecutionException(JavaException):
    """A job that failed while running, e.g. a user function that raised (the message has its traceback)."""


class CatalogException(JavaException):
    """A catalog-related exception."""


class TableNotExistException(JavaException):
    """Operating on a table (or view) that doesn't exist."""


class TableAlreadyExistException(JavaException):
    """Creating a table (or view) that already exists."""


class FunctionNotExistException(JavaException):
    """Operating on a function that doesn't exist."""


class FunctionAlreadyExistException(JavaException):
    """Creating a function that already exists."""


class DatabaseNotExistException(JavaException):
    """Operating on a database that doesn't exist."""


class RunnerNotFoundException(JavaException):
    """The `pyfn` runner binary could not be found (PyFn's own: PyFlink's mini-cluster is in its jar)."""
