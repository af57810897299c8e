"""Runs the conformance cases (cases.py) on the engine this interpreter has — PyFlink when installed, else PyFn —
in one `python.execution-mode`, printing one JSON line per case: {"case", "engine", "mode", "status" ("pass" /
"fail"), "detail"}. Usage: python run_cases.py MODE [CASE ...]"""

import json
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases  # noqa: E402
import pyflink_imports  # noqa: E402
from pyflink.table import EnvironmentSettings, TableEnvironment  # noqa: E402


def normalized(rows):
    """Rows compared regardless of order."""
    return sorted((tuple(row) for row in rows), key=repr)


def first_reason(text):
    """The line of an error's text that says what is wrong: for a Java exception (PyFlink) the innermost
    `...Exception: message` line, else the first line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    causes = [line for line in lines if ("Exception: " in line or "Error: " in line) and not line.startswith("at ")]
    return (causes[-1] if len(causes) > 1 else lines[0] if lines else "")[:400]


def outcome(name, mode):
    """("pass" | "fail", detail) of one case."""
    settings = EnvironmentSettings.in_streaming_mode() if name in cases.STREAMING else EnvironmentSettings.in_batch_mode()
    t_env = TableEnvironment.create(settings)
    config = t_env.get_config()
    config.set("python.execution-mode", mode)
    config.set("python.executable", sys.executable)
    config.set("parallelism.default", "1")
    t_env.add_python_file(HERE)
    expected = cases.EXPECTED[name]
    try:
        rows = cases.CASES[name](t_env)
    except Exception as error:  # noqa: BLE001 - a failure is a result
        text = "%s: %s" % (type(error).__name__, error)
        if isinstance(expected, cases.Raises) and expected.text in text:
            return "pass", "raised as expected"
        return "fail", first_reason(text) or traceback.format_exc()[-300:]
    if isinstance(expected, cases.Raises):
        return "fail", "expected an error containing %r, got rows %r" % (expected.text, rows)
    if normalized(rows) == normalized(expected):
        return "pass", "%d rows" % len(rows)
    return "fail", "rows %r, expected %r" % (normalized(rows), normalized(expected))


def main(argv):
    mode = argv[0]
    names = argv[1:] or list(cases.CASES)
    engine = pyflink_imports.engine()
    for name in names:
        started = time.monotonic()
        status, detail = outcome(name, mode)
        print(json.dumps({"case": name, "engine": engine, "mode": mode, "status": status, "detail": detail,
                          "seconds": round(time.monotonic() - started, 1)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
