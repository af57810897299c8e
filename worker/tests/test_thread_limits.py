"""The worker's entry points limit numpy's BLAS (and OpenMP, MKL) to one thread before numpy loads, unless the
user said otherwise, and what a driver program imports does not: checked in fresh interpreters, where numpy's
thread count is what its library started with."""

import json
import os
import subprocess
import sys

PROBE = """
import json, os, sys
import importlib
importlib.import_module(sys.argv[1])  # the entry point (a worker's defers numpy: see numpy_deferral)
import numpy  # as a user's function or a Pandas operation would, later
print(json.dumps({name: os.environ.get(name) for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                           "MKL_NUM_THREADS")}))
print(len(os.listdir("/proc/self/task")))
"""


def probe(module="pyfn.worker.embedded", **environment):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.update(environment)
    lines = subprocess.run([sys.executable, "-c", PROBE, module], env=env, check=True, capture_output=True,
                           text=True).stdout.splitlines()
    return json.loads(lines[0]), int(lines[1])


def test_numeric_libraries_get_one_thread():
    settings, threads = probe()
    assert settings == {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if os.cpu_count() > 1:
        _, user_threads = probe(OPENBLAS_NUM_THREADS=str(os.cpu_count()))
        assert threads < user_threads  # OpenBLAS started no server threads of its own


def test_a_setting_of_the_user_wins():
    settings, _ = probe(OPENBLAS_NUM_THREADS="4", OMP_NUM_THREADS="3")
    assert settings == {"OPENBLAS_NUM_THREADS": "4", "OMP_NUM_THREADS": "3", "MKL_NUM_THREADS": "1"}


def test_a_driver_program_keeps_its_environment():
    settings, _ = probe("pyfn.worker.datastream.records")  # what pyfn.datastream imports to build a job
    assert settings == {"OPENBLAS_NUM_THREADS": None, "OMP_NUM_THREADS": None, "MKL_NUM_THREADS": None}


def test_the_process_worker_entry_point_sets_them():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    script = ("import os, runpy, sys\n"
              "sys.argv = ['pyfn.worker', '--help']\n"
              "try:\n"
              "    runpy.run_module('pyfn.worker', run_name='__main__')\n"
              "except SystemExit:\n"
              "    pass\n"
              "print(os.environ.get('OPENBLAS_NUM_THREADS'))\n")
    output = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True,
                            text=True).stdout.splitlines()
    assert output[-1] == "1"
