"""Python dependencies as PyFlink declares them, made ready before a job starts: `python.requirements`
(installed once per requirements content into a cached folder the workers import from; `--no-index
--find-links CACHE` when a cache folder is given, so no network at run time) and `python.archives` (extracted;
`python.executable` may point into one, as in PyFlink). What the runner gets is plain `python.files` and
`python.executable`.

    python -m pyfn.table.dependencies requirements.txt [CACHE_DIR]

prints the folder the requirements are installed in (for jobs run from SQL files).
"""

from __future__ import annotations

import os
import sys
from typing import Dict, Optional

from pyfn.util.exceptions import TableException

__all__ = ["runner_settings", "install_requirements"]


def _cache_root() -> str:
    base = os.environ.get("PYFN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "pyfn")
    return os.path.join(base, "requirements")


def install_requirements(requirements_file: str, cache_dir: Optional[str], python: str) -> str:
    """The folder holding `requirements_file`'s packages for `python`, installed there once (keyed by the file's
    content, the cache folder and the interpreter); raises TableException with pip's output when pip fails."""
    import hashlib
    import shutil
    import subprocess
    import tempfile

    with open(requirements_file, "rb") as handle:
        content = handle.read()
    key = hashlib.sha256(b"\0".join([content, (cache_dir or "").encode(), os.path.realpath(python).encode()]))
    target = os.path.join(_cache_root(), key.hexdigest()[:24])
    if os.path.isfile(os.path.join(target, ".pyfn-complete")):
        return target
    os.makedirs(_cache_root(), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".staging-", dir=_cache_root())
    command = [python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--target", staging,
               "-r", requirements_file]
    if cache_dir:
        command += ["--no-index", "--find-links", cache_dir]
    finished = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if finished.returncode != 0:
        shutil.rmtree(staging, True)
        raise TableException("installing the Python requirements %s failed (%s):\n%s"
                             % (requirements_file, " ".join(command), finished.stdout.strip()))
    open(os.path.join(staging, ".pyfn-complete"), "w").close()
    try:
        os.rename(staging, target)
    except OSError:  # another program installed the same requirements meanwhile
        shutil.rmtree(staging, True)
    return target


def _extract_archives(value: str, folder: str) -> Dict[str, str]:
    """{target name: extracted folder} for `path[#target],…`."""
    import shutil

    extracted = {}
    for entry in filter(None, (e.strip() for e in value.split(","))):
        path, _, target = entry.partition("#")
        target = target or os.path.basename(path)
        destination = os.path.join(folder, target)
        if not os.path.isdir(destination):
            try:
                shutil.unpack_archive(path, destination)
            except (OSError, ValueError, shutil.ReadError) as error:
                raise TableException("cannot extract the Python archive %s: %s" % (path, error)) from None
        extracted[target] = destination
    return extracted


_archive_folders: Dict[str, str] = {}


def runner_settings(settings: Dict[str, str]) -> Dict[str, str]:
    """The settings the runner gets: requirements installed and archives extracted, as python.files entries
    and an absolute python.executable."""
    out = dict(settings)
    python = out.get("python.executable") or sys.executable
    archives = out.pop("python.archives", None)
    if archives:
        import tempfile

        if archives not in _archive_folders:
            _archive_folders[archives] = tempfile.mkdtemp(prefix="pyfn-archives-")
        extracted = _extract_archives(archives, _archive_folders[archives])
        first = python.split("/", 1)[0]
        if not os.path.isabs(python) and first in extracted:
            python = os.path.join(extracted[first], python.split("/", 1)[1] if "/" in python else "")
            out["python.executable"] = python
        files = [f for f in (out.get("python.files") or "").split(",") if f] + list(extracted.values())
        out["python.files"] = ",".join(files)
    requirements = out.pop("python.requirements", None)
    if requirements:
        file, _, cache = requirements.partition("#")
        installed = install_requirements(file, cache or None, python)
        files = [f for f in (out.get("python.files") or "").split(",") if f] + [installed]
        out["python.files"] = ",".join(files)
    return out


def main(argv=None) -> int:
    """CLI: install a requirements file and print the folder to put on the workers' path."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or len(args) > 2:
        print("usage: python -m pyfn.table.dependencies requirements.txt [CACHE_DIR]", file=sys.stderr)
        return 2
    try:
        print(install_requirements(args[0], args[1] if len(args) > 1 else None, sys.executable))
    except (TableException, OSError) as error:
        print("pyfn: %s" % error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
