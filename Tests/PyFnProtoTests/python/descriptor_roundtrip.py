"""The Python half of the cross-language descriptor test.

`write FILE`: encodes the reference ProcessBundleDescriptor with the generated Python code.
`check FILE`: decodes FILE (written by Swift) and compares it field by field with the reference.
The reference is built here independently of the Swift test, which builds the same descriptor itself.
"""
import sys

from google.protobuf import json_format

from pyfn.proto.beam import beam_fn_api_pb2 as fn
from pyfn.proto.pyfn import udf_pb2 as udf

T = udf.DataType


def dtype(name, nullable=True, **kw):
    return T(type_name=getattr(T, name), nullable=nullable, **kw)


def every_type():
    return [
        ("c_boolean", dtype("BOOLEAN")),
        ("c_tinyint", dtype("TINYINT")),
        ("c_smallint", dtype("SMALLINT")),
        ("c_int", dtype("INT")),
        ("c_bigint", dtype("BIGINT", nullable=False)),
        ("c_float", dtype("FLOAT")),
        ("c_double", dtype("DOUBLE")),
        ("c_decimal", dtype("DECIMAL", precision=10, scale=2)),
        ("c_string", dtype("STRING")),
        ("c_bytes", dtype("BYTES")),
        ("c_date", dtype("DATE")),
        ("c_time", dtype("TIME", precision=3)),
        ("c_timestamp", dtype("TIMESTAMP", precision=6)),
        ("c_array", dtype("ARRAY", element_type=dtype("INT"))),
        ("c_map", dtype("MAP", key_type=dtype("STRING", nullable=False), value_type=dtype("BIGINT"))),
        ("c_row", dtype("ROW", fields=[T.Field(name="a", type=dtype("INT")),
                                       T.Field(name="b", type=dtype("STRING"), description="second")])),
    ]


def column(i):
    return udf.Input(column=i)


def constant(**kw):
    return udf.Input(constant=udf.Constant(**kw))


def functions():
    K = udf.UserDefinedFunction
    g = K(name="g", kind=K.SCALAR, cloudpickle=b"\x80\x05pickled-g", inputs=[column(0)],
          result_type=dtype("BIGINT"), deterministic=True)
    f = K(name="f", kind=K.SCALAR, reference=udf.FunctionReference(module="udfs.math", qualified_name="Adder.add"),
          inputs=[udf.Input(call=g), constant(type=dtype("BIGINT", nullable=False), int_value=-7),
                  constant(type=dtype("DOUBLE"), double_value=2.5), constant(type=dtype("STRING"), string_value="héllo"),
                  constant(type=dtype("BOOLEAN"), bool_value=True), constant(type=dtype("BYTES"), bytes_value=b"\x00\xff"),
                  constant(type=dtype("DECIMAL", precision=5, scale=1), string_value="-12.5"),
                  constant(type=dtype("DATE"))],
          result_type=dtype("BIGINT"), deterministic=False)
    split = K(name="split", kind=K.TABLE, reference=udf.FunctionReference(module="udfs", qualified_name="split"),
              inputs=[column(8)],
              result_type=dtype("ROW", fields=[T.Field(name="word", type=dtype("STRING")),
                                               T.Field(name="n", type=dtype("INT"))]))
    pandas_add = K(name="pandas_add", kind=K.PANDAS_SCALAR, cloudpickle=b"pandas", inputs=[column(4), column(3)],
                   result_type=dtype("BIGINT"))
    total = K(name="total", kind=K.AGGREGATE, cloudpickle=b"agg", inputs=[column(4)], result_type=dtype("BIGINT"),
              accumulator_type=dtype("ARRAY", element_type=dtype("BIGINT")))
    mean = K(name="mean", kind=K.PANDAS_AGGREGATE, cloudpickle=b"pagg", inputs=[column(6)],
             result_type=dtype("DOUBLE"))
    return udf.UserDefinedFunctions(
        udfs=[f, split, pandas_add, total, mean],
        input_schema=udf.Schema(fields=[T.Field(name=n, type=t) for n, t in every_type()]),
        job_parameters={"region": "eu", "threshold": "10"},
        metric_enabled=True, profile_enabled=True, arrow_batch_size=1000, grouping=[2, 3])


def descriptor():
    from pyfn.proto.beam import beam_runner_api_pb2 as runner
    port = fn.RemoteGrpcPort(coder_id="arrow")
    port.api_service_descriptor.url = "127.0.0.1:5000"
    d = fn.ProcessBundleDescriptor(id="scalar-1")
    d.transforms["source"].CopyFrom(runner.PTransform(
        unique_name="source", spec=runner.FunctionSpec(urn="beam:runner:source:v1", payload=port.SerializeToString()),
        outputs={"out": "in"}))
    d.transforms["udf"].CopyFrom(runner.PTransform(
        unique_name="udf", spec=runner.FunctionSpec(urn="pyfn:transform:scalar_function:v1",
                                                    payload=functions().SerializeToString()),
        inputs={"in": "in"}, outputs={"out": "out"}))
    d.transforms["sink"].CopyFrom(runner.PTransform(
        unique_name="sink", spec=runner.FunctionSpec(urn="beam:runner:sink:v1", payload=port.SerializeToString()),
        inputs={"in": "out"}))
    for name in ("in", "out"):
        d.pcollections[name].CopyFrom(runner.PCollection(unique_name=name, coder_id="arrow",
                                                         is_bounded=runner.IsBounded.BOUNDED))
    d.coders["arrow"].spec.urn = "pyfn:coder:arrow:v1"
    return d


def differences(actual, expected):
    """Field paths whose values differ; payloads are compared decoded, so map order does not matter."""
    diffs = []
    a_udf = udf.UserDefinedFunctions.FromString(actual.transforms["udf"].spec.payload)
    e_udf = udf.UserDefinedFunctions.FromString(expected.transforms["udf"].spec.payload)
    if a_udf != e_udf:
        a, e = json_format.MessageToDict(a_udf), json_format.MessageToDict(e_udf)
        diffs += [f"udf payload .{k}: {a.get(k)!r} != {e.get(k)!r}" for k in sorted(set(a) | set(e)) if a.get(k) != e.get(k)]
    a, e = fn.ProcessBundleDescriptor(), fn.ProcessBundleDescriptor()
    a.CopyFrom(actual)
    e.CopyFrom(expected)
    a.transforms["udf"].spec.payload = b""
    e.transforms["udf"].spec.payload = b""
    if a != e:
        ad, ed = json_format.MessageToDict(a), json_format.MessageToDict(e)
        diffs += [f".{k}: {ad.get(k)!r} != {ed.get(k)!r}" for k in sorted(set(ad) | set(ed)) if ad.get(k) != ed.get(k)]
    return diffs


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "write":
        with open(path, "wb") as f:
            f.write(descriptor().SerializeToString())
        return 0
    with open(path, "rb") as f:
        actual = fn.ProcessBundleDescriptor.FromString(f.read())
    diffs = differences(actual, descriptor())
    for d in diffs:
        print("DIFF", d)
    print("MATCH" if not diffs else f"{len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
