"""Where in the user's program a statement was made: the first stack frame outside the pyfn package."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Optional

__all__ = ["Location", "caller_location"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


@dataclass(frozen=True)
class Location:
    """A file and 1-based line of the program."""

    file: str
    line: int

    def to_json(self) -> dict:
        """`{"file": …, "line": …}` as the request carries it."""
        return {"file": self.file, "line": self.line}

    def __str__(self) -> str:
        return "%s:%d" % (self.file, self.line)


def caller_location() -> Optional[Location]:
    """The program's file and line that called into pyfn (None when only pyfn frames are on the stack)."""
    frame = sys._getframe(1)
    while frame is not None:
        path = frame.f_code.co_filename
        absolute = os.path.abspath(path) if not path.startswith("<") else path
        if not absolute.startswith(_PACKAGE_DIR) and not path.startswith("<frozen"):
            return Location(absolute, frame.f_lineno)
        frame = frame.f_back
    return None
