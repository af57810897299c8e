"""A descriptor pushed with a RegisterRequest on the Control stream (as the runner does when an operator opens) is
planned, and its functions loaded and opened, before any bundle names it; a failure there is the first bundle's,
with the message a fetched descriptor gives."""

import uuid

import pyarrow as pa

import udfs_preload
from descriptors import call_message as call, functions
from fake_runner import SCALAR_URN, ipc_bytes
from pyfn import DataTypes
from pyfn.proto.beam import beam_fn_api_pb2
from pyfn.proto.pyfn import udf_pb2

BATCH = pa.record_batch([pa.array([1, 2, 3])], names=["x"])


def push(runner, *descriptor_ids):
    """Sends a RegisterRequest with the runner's descriptors `descriptor_ids`; returns the worker's answer."""
    request = beam_fn_api_pb2.InstructionRequest(instruction_id="register-%s" % uuid.uuid4().hex[:8])
    request.register.process_bundle_descriptor.extend(runner.descriptors[i] for i in descriptor_ids)
    return runner.send_instruction(request)


def stamping(runner, descriptor_id, open_log, **parameters):
    return runner.register(descriptor_id, SCALAR_URN, functions(
        call(udfs_preload.stamps_open, 0), job_parameters=dict(open_log=str(open_log), **parameters)))


def test_a_pushed_descriptor_is_opened_before_its_first_bundle_and_never_fetched(fresh_runner, tmp_path):
    log = tmp_path / "opened.txt"
    stamping(fresh_runner, "pushed", log)
    answer = push(fresh_runner, "pushed")
    assert answer.WhichOneof("response") == "register" and answer.error == ""
    assert log.read_text().count("opened") == 1  # by the time the worker answers, before any bundle
    for _ in range(2):
        result = fresh_runner.run("pushed", ipc_bytes([BATCH]))
        assert result.error == "" and result.table().column(0).to_pylist() == [2, 4, 6]
    assert log.read_text().count("opened") == 1  # opened once
    assert fresh_runner.descriptor_fetches.get("pushed", 0) == 0


def test_an_open_that_fails_at_register_fails_the_first_bundle_as_a_fetched_one_does(fresh_runner, tmp_path):
    ready = tmp_path / "ready"
    for descriptor_id in ("pushed-early", "fetched-late"):
        stamping(fresh_runner, descriptor_id, tmp_path / "opened.txt", ready=str(ready))
    assert push(fresh_runner, "pushed-early").error == ""  # the failure is kept for the first bundle
    pushed = fresh_runner.run("pushed-early", ipc_bytes([BATCH]))
    fetched = fresh_runner.run("fetched-late", ipc_bytes([BATCH]))
    assert pushed.error.startswith("function 'stamps_open' failed in open()\nTraceback")
    assert pushed.error.endswith("RuntimeError: the lookup table is not there yet")
    assert pushed.error == fetched.error
    ready.write_text("")
    again = fresh_runner.run("pushed-early", ipc_bytes([BATCH]))  # the next bundle tries again
    assert again.error == "" and again.table().column(0).to_pylist() == [2, 4, 6]


def test_a_module_that_cannot_be_imported_fails_the_first_bundle_as_a_fetched_one_does(fresh_runner):
    ghost = udf_pb2.UserDefinedFunction(name="ghost", reference=udf_pb2.FunctionReference(
        module="no_such_module_%s" % uuid.uuid4().hex, qualified_name="ghost"))
    ghost.result_type.CopyFrom(DataTypes.BIGINT().to_proto())
    ghost.inputs.add().column = 0
    for descriptor_id in ("ghost-pushed", "ghost-fetched"):
        fresh_runner.register(descriptor_id, SCALAR_URN, functions(ghost))
    assert push(fresh_runner, "ghost-pushed").error == ""
    pushed = fresh_runner.run("ghost-pushed", ipc_bytes([BATCH]))
    fetched = fresh_runner.run("ghost-fetched", ipc_bytes([BATCH]))
    assert pushed.error.startswith("function 'ghost' could not be loaded (ModuleNotFoundError")
    assert pushed.error == fetched.error


def test_a_descriptor_that_cannot_be_planned_is_refused_by_its_first_bundle(fresh_runner):
    fresh_runner.register("odd", "pyfn:transform:no_such_kind:v1", functions())
    assert push(fresh_runner, "odd").error == ""
    result = fresh_runner.run("odd", ipc_bytes([BATCH]))
    assert "unsupported function transform 'pyfn:transform:no_such_kind:v1'" in result.error
    assert fresh_runner.descriptor_fetches["odd"] == 1  # left to the bundle, which fetched it
