// python.harness = pyflink: how the planner learns a function's kind and types from the PyFlink function object
// itself, with a short script run under the PyFlink interpreter (python.executable), which has no `pyfn`.
// It lives with the harness so that operator-level tests can describe PyFlink functions the same way.

/// The describe step for functions written against `pyflink.table.udf`: the script prints, per named function,
/// the JSON object `python -m pyfn.describe` prints (name, kind, result_type, input_types, deterministic), plus
/// `payload`: the function object cloudpickled exactly as PyFlink's `_java_user_defined_function` pickles it (a
/// plain function wrapped in DelegatingScalarFunction / DelegationTableFunction), which PyFlink's worker loads.
public enum PyFlinkFunctionScript {
    /// The interpreter arguments before the module and the function names (`python -c SCRIPT module name…`).
    public static var arguments: [String] { ["-c", source] }

    /// The script's Python source.
    public static let source = #"""
import base64, importlib, json, sys

def main(module_name, names):
    import cloudpickle
    from pyflink.table import types as T
    from pyflink.table import udf as U

    def sql(t):
        if isinstance(t, str):
            return t
        simple = {T.BooleanType: "BOOLEAN", T.TinyIntType: "TINYINT", T.SmallIntType: "SMALLINT",
                  T.IntType: "INT", T.BigIntType: "BIGINT", T.FloatType: "FLOAT", T.DoubleType: "DOUBLE",
                  T.CharType: "STRING", T.VarCharType: "STRING", T.BinaryType: "BYTES",
                  T.VarBinaryType: "BYTES", T.DateType: "DATE"}
        if type(t) in simple:
            base = simple[type(t)]
        elif isinstance(t, T.DecimalType):
            base = "DECIMAL(%d, %d)" % (t.precision, t.scale)
        elif isinstance(t, T.TimeType):
            base = "TIME(%d)" % t.precision
        elif isinstance(t, T.TimestampType):
            base = "TIMESTAMP(%d)" % t.precision
        elif isinstance(t, T.LocalZonedTimestampType):
            base = "TIMESTAMP_LTZ(%d)" % t.precision
        elif isinstance(t, T.ArrayType):
            base = "ARRAY<%s>" % sql(t.element_type)
        elif isinstance(t, T.MapType):
            base = "MAP<%s, %s>" % (sql(t.key_type), sql(t.value_type))
        elif isinstance(t, T.RowType):
            base = "ROW<%s>" % ", ".join("`%s` %s" % (f.name, sql(f.data_type)) for f in t.fields)
        else:
            raise TypeError("type %s has no counterpart in PyFn" % t)
        return base if t._nullable else base + " NOT NULL"

    module = importlib.import_module(module_name)
    for name in names:
        if not hasattr(module, name):
            raise LookupError("%s defines no %r" % (module_name, name))
        wrapper = getattr(module, name)
        out = {"name": name, "module": module_name, "qualified_name": name}
        if isinstance(wrapper, U.UserDefinedAggregateFunctionWrapper):
            out.update(kind="AGGREGATE", result_type=sql(wrapper._result_type))
            print(json.dumps(out))
            continue
        if isinstance(wrapper, U.UserDefinedScalarFunctionWrapper):
            out["kind"] = "PANDAS_SCALAR" if wrapper._func_type == "pandas" else "SCALAR"
            out["result_type"] = sql(wrapper._result_type)
        elif isinstance(wrapper, U.UserDefinedTableFunctionWrapper):
            out["kind"] = "TABLE"
            out["result_type"] = "ROW<%s>" % ", ".join(
                "f%d %s" % (i, sql(t)) for i, t in enumerate(wrapper._result_types))
        else:
            raise TypeError("%s.%s is not a PyFlink udf or udtf (pyflink.table.udf): %r"
                            % (module_name, name, wrapper))
        if wrapper._input_types is not None:
            out["input_types"] = [sql(t) for t in wrapper._input_types]
        out["deterministic"] = wrapper._deterministic
        func = wrapper._func
        if not isinstance(func, U.UserDefinedFunction):
            func = wrapper._create_delegate_function()
        out["payload"] = base64.b64encode(cloudpickle.dumps(func)).decode("ascii")
        print(json.dumps(out))

# `python -c` puts the working directory first on sys.path; python.files (PYTHONPATH) must win over it.
if sys.path and sys.path[0] == "":
    sys.path.append(sys.path.pop(0))
try:
    main(sys.argv[1], sys.argv[2:])
except Exception as error:
    print("pyflink describe: %s: %s: %s" % (sys.argv[1], type(error).__name__, error), file=sys.stderr)
    sys.exit(1)
"""#
}
