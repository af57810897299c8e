"""Python dependencies as PyFlink declares them: set_python_requirements installs offline from a cache folder,
once per requirements content; add_python_archive extracts and python.executable may point into it; a UDF
running in the real runner imports the installed package."""

import os
import sys
import zipfile

import pytest

from table_api_support import runner  # noqa: F401

from pyfn.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyfn.table.dependencies import install_requirements, runner_settings
from pyfn.table.expressions import col
from pyfn.table.udf import udf
from pyfn.util.exceptions import TableException


def make_wheel(folder, name="pyfn_offline_dep", version="1.0", value=42) -> str:
    """A minimal pure-Python wheel defining `name.VALUE`."""
    path = os.path.join(folder, "%s-%s-py3-none-any.whl" % (name, version))
    info = "%s-%s.dist-info" % (name, version)
    files = {
        "%s.py" % name: "VALUE = %d\n" % value,
        "%s/METADATA" % info: "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version),
        "%s/WHEEL" % info: "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files["%s/RECORD" % info] = "".join("%s,,\n" % f for f in files) + "%s/RECORD,,\n" % info
    with zipfile.ZipFile(path, "w") as wheel:
        for member, text in files.items():
            wheel.writestr(member, text)
    return path


@pytest.fixture
def offline_requirements(tmp_path, monkeypatch):
    monkeypatch.setenv("PYFN_CACHE_DIR", str(tmp_path / "cache"))
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(str(wheels))
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pyfn_offline_dep==1.0\n")
    return str(requirements), str(wheels)


def test_requirements_install_offline_once_per_content(offline_requirements):
    requirements, wheels = offline_requirements
    folder = install_requirements(requirements, wheels, sys.executable)
    assert open(os.path.join(folder, "pyfn_offline_dep.py")).read() == "VALUE = 42\n"
    marker = os.path.join(folder, ".pyfn-complete")
    made = os.path.getmtime(marker)
    assert install_requirements(requirements, wheels, sys.executable) == folder
    assert os.path.getmtime(marker) == made
    settings = runner_settings({"python.requirements": requirements + "#" + wheels, "python.files": "/a.py"})
    assert settings == {"python.files": "/a.py," + folder}


def test_a_missing_requirement_names_pips_complaint(offline_requirements, tmp_path):
    _, wheels = offline_requirements
    missing = tmp_path / "missing.txt"
    missing.write_text("no_such_package_for_pyfn==9\n")
    with pytest.raises(TableException, match=r"installing the Python requirements .*missing.txt failed"):
        install_requirements(str(missing), wheels, sys.executable)


def test_archives_are_extracted_and_the_executable_may_point_into_one(tmp_path):
    archive = tmp_path / "venv.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("bin/python", "#!/bin/sh\n")
    settings = runner_settings({"python.archives": "%s#myenv" % archive, "python.executable": "myenv/bin/python"})
    extracted = settings["python.files"]
    assert os.path.isfile(os.path.join(extracted, "bin", "python"))
    assert settings["python.executable"] == os.path.join(extracted, "bin/python")
    assert os.path.basename(extracted) == "myenv"


@udf(result_type=DataTypes.BIGINT())
def offline_value(a):
    import pyfn_offline_dep
    return a + pyfn_offline_dep.VALUE


def test_a_udf_imports_a_requirement_installed_offline(runner, offline_requirements):  # noqa: F811
    requirements, wheels = offline_requirements
    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.set_python_requirements(requirements, wheels)
    table = t_env.from_elements([(1,), (2,)], ["a"]).select(offline_value(col("a")).alias("v"))
    assert [row[0] for row in table.execute().collect()] == [43, 44]
    t_env.close()
