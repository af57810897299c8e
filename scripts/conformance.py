#!/usr/bin/env python3
"""The PyFlink conformance table: runs the translated PyFlink cases (conformance/cases.py) on PyFn in process
and thread mode and, when a PyFlink 2.3 venv is there, on PyFlink too, then prints one table.

    scripts/conformance.py                 # PyFn both modes, plus PyFlink when found
    scripts/conformance.py --pyfn-only     # what CI runs
    scripts/conformance.py --case list_view --case map_view

PyFn runs with the repository's .venv python and the newest built runner (.build/release or .build/debug, unless
PYFN_RUNNER is set). PyFlink's python: --pyflink-python, else $PYFN_PYFLINK_PYTHON, else .venv-pyflink/bin/python
at the repository root (scripts/pyflink-venv.sh makes it). Exit status 1 when a PyFn case fails (PyFlink's column
checks the expectations themselves and does not change the status)."""

import argparse
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_CASES = os.path.join(REPO, "conformance", "run_cases.py")


def pyflink_python(given):
    """The PyFlink venv's python, or None when there is none."""
    for candidate in [given, os.environ.get("PYFN_PYFLINK_PYTHON"), os.path.join(REPO, ".venv-pyflink", "bin", "python")]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def pyfn_environment():
    """The environment PyFn's half runs in: PYFN_RUNNER set to the newest built runner unless it is set."""
    env = dict(os.environ)
    if not env.get("PYFN_RUNNER"):
        built = [os.path.join(REPO, ".build", kind, "pyfn") for kind in ("release", "debug")]
        built = [path for path in built if os.access(path, os.X_OK)]
        if built:
            env["PYFN_RUNNER"] = max(built, key=os.path.getmtime)
    return env


def run(python, mode, names, env, timeout):
    """{case: (status, detail)} of one engine and mode (a crash of the run fails the cases it did not report)."""
    try:
        finished = subprocess.run([python, RUN_CASES, mode] + names, capture_output=True, text=True, env=env,
                                  timeout=timeout, cwd=REPO)
        output, problem = finished.stdout, finished.stderr.strip().splitlines()[-1:] or ["exit %d" % finished.returncode]
    except subprocess.TimeoutExpired as error:
        output, problem = (error.stdout or b"").decode() if isinstance(error.stdout, bytes) else (error.stdout or ""), ["timed out after %ds" % timeout]
    results = {}
    for line in output.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            results[record["case"]] = (record["status"], record["detail"])
    return {name: results.get(name, ("fail", "not reported: %s" % problem[0][:200])) for name in names}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyfn-only", action="store_true", help="skip PyFlink even when its venv is there")
    parser.add_argument("--pyflink-python", help="the python of a venv with apache-flink 2.3")
    parser.add_argument("--case", action="append", default=[], help="run only this case (repeatable)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per engine and mode")
    parser.add_argument("--verbose", action="store_true", help="print the detail of every cell")
    args = parser.parse_args()

    names = args.case or subprocess.run(
        [os.path.join(REPO, ".venv", "bin", "python"), "-c",
         "import sys; sys.path.insert(0, 'conformance'); import cases; print('\\n'.join(cases.CASES))"],
        capture_output=True, text=True, cwd=REPO, check=True).stdout.split()
    columns = []
    pyfn_env = pyfn_environment()
    pyfn_python = os.path.join(REPO, ".venv", "bin", "python")
    for mode in ("process", "thread"):
        columns.append(("pyfn %s" % mode, run(pyfn_python, mode, names, pyfn_env, args.timeout)))
    flink = None if args.pyfn_only else pyflink_python(args.pyflink_python)
    if flink:
        columns.append(("pyflink 2.3 process", run(flink, "process", names, dict(os.environ), args.timeout)))

    width = max(len(n) for n in names + ["case"])
    header = "%-*s" % (width, "case") + "".join("  %-20s" % title for title, _ in columns)
    print(header)
    print("-" * len(header))
    for name in names:
        print("%-*s" % (width, name) + "".join("  %-20s" % cells[name][0] for _, cells in columns))
    failures = [(title, name, cells[name][1]) for title, cells in columns for name in names if cells[name][0] != "pass"]
    shown = failures if not args.verbose else [(t, n, c[n][1]) for t, c in columns for n in names]
    if shown:
        print()
        for title, name, detail in shown:
            print("%s / %s: %s" % (title, name, detail))
    if not flink and not args.pyfn_only:
        print("\n(PyFlink column skipped: no PyFlink 2.3 venv; run scripts/pyflink-venv.sh or set PYFN_PYFLINK_PYTHON)")
    totals = ", ".join("%s %d/%d" % (title, sum(cells[n][0] == "pass" for n in names), len(names)) for title, cells in columns)
    print("\npassed: %s" % totals)
    return 1 if any(title.startswith("pyfn") for title, _, _ in failures) else 0


if __name__ == "__main__":
    sys.exit(main())
