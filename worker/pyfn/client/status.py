"""The runner's last stderr line, `PYFN-STATUS {json}`, and the Python exception a failed status becomes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from pyfn.util.exceptions import (JavaException, JobExecutionException, ParseException, TableException,
                                  ValidationException)

__all__ = ["STATUS_PREFIX", "JobStatus", "parse_status_line"]

STATUS_PREFIX = "PYFN-STATUS "

_EXCEPTIONS = {"validation": ValidationException, "execution": JobExecutionException, "parse": ParseException}


@dataclass
class JobStatus:
    """How a submitted job ended: its figures when it succeeded, the error's kind, message and place otherwise."""

    ok: bool
    seconds: float = 0.0
    rows_in: int = 0
    rows_out: int = 0
    rows_skipped: int = 0
    kind: Optional[str] = None
    message: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None

    def exception(self) -> Optional[JavaException]:
        """The exception for a failed status (ValidationException, JobExecutionException, …), else None."""
        if self.ok:
            return None
        cls = _EXCEPTIONS.get(self.kind or "", TableException)
        return cls(self.message or "the job failed (the runner gave no message)", self.file, self.line)


def parse_status_line(line: str) -> Optional[JobStatus]:
    """The status of a `PYFN-STATUS {…}` line, or None when the line is something else."""
    if not line.startswith(STATUS_PREFIX):
        return None
    try:
        document = json.loads(line[len(STATUS_PREFIX):])
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    line_number = document.get("line")
    return JobStatus(
        ok=bool(document.get("ok")),
        seconds=float(document.get("seconds") or 0.0),
        rows_in=int(document.get("rows_in") or 0),
        rows_out=int(document.get("rows_out") or 0),
        rows_skipped=int(document.get("rows_skipped") or 0),
        kind=document.get("kind"),
        message=document.get("message"),
        file=document.get("file"),
        line=int(line_number) if line_number is not None else None,
    )
