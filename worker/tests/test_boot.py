"""Boot helpers: options, sys.path, flags."""

import os
import sys

from pyfn.worker.boot import apply_python_files, flatten_options, parse_args


def test_flatten_options_shapes():
    assert flatten_options({"python.files": "a,b"}) == {"python.files": "a,b"}
    assert flatten_options({"options": {"python.files": "a"}}) == {"python.files": "a"}
    assert flatten_options({"python": {"files": "a", "fn-execution": {"arrow": 3}}}) == {
        "python.files": "a", "python.fn-execution.arrow": "3"}


def test_apply_python_files_puts_paths_first(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    saved = list(sys.path)
    try:
        apply_python_files(" %s , %s ," % (first, second))
        assert sys.path[:2] == [str(first), str(second)]
    finally:
        sys.path[:] = saved


def test_flags():
    args = parse_args(["--id=w7", "--provision_endpoint=127.0.0.1:5", "--semi_persist_dir=/tmp/x",
                       "--unknown_flag=1"])
    assert (args.id, args.provision_endpoint, args.control_endpoint, args.semi_persist_dir) == (
        "w7", "127.0.0.1:5", "", "/tmp/x")
    assert os.path.basename(__file__) == "test_boot.py"
