"""Shared by the security tests: a test CA and certificates (scripts/make-test-certs.sh), a worker pool process,
and a function that leaves a marker file when it runs (what an attacker's payload would do)."""

import os
import subprocess
import sys
import time
from typing import Dict, List, Optional

from pyfn import DataTypes, udf
from pyfn.worker.transport import TLSFiles

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTS = os.path.dirname(os.path.abspath(__file__))


def make_certs(folder: str, *names: str) -> Dict[str, TLSFiles]:
    """Certificates for 127.0.0.1 named `names`, signed by `folder`/ca.pem: {name: TLSFiles(ca, cert, key)}."""
    made = {}
    for name in names:
        subprocess.run([os.path.join(ROOT, "scripts", "make-test-certs.sh"), folder, name], check=True,
                       stdout=subprocess.DEVNULL)
        made[name] = TLSFiles(ca=os.path.join(folder, "ca.pem"), cert=os.path.join(folder, name + ".pem"),
                              key=os.path.join(folder, name + ".key"))
    return made


class PoolProcess:
    """`python -m pyfn.worker pool` with `arguments`, the token `token` in its environment; `address` once up."""

    def __init__(self, arguments: List[str], token: Optional[str] = "pool-token-for-tests",
                 env: Optional[Dict[str, str]] = None):
        environment = dict(os.environ)
        environment.pop("PYFN_POOL_TOKEN", None)
        if token is not None:
            environment["PYFN_POOL_TOKEN"] = token
        environment["PYTHONPATH"] = os.pathsep.join([TESTS] + [p for p in [environment.get("PYTHONPATH")] if p])
        environment.update(env or {})
        self.token = token
        self.process = subprocess.Popen([sys.executable, "-m", "pyfn.worker", "pool", "--port", "0"] + arguments,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
        line = self.process.stdout.readline().decode()
        self.address = line.split()[-1] if "listening" in line else None

    def stderr(self) -> str:
        """What the pool wrote to stderr (once it has exited)."""
        return self.process.stderr.read().decode(errors="replace")

    def stop(self) -> None:
        """Stops the pool (and so its harnesses)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def marker_function(path: str):
    """A UDF that writes `path` when it runs: the stand-in for an attacker's code."""

    def leave_marker(x):
        with open(path, "w") as file:
            file.write("ran as uid %d" % os.getuid())
        return x

    return udf(leave_marker, result_type=DataTypes.BIGINT())


def wait_for(condition, timeout: float) -> bool:
    """Polls `condition` until it holds or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
